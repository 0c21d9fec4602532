"""Free slots: a fixed number of queries, then interval arithmetic in memory.

Times are whole minutes since the Unix epoch (UTC) while computing, so a day
across a daylight-saving change has its true length. Local wall-clock rules
(working and opening hours) become UTC intervals per local date in the
salon's zone. Starts step through each free interval in real time on the
salon's grid, aligned to local wall-clock time: a start is an instant, so a
wall-clock time missing in spring is never offered, and the hour repeated in
autumn is offered once for each occurrence, with its own offset.
"""

from __future__ import annotations

import datetime
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import repeat
from operator import add, itemgetter, sub
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Func,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext

from routines.selectors import RoutineTiming, service_entry
from routines.specs import RoutineSpec
from salon.compiled import prepared_cursor
from salon.errors import InvalidInput
from salon.models import Room, Salon, Therapist, TimeOff, WorkingHours

Interval = tuple[int, int]
MINUTES_A_DAY = 24 * 60
_START = itemgetter(0)
_END = itemgetter(1)  # an interval's end (or a range's high), to bisect by


def to_minutes(moment: datetime.datetime) -> int:
    return int(moment.timestamp()) // 60


def from_minutes(minutes: int, zone: datetime.tzinfo = datetime.UTC) -> datetime.datetime:
    """The instant, on ``zone``'s clock (in one step: thousands of slots are shown)."""
    return datetime.datetime.fromtimestamp(minutes * 60, zone)


def wall_minutes(wall: datetime.time) -> int:
    return wall.hour * 60 + wall.minute


def local_instant(day: datetime.date, wall: datetime.time, zone: ZoneInfo) -> datetime.datetime:
    """The UTC instant a wall-clock time names on a day. A time in the spring
    gap does not exist and moves forward by the gap (02:30 becomes 03:30); a
    time that happens twice in autumn means its first occurrence."""
    return datetime.datetime.combine(day, wall).replace(tzinfo=zone).astimezone(datetime.UTC)


def subtract(free: list[Interval], busy: list[Interval]) -> list[Interval]:
    """``free`` minus ``busy``. ``busy`` sorted and merged (disjoint); ``free``
    sorted, so both are walked once, side by side (an unsorted ``free`` is
    walked from the start of ``busy`` again where it goes back)."""
    if not busy:
        return free
    result = []
    count = len(busy)
    first = 0  # the first busy interval that ends after the current free one starts
    previous = None
    for start, end in free:
        if previous is not None and start < previous:
            first = 0
        previous = start
        while first < count and busy[first][1] <= start:
            first += 1
        cursor = start
        index = first
        while index < count:
            busy_start, busy_end = busy[index]
            if busy_start >= end:
                break
            if busy_end > cursor:
                if busy_start > cursor:
                    result.append((cursor, busy_start))
                cursor = busy_end
                if cursor >= end:
                    break
            index += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(first: list[Interval], second: list[Interval]) -> list[Interval]:
    result = []
    i = j = 0
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if start < end:
            result.append((start, end))
        if first[i][1] < second[j][1]:
            i += 1
        else:
            j += 1
    return result


def merge(intervals: list[Interval]) -> list[Interval]:
    if len(intervals) < 2:
        return list(intervals)
    ordered = sorted(intervals, key=_START)  # by start alone: cheaper than comparing tuples, and as good here
    merged: list[Interval] = [ordered[0]]
    # Merging a month of bookings is a hot loop, and most need no merging:
    # those are kept as they are, and only a grown interval is made anew.
    end = ordered[0][1]
    for interval in ordered:
        if interval[0] > end:
            merged.append(interval)
            end = interval[1]
        elif interval[1] > end:
            end = interval[1]
            merged[-1] = (merged[-1][0], end)
    return merged


# A timestamp as whole minutes since the epoch, by database (``{}`` is the column).
# date_part's double precision, not EXTRACT's numeric, on PostgreSQL: the same
# whole minutes for any time to the second, at a fraction of the cost over a
# month of bookings (as reports.selectors reads them). julianday, not
# strftime('%s'), on SQLite: a literal %s would be taken for a parameter.
EPOCH_MINUTES_SQL = {
    "postgresql": "(date_part('epoch', {})::bigint / 60)",
    "sqlite": "CAST(ROUND((julianday({}) - 2440587.5) * 1440) AS INTEGER)",
}


class EpochMinutes(Func):
    """A timestamp as whole minutes since the epoch, computed by the database:
    reading thousands of bookings, parsing timestamps would cost more than the
    rest of the availability computation."""

    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        template = EPOCH_MINUTES_SQL["postgresql"].format("%(expressions)s")
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = EPOCH_MINUTES_SQL["sqlite"].format("%(expressions)s")
        return self.as_sql(compiler, connection, template=template, **extra)


def clear_starts(starts: list[Interval], busy: list[Interval], length: int) -> list[Interval]:
    """Of ``starts`` (ranges [low, high) of start minutes, in any order),
    those at which ``length`` minutes meet none of ``busy`` (sorted and
    merged): a busy [begin, end) rules out the starts [begin - length + 1,
    end). Each range bisects to the first busy interval that ends after it
    begins, so a day's starts do not walk a month of bookings; what is left
    between two busy intervals starts where the first ends, as the free
    interval between them does."""
    if not busy:
        return starts
    result = []
    count = len(busy)
    reach = length - 1
    for low, high in starts:
        index = bisect_right(busy, low, key=_END)
        while index < count:
            begin, end = busy[index]
            if begin - reach >= high:
                break
            if begin - reach > low:
                result.append((low, begin - reach))
            low = end  # busy ends increase: this one ends after the start
            if low >= high:
                break
            index += 1
        if low < high:
            result.append((low, high))
    return result


def fits(free: list[Interval], start: int, end: int) -> bool:
    """Whether [start, end) lies inside one interval of the sorted ``free``."""
    index = bisect_right(free, (start, float("inf"))) - 1
    return index >= 0 and free[index][0] <= start and end <= free[index][1]


class Slot(NamedTuple):
    """A bookable start: epoch minutes, the session's end, who and where.
    A tuple, so that thousands are made and sorted cheaply."""

    start: int
    end: int
    therapist: int
    room: int

    def as_dict(self, zone: ZoneInfo | None = None) -> dict:
        """With ``zone``, times carry the salon's offset (ISO 8601 with offset in the API)."""
        zone = zone or datetime.UTC
        return {"start": from_minutes(self.start, zone), "end": from_minutes(self.end, zone),
                "therapist": self.therapist, "room": self.room}  # fmt: skip


class Shift(NamedTuple):
    """A shift as availability reads it (a row of WorkingHours, without
    making a model instance of it: a month of rotas is thousands)."""

    weekday: int
    starts: datetime.time
    ends: datetime.time
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    week_parity: int | None

    applies_on = WorkingHours.applies_on  # the model's own rule: it reads only these fields


@dataclass(frozen=True)
class FreeStart:
    """A free start (local time) and a therapist free then, as pages offer it."""

    start: datetime.datetime
    therapist: int

    @property
    def value(self) -> str:
        """How a form names it: the start with its offset, and the therapist."""
        return f"{self.start.isoformat()}/{self.therapist}"

    @property
    def clock(self) -> str:
        """The start on the location's 24-hour clock, as addresses carry it
        (and as both languages show it)."""
        return self.start.strftime("%H:%M")


@dataclass(frozen=True)
class Hours:
    """Opening hours as read: a weekday's, or a special day's (closed when
    it has no times)."""

    opens: datetime.time | None
    closes: datetime.time | None

    @property
    def closed(self) -> bool:
        return self.opens is None


@dataclass
class Calendar:
    """Everything availability needs for a salon and a range, read in a fixed
    number of queries."""

    salon: Salon
    zone: ZoneInfo
    therapists: list[Therapist]
    rooms: list[Room]
    # Therapists who may work only in some rooms here: therapist id -> those rooms' ids.
    rooms_allowed: dict[int, frozenset[int]]
    # Shifts by therapist and weekday, so a day looks only at its weekday's.
    working: dict[tuple[int, int], list[Shift]]
    opening: dict[int, list[Hours]]
    # Dates with other hours than the week's: closed (rows without hours) or open at their rows' hours.
    special: dict[datetime.date, list[Hours]]
    # Time off and bookings, kept apart so that errors can say which.
    therapist_away: dict[int, list[Interval]]
    therapist_booked: dict[int, list[Interval]]  # here, and elsewhere with the travel on both sides
    room_away: dict[int, list[Interval]]
    room_booked: dict[int, list[Interval]]
    # Sessions at the business's other locations, widened by the travel time.
    therapist_elsewhere: dict[int, list[Interval]]

    @classmethod
    def load(
        cls,
        *,
        salon: Salon,
        first_day: datetime.date,
        last_day: datetime.date,
        qualification: str = "none",
        therapist_id: int | None = None,
        exclude_appointment: int | None = None,
        appointments: list | None = None,
        therapists: list[Therapist] | None = None,
        appointments_of: Callable[[list[Therapist]], Therapist | None] | None = None,
    ) -> Calendar:
        """With ``appointments`` (a list), the bookings are read as whole rows
        (with client, routine, room and therapist) into it, every status but
        cancelled, in the same query that finds who is busy: for the desk,
        which shows them; with ``appointments_of`` too, only the bookings of
        the therapist it picks from the calendar's (none if it picks none),
        for the desk's week of one therapist. ``therapists`` are those of :func:`therapists_at`
        the calendar is for, when the caller has read them (a booking reads
        its therapist's row as it locks it)."""
        zone = salon.zone
        since = local_instant(first_day, datetime.time(0), zone) - datetime.timedelta(hours=3)
        until = local_instant(last_day + datetime.timedelta(days=1), datetime.time(0), zone) + datetime.timedelta(
            hours=3
        )
        if therapists is None:
            therapists = _therapists(salon=salon, qualification=qualification, therapist_id=therapist_id)
        ids = [therapist.pk for therapist in therapists]
        opening, special, working, (rooms, rooms_allowed) = _hours_shifts_and_rooms(
            salon, therapist_ids=ids, first_day=first_day, last_day=last_day
        )
        shown = None
        if appointments is not None and appointments_of is not None:
            picked = appointments_of(therapists)
            shown = picked.pk if picked is not None else 0  # no row has id 0
        busy = _busy(
            salon=salon, therapist_ids=ids, since=since, until=until, exclude_appointment=exclude_appointment,
            appointments=appointments, appointments_of=shown,
        )  # fmt: skip
        # A therapist's sessions elsewhere keep her busy here too: merged with hers here in one pass,
        # once merged among themselves (the travel time joins most of a day's there into one).
        elsewhere = {therapist: merge(intervals) for therapist, intervals in busy[4].items()}
        booked_here = busy[1]
        for therapist, intervals in elsewhere.items():
            booked_here[therapist] = booked_here.get(therapist, []) + intervals
        therapist_away, therapist_booked, room_away, room_booked = (
            {key: merge(value) for key, value in intervals.items()} for intervals in busy[:4]
        )
        return cls(
            salon, zone, therapists, rooms, rooms_allowed, working, opening, special,
            therapist_away, therapist_booked, room_away, room_booked, elsewhere,
        )  # fmt: skip

    def therapist_on_duty(self, therapist: Therapist, day: datetime.date) -> list[Interval]:
        """Working and open, less time off."""
        hours = intersect(self.working_intervals(therapist, day), self.open_intervals(day))
        return subtract(hours, self.therapist_away.get(therapist.pk, []))

    def rooms_for(self, therapist: Therapist) -> list[Room]:
        """The rooms here that ``therapist`` can work in."""
        allowed = self.rooms_allowed.get(therapist.pk)
        return self.rooms if allowed is None else [room for room in self.rooms if room.pk in allowed]

    def room_in_use(self, room: Room, day: datetime.date) -> list[Interval]:
        """Open, less the room's time off."""
        return self.room_in_use_over(room, self.open_intervals(day))

    def room_in_use_over(self, room: Room, open_hours: list[Interval]) -> list[Interval]:
        return subtract(open_hours, self.room_away.get(room.pk, []))

    def _offset(self, minutes: int) -> int:
        return int(from_minutes(minutes, self.zone).utcoffset().total_seconds() // 60)

    def _midnight(self, day: datetime.date) -> int | None:
        """The epoch minute the local day begins, when it has 24 hours; None
        on a day the clocks change, whose wall-clock times must each go
        through the zone."""
        begins, length = self._day_span(day)
        return begins if length == MINUTES_A_DAY else None

    def _day_span(self, day: datetime.date) -> tuple[int, int]:
        """The epoch minute the local day begins, and how many minutes it has."""
        cache = self.__dict__.setdefault("_day_spans", {})
        if day not in cache:
            begins = self._day_begins(day)
            cache[day] = (begins, self._day_begins(day + datetime.timedelta(days=1)) - begins)
        return cache[day]

    def _day_begins(self, day: datetime.date) -> int:
        """The epoch minute the local day begins (each worked out once: a
        day's end is the next one's beginning)."""
        cache = self.__dict__.setdefault("_day_beginnings", {})
        begins = cache.get(day)
        if begins is None:
            begins = cache[day] = to_minutes(local_instant(day, datetime.time(0), self.zone))
        return begins

    def _day_intervals(self, day: datetime.date, rows, start_attr: str, end_attr: str) -> list[Interval]:
        midnight = self._midnight(day)
        if midnight is None:
            return merge(
                [
                    (
                        to_minutes(local_instant(day, getattr(row, start_attr), self.zone)),
                        to_minutes(local_instant(day, getattr(row, end_attr), self.zone)),
                    )
                    for row in rows
                ]
            )
        return merge(
            [
                (midnight + wall_minutes(getattr(row, start_attr)), midnight + wall_minutes(getattr(row, end_attr)))
                for row in rows
            ]
        )

    def open_intervals(self, day: datetime.date) -> list[Interval]:
        cache = self.__dict__.setdefault("_open_cache", {})
        if day not in cache:
            special = self.special.get(day)
            if special is not None:
                rows = [] if any(row.closed for row in special) else special
            else:
                rows = self.opening.get(day.weekday(), [])
            cache[day] = self._day_intervals(day, rows, "opens", "closes")
        return cache[day]

    def working_intervals(self, therapist: Therapist, day: datetime.date) -> list[Interval]:
        shifts = [shift for shift in self.working.get((therapist.pk, day.weekday()), ()) if shift.applies_on(day)]
        return self._day_intervals(day, shifts, "starts", "ends")

    def slots(
        self,
        *,
        first_day: datetime.date,
        last_day: datetime.date,
        slot_minutes: int,
        session_minutes: int,
        earliest: int,
        latest_start: int,
    ) -> list[Slot]:
        """Every (start, therapist) with a free room, ordered by start.

        Worked out as ranges of start minutes, not interval by interval: a
        therapist's starts are those at which a session fits in her duty
        (the same for everyone on her rota) and meets none of her time off or
        bookings (:func:`clear_starts`, which bisects into them). Only then
        are rooms looked at, and only for the starts some therapist can take:
        each room in order takes those it is clear for and no room before it
        took (:meth:`_rooms_taking`). A month of bookings mostly leaves gaps
        too short for a session, which this never builds as intervals. Each
        range of starts is one of the therapist's free intervals, so its
        first start is put on the salon's grid as that interval's first
        minute is, and the starts after it follow in real time."""
        grid = self.salon.slot_minutes
        days = [first_day + datetime.timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]
        spans = [self._day_span(day) for day in days]
        day_begins = [begins for begins, _ in spans]
        open_by_day = [self.open_intervals(day) for day in days]
        # Therapists on the same rota (the same shifts every weekday) are on duty at the same hours.
        duty_starts_by_rota: dict[tuple, list[Interval]] = {}
        wanted: dict[frozenset[int] | None, list[Interval]] = defaultdict(list)
        candidates: list[tuple[int, frozenset[int] | None, list[Interval]]] = []
        for therapist in self.therapists:
            therapist_id = therapist.pk
            rota = tuple(tuple(self.working.get((therapist_id, weekday), ())) for weekday in range(7))
            duty_starts = duty_starts_by_rota.get(rota)
            if duty_starts is None:
                duty = self._duty(rota, days, open_by_day)
                duty_starts = duty_starts_by_rota[rota] = [
                    (max(start, earliest), min(end - slot_minutes, latest_start) + 1)
                    for start, end in duty
                    if max(start, earliest) <= min(end - slot_minutes, latest_start)
                ]
            starts = clear_starts(duty_starts, self.therapist_away.get(therapist_id, []), slot_minutes)
            starts = clear_starts(starts, self.therapist_booked.get(therapist_id, []), slot_minutes)
            if starts:
                allowed = self.rooms_allowed.get(therapist_id)
                candidates.append((therapist_id, allowed, starts))
                wanted[allowed] += starts
        taken_by_allowed = {
            allowed: self._rooms_taking(starts, allowed, slot_minutes) for allowed, starts in wanted.items()
        }
        found: list[Slot] = []
        for therapist_id, allowed, starts in candidates:
            taken = taken_by_allowed[allowed]
            count = len(taken)
            for low, high in starts:
                # Onto the grid, counted from local midnight (the grid divides a day of 24 hours).
                begins, length = spans[bisect_right(day_begins, low) - 1]
                local = low - begins if length == MINUTES_A_DAY else low + self._offset(low)
                start = low + -local % grid
                index = bisect_right(taken, start, key=_END)  # the first range of rooms' starts not behind it
                while start < high and index < count:
                    room_low, room_high, room = taken[index]
                    if start >= room_high:
                        index += 1
                    elif start < room_low:
                        start += (room_low - start + grid - 1) // grid * grid  # the first start on the grid in it
                    else:
                        found.append(Slot(start, start + session_minutes, therapist_id, room))
                        start += grid
        found.sort()  # by start, then therapist: every slot's end is its start plus the same length
        return found

    def _rooms_taking(
        self, wanted: list[Interval], allowed: frozenset[int] | None, slot_minutes: int
    ) -> list[tuple[int, int, int]]:
        """The room each of the ``wanted`` starts (ranges) takes, as sorted,
        disjoint ranges (low, high, room): the first of the rooms (those
        ``allowed``, or all) that is clear for the whole session then. A
        wanted start lies within the opening hours (it is on someone's duty),
        so a room is free for it when none of its time off or bookings meets
        the session. Once every wanted start has a room, no later room is looked at."""
        remaining = merge(wanted)
        taken: list[tuple[int, int, int]] = []
        for room in self.rooms:
            room_id = room.pk
            if allowed is not None and room_id not in allowed:
                continue
            clear = clear_starts(remaining, self.room_away.get(room_id, []), slot_minutes)
            clear = clear_starts(clear, self.room_booked.get(room_id, []), slot_minutes)
            if clear:
                taken += [(low, high, room_id) for low, high in clear]
                remaining = subtract(remaining, clear)
                if not remaining:
                    break
        taken.sort()
        return taken

    def _duty(
        self, rota: tuple[tuple[Shift, ...], ...], days: list[datetime.date], open_by_day: list[list[Interval]]
    ) -> list[Interval]:
        """When a therapist on ``rota`` (her shifts by weekday) is on duty
        over ``days``: the shifts that apply each day, within its opening hours."""
        duty: list[Interval] = []
        for day, hours in zip(days, open_by_day, strict=True):
            shifts = rota[day.weekday()]
            if shifts and hours:
                worked = [shift for shift in shifts if shift.applies_on(day)]
                if worked:
                    duty += intersect(self._day_intervals(day, worked, "starts", "ends"), hours)
        return duty


@dataclass(frozen=True)
class BookingTerms:
    """How long a booking takes and what it costs: the session, the time its
    therapist and room are held (session + turnover, up to the grid), and
    the price in minor units of ``currency`` (None when the location has
    set no price)."""

    session_minutes: int
    slot_minutes: int
    price_minor: int | None = None
    currency: str = ""

    @classmethod
    def of_appointment(cls, appointment) -> BookingTerms:
        """The terms an appointment was booked on: moving it keeps its length."""
        return cls(
            session_minutes=int((appointment.end - appointment.start).total_seconds() // 60),
            slot_minutes=int((appointment.busy_until - appointment.start).total_seconds() // 60),
            price_minor=appointment.price_minor,
            currency=appointment.currency,
        )


def default_length(prices: dict[int, int], typical_minutes: int) -> int:
    """The length booked when none is asked for: the one nearest the
    routine's typical duration (the longer of two as near)."""
    return min(prices, key=lambda minutes: (abs(minutes - typical_minutes), -minutes))


def booking_terms(
    spec: RoutineSpec | RoutineTiming, salon: Salon, *, minutes: int | None = None, entry=None
) -> BookingTerms:
    """The terms for booking ``spec`` at ``salon``: a length from the
    location's menu (``minutes``, else the default one) with its price, or,
    for a routine without lengths on the menu, its typical duration without
    a price. ``entry`` is the menu entry when the caller has read it."""
    entry = entry if entry is not None else service_entry(salon=salon, slug=spec.slug)
    turnover = spec.turnover_minutes
    if entry is not None and entry.turnover_minutes is not None:
        turnover = entry.turnover_minutes
    if entry is None or not entry.prices:
        if minutes is not None:
            raise InvalidInput(
                gettext("%(location)s has no lengths on its menu for %(routine)s; book it without a length.")
                % {"location": salon.name, "routine": spec.name},
                code="length_not_offered",
                fields={"minutes": [gettext("No lengths on the menu.")]},
            )
        slot = math.ceil((spec.typical_minutes + turnover) / salon.slot_minutes) * salon.slot_minutes
        return BookingTerms(session_minutes=slot - turnover, slot_minutes=slot)
    # A length the menu kept from before the routine grew longer is not sold.
    prices = {length: price for length, price in entry.prices.items() if length >= spec.minimum_minutes}
    if minutes is not None and minutes in entry.prices and minutes not in prices:
        raise InvalidInput(
            gettext("%(routine)s now takes %(minimum)s minutes at least; %(minutes)s is too short.")
            % {"routine": spec.name, "minimum": spec.minimum_minutes, "minutes": minutes},
            code="booking_too_short",
            fields={"minutes": [gettext("Book at least %(minimum)s minutes.") % {"minimum": spec.minimum_minutes}]},
        )
    if not prices:
        raise InvalidInput(
            gettext(
                "Every length of %(routine)s on %(location)s's menu is shorter than it now takes "
                "(%(minimum)s minutes); a manager must update the menu."
            )
            % {"routine": spec.name, "location": salon.name, "minimum": spec.minimum_minutes},
            code="length_not_offered",
            fields={"minutes": [gettext("No length on the menu is long enough.")]},
        )
    entry = replace(entry, prices=prices)
    if minutes is None:
        minutes = default_length(entry.prices, spec.typical_minutes)
    elif minutes not in entry.prices:
        offered = ", ".join(str(length) for length in entry.prices)
        raise InvalidInput(
            gettext("%(routine)s is booked for %(offered)s minutes at %(location)s.")
            % {"routine": spec.name, "offered": offered, "location": salon.name},
            code="length_not_offered",
            fields={"minutes": [gettext("Choose one of %(offered)s.") % {"offered": offered}]},
        )
    slot = math.ceil((minutes + turnover) / salon.slot_minutes) * salon.slot_minutes
    return BookingTerms(minutes, slot, entry.prices[minutes], salon.currency)


def therapists_at(salon: Salon) -> QuerySet[Therapist]:
    """The business's active therapists assigned to this location."""
    return (
        Therapist.objects.filter(business_id=salon.business_id, active=True)
        .filter(Q(user__all_locations=True) | Q(user__is_superuser=True) | Q(user__locations=salon))
        .distinct()
    )


def _rooms_of(rows: list[tuple[Room, int | None]]) -> tuple[list[Room], dict[int, frozenset[int]]]:
    """The rooms in use among ``rows`` (room, therapist allowed there), and
    which therapists are kept to some of them."""
    rooms: dict[int, Room] = {}
    allowed: dict[int, set[int]] = defaultdict(set)
    # Rooms out of use count for who is kept to which: a therapist kept to a
    # room that is out of use works in no other room meanwhile.
    for room, therapist_allowed in rows:
        if room.active:
            rooms.setdefault(room.pk, room)
        if therapist_allowed is not None:
            allowed[therapist_allowed].add(room.pk)
    return list(rooms.values()), {therapist: frozenset(ids) for therapist, ids in allowed.items()}


# Plain SQL, not the ORM, for availability's three reads (hours and rooms,
# therapists, who is busy when): it is computed for every look at a booking
# page, and building these queries as querysets (filters, joins, the
# compiler, model instances) cost more than reading their thousands of rows
# and all the arithmetic after. Each is one constant, valid on PostgreSQL and
# SQLite, with named parameters; ``{therapists}`` lists the therapists
# (:func:`_therapists_in`), ``{away_start}`` and the like a column's
# epoch minutes as the database computes them (EPOCH_MINUTES_SQL).

# The location's weekly opening hours (kind 0), its special days in the
# range (1), the therapists' shifts here that apply in the range (2) and,
# with ROOMS_SQL, its rooms with the therapists kept to them (3), told apart
# by the first column. A room's row carries its id in the weekday's column,
# and the therapist kept to it (if any) in the therapist's. Typed NULLs in
# the first part: PostgreSQL would read bare ones as text. Unordered parts
# (SQLite refuses ORDER BY inside them); the whole is ordered by the rooms'
# names, as rooms are listed everywhere (names are unique at a location).
HOURS_SHIFTS_AND_ROOMS_SQL = """
SELECT 0, CAST(NULL AS integer), CAST(NULL AS date), weekday, opens, closes, CAST(NULL AS date),
       CAST(NULL AS date), CAST(NULL AS integer), CAST(NULL AS varchar(80)), CAST(NULL AS text), CAST(NULL AS boolean)
FROM salon_openinghours WHERE salon_id = %(salon)s
UNION ALL
SELECT 1, NULL, "day", NULL, opens, closes, NULL, NULL, NULL, NULL, NULL, NULL
FROM salon_specialday WHERE salon_id = %(salon)s AND "day" >= %(first_day)s AND "day" <= %(last_day)s
UNION ALL
SELECT 2, therapist_id, NULL, weekday, starts, ends, valid_from, valid_to, week_parity, NULL, NULL, NULL
FROM salon_workinghours
WHERE salon_id = %(salon)s AND therapist_id IN ({therapists})
  AND (valid_from IS NULL OR valid_from <= %(last_day)s) AND (valid_to IS NULL OR valid_to >= %(first_day)s)
{rooms}ORDER BY 10"""

# A room's fields as ROOMS_SQL reads them, in the model's order (which a test
# checks): a model instance is made faster from values in order than by name.
ROOM_FIELDS = ["id", "salon_id", "name", "equipment", "active"]
ROOMS_SQL = """UNION ALL
SELECT 3, allowed.therapist_id, NULL, room.id, NULL, NULL, NULL, NULL, NULL, room.name, room.equipment, room.active
FROM salon_room room LEFT JOIN salon_therapist_rooms allowed ON allowed.room_id = room.id
WHERE room.salon_id = %(salon)s
"""


def _hours_and_shifts(
    salon: Salon, *, therapist_ids: list[int], first_day: datetime.date, last_day: datetime.date
) -> tuple[dict[int, list[Hours]], dict[datetime.date, list[Hours]], dict[tuple[int, int], list[Shift]]]:
    """The location's weekly opening hours, its special days in the range,
    and the therapists' shifts here that apply in the range (by therapist and
    weekday, so a day looks only at its weekday's), in one query."""
    opening, special, working, _ = _hours_shifts_and_rooms(
        salon, therapist_ids=therapist_ids, first_day=first_day, last_day=last_day, with_rooms=False
    )
    return opening, special, working


def _hours_shifts_and_rooms(
    salon: Salon, *, therapist_ids: list[int], first_day: datetime.date, last_day: datetime.date, with_rooms=True
) -> tuple[
    dict[int, list[Hours]],
    dict[datetime.date, list[Hours]],
    dict[tuple[int, int], list[Shift]],
    tuple[list[Room], dict[int, frozenset[int]]],
]:
    """:func:`_hours_and_shifts` and (``with_rooms``) the location's rooms
    with the therapists kept to them (:func:`_rooms_of`) in one query
    (HOURS_SHIFTS_AND_ROOMS_SQL)."""
    params = {"salon": salon.pk, "first_day": first_day, "last_day": last_day}
    sql = HOURS_SHIFTS_AND_ROOMS_SQL.format(
        therapists=_therapists_in(therapist_ids, params), rooms=ROOMS_SQL if with_rooms else ""
    )
    with prepared_cursor(connection.alias) as cursor:  # the same few texts on every look
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        rows = _from_sqlite(rows)
    opening: dict[int, list[Hours]] = defaultdict(list)
    special: dict[datetime.date, list[Hours]] = defaultdict(list)
    working: dict[tuple[int, int], list[Shift]] = defaultdict(list)
    rooms: list[tuple[Room, int | None]] = []
    built: dict[int, Room] = {}
    alias = connection.alias
    for kind, therapist, day, number, begins, ends, valid_from, valid_to, parity, name, equipment, active in rows:
        if kind == 0:
            opening[number].append(Hours(begins, ends))
        elif kind == 1:
            special[day].append(Hours(begins, ends))
        elif kind == 2:
            working[therapist, number].append(Shift(number, begins, ends, valid_from, valid_to, parity))
        else:
            room = built.get(number)
            if room is None:  # once, however many therapists are kept to it
                room = built[number] = Room.from_db(alias, ROOM_FIELDS, (number, salon.pk, name, equipment, active))
            rooms.append((room, therapist))
    return opening, special, working, _rooms_of(rooms)


def _from_sqlite(rows: list[tuple]) -> list[tuple]:
    """Rows of HOURS_SHIFTS_AND_ROOMS_SQL with SQLite's values as Python's:
    it keeps dates and times as text and booleans as 0 and 1."""
    parsed: dict = {}

    def read(value, parse):
        if not isinstance(value, str):
            return value
        if value not in parsed:
            parsed[value] = parse(value)
        return parsed[value]

    date, time = datetime.date.fromisoformat, datetime.time.fromisoformat
    return [
        (kind, therapist, read(day, date), number, read(begins, time), read(ends, time), read(valid_from, date),
         read(valid_to, date), parity, name, equipment, None if active is None else bool(active))
        for kind, therapist, day, number, begins, ends, valid_from, valid_to, parity, name, equipment, active in rows
    ]  # fmt: skip


# The business's active therapists assigned to the location (as
# :func:`therapists_at`), each with her user's language (a booking writes its
# plan in the placed therapist's: no query for it), by name; ``{columns}``
# are the therapist's, ``{only}`` the conditions a question adds (QUALIFIED,
# ONE_THERAPIST).
THERAPISTS_SQL = """
SELECT DISTINCT {columns}, person.language
FROM salon_therapist therapist JOIN salon_user person ON person.id = therapist.user_id
LEFT JOIN salon_user_locations granted ON granted.user_id = person.id
WHERE therapist.active AND therapist.business_id = %(business)s
  AND (person.all_locations OR person.is_superuser OR granted.salon_id = %(salon)s){only}
ORDER BY therapist.display_name, therapist.id"""
QUALIFIED = {
    "therapeutic": "\n  AND therapist.qualified_therapeutic",
    "pregnancy": "\n  AND therapist.qualified_pregnancy",
}
ONE_THERAPIST = "\n  AND therapist.id = %(therapist)s"


def _therapists(*, salon: Salon, qualification: str, therapist_id: int | None) -> list[Therapist]:
    fields = Therapist._meta.concrete_fields
    only = QUALIFIED.get(qualification, "") + (ONE_THERAPIST if therapist_id is not None else "")
    sql = THERAPISTS_SQL.format(columns=", ".join(f"therapist.{field.column}" for field in fields), only=only)
    with prepared_cursor(connection.alias) as cursor:  # as the busy times
        cursor.execute(sql, {"business": salon.business_id, "salon": salon.pk, "therapist": therapist_id})
        rows = cursor.fetchall()
    names = [field.attname for field in fields]
    booleans = [index for index, field in enumerate(fields) if field.get_internal_type() == "BooleanField"]
    therapists = []
    for *values, language in rows:
        for index in booleans:  # SQLite keeps booleans as 0 and 1
            values[index] = bool(values[index])
        therapist = Therapist.from_db(connection.alias, names, values)
        therapist.language = language
        therapists.append(therapist)
    return therapists


# Time off (a therapist's, or a room's here) and the times held for someone
# confirming an online booking (busy like a booking until confirmed or run
# out), as (kind, therapist, room, location, starts, ends) in epoch minutes:
# kind 0 for time off, 1 for a hold (or a booking, BOOKINGS_SQL). Holds and
# bookings reach as far as the travel time: a session elsewhere that ends
# that long before the range still keeps the therapist from its first minutes.
TIME_OFF_AND_HOLDS_SQL = """
SELECT 0 AS kind, away.therapist_id AS therapist, away.room_id AS room, CAST(NULL AS integer) AS location,
       {away_start} AS starts, {away_end} AS ends
FROM salon_timeoff away LEFT JOIN salon_room room ON room.id = away.room_id
WHERE away.status = %(approved)s AND away.start < %(until)s AND away."end" > %(since)s
  AND (away.therapist_id IN ({therapists}) OR room.salon_id = %(salon)s)
UNION ALL
SELECT 1, hold.therapist_id, hold.room_id, hold.salon_id, {hold_start}, {hold_end}
FROM treatments_bookinghold hold
WHERE hold.status = %(held)s AND hold.expires_at > %(now)s
  AND hold.start < %(reach_until)s AND hold.busy_until > %(reach_since)s
  AND (hold.salon_id = %(salon)s OR hold.therapist_id IN ({therapists}))"""

# The bookings that keep their therapist and room busy, here and the
# therapists' elsewhere, but the one being moved (0: none is).
BOOKINGS_SQL = """
SELECT 1, booking.therapist_id, booking.room_id, room.salon_id, {booking_start}, {booking_end}
FROM treatments_appointment booking JOIN salon_room room ON room.id = booking.room_id
WHERE booking.status IN ({holds_time}) AND booking.id <> %(moved)s
  AND booking.start < %(reach_until)s AND booking.busy_until > %(reach_since)s
  AND (room.salon_id = %(salon)s OR booking.therapist_id IN ({therapists}))"""

# Those rows gathered, one for each (kind, therapist, room, location), with
# its starts and its ends as two lists in step (each row goes to both
# aggregates in turn), in no order: a month of bookings is thousands of rows,
# which the database driver and a loop over them take several times longer to
# read than the hundred or so lists (on SQLite, text: "start,start,…").
BUSY_BY_OWNER_SQL = """
SELECT kind, therapist, room, location, {times}
FROM ({busy}
) busy
GROUP BY kind, therapist, room, location"""
TIMES_SQL = {
    "postgresql": "array_agg(starts), array_agg(ends)",
    "sqlite": "group_concat(starts), group_concat(ends)",
}


def _intervals(starts: list[int] | str, ends: list[int] | str, *, widened_by: int = 0) -> list[Interval]:
    """The intervals of a row of BUSY_BY_OWNER_SQL, ``widened_by`` minutes on
    both sides (made in one step: a month of sessions elsewhere is thousands)."""
    if isinstance(starts, str):
        starts, ends = map(int, starts.split(",")), map(int, ends.split(","))
    if widened_by:
        starts, ends = map(sub, starts, repeat(widened_by)), map(add, ends, repeat(widened_by))
    return list(zip(starts, ends, strict=True))


def _in_list(name: str, values, params: dict) -> str:
    """Placeholders for ``values`` in an IN list, each added to ``params``
    (NULL for none, which matches nothing)."""
    names = [f"{name}_{index}" for index in range(len(values))]
    params.update(zip(names, values, strict=True))
    return ", ".join(f"%({each})s" for each in names) or "NULL"


def _therapists_in(therapist_ids: list[int], params: dict) -> str:
    """What goes in ``IN (…)`` for the therapists (``{therapists}`` in
    availability's queries). On PostgreSQL one array, unnested: the database
    hashes it once, where a list of parameters (in a prepared statement's
    generic plan) is built and searched again for each of thousands of
    bookings; and the text is the same for any number of therapists."""
    if connection.vendor == "postgresql":
        params["therapists"] = therapist_ids
        return "SELECT unnest(CAST(%(therapists)s AS bigint[]))"
    return _in_list("therapist", therapist_ids, params)


def _epoch_minutes(**columns: str) -> dict[str, str]:
    """Each column's epoch minutes, as this database computes them."""
    template = EPOCH_MINUTES_SQL[connection.vendor]
    return {name: template.format(column) for name, column in columns.items()}


def _busy(
    *,
    salon: Salon,
    therapist_ids: list[int],
    since,
    until,
    exclude_appointment: int | None,
    appointments: list | None,
    appointments_of: int | None = None,
) -> tuple[dict[int, list[Interval]], ...]:
    """Time off and bookings as epoch minutes (computed in SQL): therapists
    away, therapists booked here, rooms away, rooms booked, and the
    therapists' sessions at other locations widened by the business's travel
    time. One query (time off, the times held for online bookings and the
    bookings, told apart by the first column); two when ``appointments`` is a
    list, which the whole rows of the bookings here go into (those elsewhere
    only keep their therapist busy: the first query reads them), only those
    of the therapist ``appointments_of`` when it is given."""
    from sessions.models import Appointment, BookingHold

    travel = salon.business.travel_minutes
    elsewhere: dict[int, list[Interval]] = defaultdict(list)
    therapist_away: dict[int, list[Interval]] = defaultdict(list)
    therapist_booked: dict[int, list[Interval]] = defaultdict(list)
    room_away: dict[int, list[Interval]] = defaultdict(list)
    room_booked: dict[int, list[Interval]] = defaultdict(list)
    reach = datetime.timedelta(minutes=travel)
    moment = connection.ops.adapt_datetimefield_value  # as the database keeps times (naive UTC text on SQLite)
    params = {
        "salon": salon.pk,
        "approved": TimeOff.Status.APPROVED,
        "held": BookingHold.Status.HELD,
        "now": moment(timezone.now()),
        "since": moment(since),
        "until": moment(until),
        "reach_since": moment(since - reach),
        "reach_until": moment(until + reach),
        "moved": exclude_appointment or 0,
        "shown": appointments_of,
    }
    therapists = _therapists_in(therapist_ids, params)
    sql = TIME_OFF_AND_HOLDS_SQL
    if appointments is None:
        # Who is busy when is all that is needed of the bookings: in the same query.
        sql += "\nUNION ALL" + BOOKINGS_SQL
    else:  # only the bookings shown are read as rows; the others, here or elsewhere, as times
        others = "booking.therapist_id <> %(shown)s" if appointments_of is not None else "FALSE"
        sql += "\nUNION ALL" + BOOKINGS_SQL + f"\n  AND (room.salon_id <> %(salon)s OR {others})"
    sql = BUSY_BY_OWNER_SQL.format(busy=sql, times=TIMES_SQL[connection.vendor]).format(
        therapists=therapists,
        # Constants in the text, not parameters: PostgreSQL folds them into one list once.
        holds_time=", ".join(f"'{status}'" for status in Appointment.HOLDS_TIME),
        **_epoch_minutes(
            away_start="away.start", away_end='away."end"', hold_start="hold.start", hold_end="hold.busy_until",
            booking_start="booking.start", booking_end="booking.busy_until",
        ),
    )  # fmt: skip
    here = salon.pk
    # The same few texts on every look; thousands of numbers, read in binary.
    with prepared_cursor(connection.alias, binary=True) as cursor:
        cursor.execute(sql, params)
        # Sessions elsewhere keep their therapist busy for the travel time on both sides.
        owners = [
            (kind, therapist, room, place, _intervals(starts, ends, widened_by=travel if kind and place != here else 0))
            for kind, therapist, room, place, starts, ends in cursor.fetchall()
        ]
    if appointments is not None:
        bookings = Appointment.objects.filter(room__salon=salon, start__lt=until + reach, busy_until__gt=since - reach)
        if exclude_appointment:
            bookings = bookings.exclude(pk=exclude_appointment)
        if appointments_of is not None:
            bookings = bookings.filter(therapist_id=appointments_of)
        bookings = bookings.annotate(start_minute=EpochMinutes("start"), end_minute=EpochMinutes("busy_until"))
        whole = bookings.exclude(status=Appointment.Status.CANCELLED).select_related(
            "client__business", "routine", "room", "therapist"
        )
        whole = list(whole.order_by("start", "pk"))
        appointments.extend(whole)
        holds_time = set(Appointment.HOLDS_TIME)
        owners += [
            (1, item.therapist_id, item.room_id, here, [(item.start_minute, item.end_minute)])
            for item in whole
            if item.status in holds_time
        ]
    for kind, therapist, room, location, intervals in owners:
        if kind == 0:
            if therapist:
                therapist_away[therapist] += intervals
            else:
                room_away[room] += intervals
        elif location == here:  # holds and bookings
            therapist_booked[therapist] += intervals
            room_booked[room] += intervals
        else:  # widened already
            elsewhere[therapist] += intervals
    return therapist_away, therapist_booked, room_away, room_booked, elsewhere
