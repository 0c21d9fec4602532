"""The front desk's grids as plain data for the template: a day by therapist,
a day by room, or one therapist's week; rows on the salon's time grid.

Each cell says what a receptionist needs to know before clicking it: a
booking, a start where the chosen service fits, or why it does not fit there
(busy from …, off duty, no room free), or that the time has passed. Rows are
wall-clock times, so a week's rows line up across a daylight-saving change.
"""

import datetime
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise, repeat

from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from clients.selectors import client_outcomes, outcome_flags
from routines.selectors import routine_spec
from routines.specs import RoutineSpec
from salon.compiled import CompiledQuery
from salon.models import Room, Salon, Therapist
from sessions.availability import (
    BookingTerms,
    Calendar,
    Interval,
    booking_terms,
    fits,
    from_minutes,
    local_instant,
    subtract,
    to_minutes,
)
from sessions.models import Appointment
from sessions.selectors import booking_flags
from sessions.services.placement import qualified

VIEWS = {
    "therapists": gettext_lazy("Day by therapist"),
    "rooms": gettext_lazy("Day by room"),
    "week": gettext_lazy("Week of one therapist"),
}


@dataclass
class Booking:
    appointment: Appointment
    flags: list[dict]


@dataclass(slots=True)
class Cell:
    # Slots, and made with positional arguments: a day of 20 therapists is about a thousand cells.
    kind: str  # "booking", "fits", "unfit", "past", "off", "away", "elsewhere", "closed"
    start: datetime.datetime  # local
    column: int
    span: int = 1
    reason: str = ""
    past: bool = False
    repeat: bool = False  # says what the cell above says (shown once, read to screen readers each time)
    bookings: Sequence[Booking] = ()  # a booking cell's list; none for the others
    therapist: Therapist | None = None
    room: Room | None = None


@dataclass
class Column:
    heading: str
    day: datetime.date
    therapist: Therapist | None = None
    room: Room | None = None


@dataclass
class Row:
    label: str
    cells: list[Cell]  # the cells that begin in this row (a booking's cell spans the rows below it)
    now: bool = False
    past: bool = False


@dataclass
class DeskGrid:
    view: str
    day: datetime.date
    today: datetime.date
    columns: list[Column]
    rows: list[Row]
    therapists: list[Therapist]
    rooms: list[Room]
    therapist: Therapist | None = None  # the week view's

    @property
    def step(self) -> datetime.timedelta:
        return datetime.timedelta(days=7 if self.view == "week" else 1)

    @property
    def previous(self) -> datetime.date:
        return self.day - self.step

    @property
    def next(self) -> datetime.date:
        return self.day + self.step

    @property
    def therapist_query(self) -> str:
        """The week's therapist as the end of a link's query ("" in the day views)."""
        return f"&therapist={self.therapist.pk}" if self.therapist else ""

    @property
    def appointments(self) -> list[Appointment]:
        return [booking.appointment for row in self.rows for cell in row.cells for booking in cell.bookings]


@dataclass(frozen=True)
class Wanted:
    """The booking the grid is marking starts for: the service chosen (or the
    default one), its length, and the rules for starts."""

    spec: RoutineSpec
    terms: BookingTerms
    now: datetime.datetime

    @classmethod
    def of(cls, *, routine, salon: Salon, minutes: int | None = None, entry=None, now=None) -> "Wanted":
        """``entry``: the routine's menu entry when the caller has read it."""
        spec = routine_spec(routine)
        terms = booking_terms(spec, salon, minutes=minutes, entry=entry)
        return cls(spec, terms, now or timezone.now())


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def desk_grid(
    *,
    salon: Salon,
    day: datetime.date,
    view: str,
    wanted: Wanted,
    today: datetime.date,
    therapist_id: int | None = None,
) -> DeskGrid:
    """Everything a grid shows, from a fixed number of queries: the
    calendar's, the appointments', and the clients' screenings'."""
    if view == "week":
        first = week_start(day)
        days = [first + datetime.timedelta(days=offset) for offset in range(7)]
    else:
        days = [day]

    def shown(therapists: list[Therapist]) -> Therapist | None:
        """The week's therapist: the one asked for, else the first."""
        return next((t for t in therapists if t.pk == therapist_id), therapists[0] if therapists else None)

    calendar = Calendar.load(salon=salon, first_day=days[0], last_day=days[-1])
    therapist = None
    if view == "week":
        therapist = shown(calendar.therapists)
        day = days[0]
    grid = DeskGrid(view, day, today, [], [], calendar.therapists, calendar.rooms, therapist)
    walls = _wall_rows(calendar, days, salon.slot_minutes)
    if not walls:
        return grid
    no_one = view == "week" and therapist is None  # a week of no one: its rows, without columns
    appointments = [] if no_one else _shown_appointments(salon, calendar.zone, days, therapist)
    outcomes = client_outcomes(
        list({appointment.client_id: appointment.client for appointment in appointments}.values())
    )
    by_lane: dict[tuple[int, datetime.date], list[Booking]] = {}  # by therapist (room in the room view) and day
    for appointment in appointments:
        booking = Booking(appointment, outcome_flags(outcomes[appointment.client_id]) + booking_flags(appointment))
        lane = appointment.room_id if view == "rooms" else appointment.therapist_id
        by_lane.setdefault((lane, appointment.day), []).append(booking)
    day_facts = {one: _DayFacts(calendar, one, wanted) for one in days}

    lanes = []
    if view == "rooms":
        for room in calendar.rooms:
            column = Column(room.name, day, room=room)
            lanes.append((column, by_lane.get((room.pk, day), []), day_facts[day].room_cell(room)))
    elif view == "week":
        for one in days if therapist is not None else ():
            heading = date_format(one, pgettext("date format: short weekday and date", "D j M"))
            column = Column(heading, one, therapist=therapist)
            lanes.append((column, by_lane.get((therapist.pk, one), []), day_facts[one].therapist_cell(therapist)))
    else:
        for one_therapist in calendar.therapists:
            column = Column(one_therapist.display_name, day, therapist=one_therapist)
            mine = by_lane.get((one_therapist.pk, day), [])
            lanes.append((column, mine, day_facts[day].therapist_cell(one_therapist)))
    grid.columns = [column for column, _, _ in lanes]
    grid.rows = _rows(calendar, walls, lanes, wanted, salon.slot_minutes)
    return grid


def _shown_appointments(
    salon: Salon, zone, days: list[datetime.date], therapist: Therapist | None
) -> list[Appointment]:
    """The bookings that start on the days shown (only the therapist's when
    given), every status but cancelled, with only the columns the grid shows
    of them and their client, routine, room and therapist: the calendar has
    read when each of them keeps whom busy. Each knows its local ``day``."""
    since = local_instant(days[0], datetime.time(0), zone)
    until = local_instant(days[-1] + datetime.timedelta(days=1), datetime.time(0), zone)
    if connection.vendor == "postgresql":  # which takes the times as they are; SQLite's are text
        if therapist is None:
            appointments = _SHOWN.objects(salon=salon.pk, since=since, until=until)
        else:
            appointments = _SHOWN_OF.objects(salon=salon.pk, since=since, until=until, therapist=therapist.pk)
    else:
        appointments = list(_shown(salon.pk, since, until, therapist.pk if therapist else None))
    business = salon.business
    for appointment in appointments:
        appointment.day = appointment.start.astimezone(zone).date()
        client = appointment.client
        if client.business_id == business.pk:  # its screening's rules are the business's: not read again
            client.business = business
    return appointments


def _shown(salon: int, since: datetime.datetime, until: datetime.datetime, therapist: int | None = None):
    rows = Appointment.objects.filter(room__salon_id=salon, start__gte=since, start__lt=until)
    if therapist is not None:
        rows = rows.filter(therapist_id=therapist)
    rows = rows.exclude(status=Appointment.Status.CANCELLED).select_related("client", "routine", "room", "therapist")
    # What the grid's booking cells, the clients' flags and the tests read of a booking.
    return rows.only(
        "start", "end", "busy_until", "status", "origin", "plan_problem",
        "client__business_id", "client__given_name", "client__family_name",
        "routine__name", "room__name", "therapist__display_name",
    ).order_by("start", "pk")  # fmt: skip


# Compiled once: building the query cost more than reading the rows. The
# markers are no location's or therapist's id (each its own: a marker is
# found by its value) and times before any booking.
_NO_TIME = datetime.datetime(1901, 1, 1, tzinfo=datetime.UTC)
_SHOWN = CompiledQuery(_shown, salon=-1, since=_NO_TIME, until=_NO_TIME + datetime.timedelta(days=1))
_SHOWN_OF = CompiledQuery(_shown, salon=-1, since=_NO_TIME, until=_NO_TIME + datetime.timedelta(days=1), therapist=-2)


def _wall_rows(calendar: Calendar, days, step: int) -> list[datetime.time]:
    """The wall-clock times of the rows: from the earliest opening to the
    latest closing over the days shown, on the grid."""
    first, last = None, None
    for day in days:
        for start, end in calendar.open_intervals(day):
            opens = from_minutes(start).astimezone(calendar.zone)
            closes = from_minutes(end).astimezone(calendar.zone)
            opens_at = opens.hour * 60 + opens.minute
            closes_at = 24 * 60 if closes.date() > day else closes.hour * 60 + closes.minute
            first = opens_at if first is None else min(first, opens_at)
            last = closes_at if last is None else max(last, closes_at)
    if first is None:
        return []
    first -= first % step
    return [datetime.time(minute // 60, minute % 60) for minute in range(first, last, step)]


def _paint(said: list, minutes: list[int], intervals: list[Interval], what: tuple[str, str]) -> None:
    """Say ``what`` of the rows (``minutes``, in order) that fall in ``intervals``."""
    for start, end in intervals:
        first, last = bisect_left(minutes, start), bisect_left(minutes, end)
        said[first:last] = repeat(what, last - first)


def _paint_outside(said: list, minutes: list[int], intervals: list[Interval], what: tuple[str, str]) -> None:
    """Say ``what`` of the rows that fall in none of the sorted, disjoint ``intervals``."""
    before = 0
    for start, end in intervals:
        first = bisect_left(minutes, start)
        if first > before:
            said[before:first] = repeat(what, first - before)
        before = max(before, bisect_left(minutes, end))
    if before < len(minutes):
        said[before:] = repeat(what, len(minutes) - before)


def _in_minute_order(classify):
    """``classify`` asked of the rows in order of their minutes, its answers
    given back row by row. The rows come in order but on the day the clocks
    go forward, when those of the missing hour fall on the instants of the
    hour after; painting stretches by bisection needs them in order."""

    def classified(minutes: list[int]) -> list[tuple[str, str]]:
        if all(earlier <= later for earlier, later in pairwise(minutes)):
            return classify(minutes)
        order = sorted(range(len(minutes)), key=minutes.__getitem__)
        said = classify([minutes[index] for index in order])
        rows: list = [None] * len(minutes)
        for index, what in zip(order, said, strict=True):
            rows[index] = what
        return rows

    return classified


_LATEST = float("inf")


def _starts_at(intervals: list[Interval], minute: int) -> bool:
    index = bisect_right(intervals, (minute, _LATEST)) - 1
    return index >= 0 and intervals[index][0] == minute


def _free_until(intervals: list[Interval], minute: int) -> int | None:
    index = bisect_right(intervals, (minute, _LATEST)) - 1
    if index >= 0 and intervals[index][0] <= minute < intervals[index][1]:
        return intervals[index][1]
    return None


class _DayFacts:
    """One day's intervals, worked out once for every lane of the day; what
    does not depend on the lane (whether the rooms or the therapists are
    free from a start, a time's wording) is remembered for the others."""

    def __init__(self, calendar: Calendar, day: datetime.date, wanted: Wanted):
        self.calendar, self.day, self.wanted = calendar, day, wanted
        self.zone = calendar.zone
        salon = calendar.salon
        self.open = calendar.open_intervals(day)
        self.now = to_minutes(wanted.now)
        self.earliest = to_minutes(wanted.now + datetime.timedelta(minutes=salon.min_notice_minutes))
        self.latest = to_minutes(wanted.now + datetime.timedelta(days=salon.booking_horizon_days))
        self.notice = salon.min_notice_minutes
        self.length = wanted.terms.slot_minutes
        self.rooms_free = {
            room.pk: subtract(calendar.room_in_use(room, day), calendar.room_booked.get(room.pk, []))
            for room in calendar.rooms
        }
        self._therapists_free: dict[int, list[Interval]] | None = None
        self._someone_free: dict[tuple[int, ...], dict[int, bool]] = {}  # by therapists, then minute
        # By the rooms a therapist is allowed: their free times, and whether one is free from a minute.
        self._room_free: dict[frozenset[int] | None, tuple[list[list[Interval]], dict[int, bool]]] = {}
        self._clocks: dict[int, str] = {}
        # Worded once for the day, not once a cell (a day of 20 therapists is about a thousand).
        notice = ngettext("Needs %(minutes)s minute's notice", "Needs %(minutes)s minutes' notice", self.notice)
        self.said = {
            "closed": ("closed", gettext("Closed")),
            "time_off": ("away", gettext("Time off")),
            "off_duty": ("off", gettext("Off duty")),
            "elsewhere": ("elsewhere", gettext("At another location")),
            "busy": ("unfit", gettext("Busy")),
            "unqualified": ("unfit", gettext("Not qualified for %(routine)s") % {"routine": wanted.spec.name}),
            "no_room": ("unfit", gettext("No room free")),
            "out_of_use": ("away", gettext("Out of use")),
            "no_therapist": ("unfit", gettext("No therapist free")),
            "fits": ("fits", ""),
            "past": ("past", ""),
            "notice": ("unfit", notice % {"minutes": self.notice}),
            "too_far": ("unfit", gettext("Beyond how far ahead bookings open")),
        }
        self.words_until = {
            "elsewhere": gettext("At another location from %(time)s"),
            "busy": gettext("Busy from %(time)s"),
            "time_off": gettext("Time off from %(time)s"),
            "closes": gettext("Closes at %(time)s"),
            "off_duty": gettext("Off duty from %(time)s"),
            "out_of_use": gettext("Out of use from %(time)s"),
        }

    def clock(self, minute: int) -> str:
        found = self._clocks.get(minute)
        if found is None:
            found = self._clocks[minute] = from_minutes(minute).astimezone(self.zone).strftime("%H:%M")
        return found

    def _until(self, reason: str, minute: int) -> tuple[str, str]:
        return "unfit", self.words_until[reason] % {"time": self.clock(minute)}

    def _timing(self, minute: int) -> tuple[str, str] | None:
        """Why a start cannot be booked whoever and wherever: passed, too
        soon, too far ahead."""
        if minute < self.now:
            return self.said["past"]
        if minute < self.earliest:
            return self.said["notice"]
        if minute > self.latest:
            return self.said["too_far"]
        return None

    def therapist_free(self, therapist: Therapist) -> list[Interval]:
        return subtract(
            self.calendar.therapist_on_duty(therapist, self.day), self.calendar.therapist_booked.get(therapist.pk, [])
        )

    def therapist_cell(self, therapist: Therapist):
        calendar = self.calendar
        working = calendar.working_intervals(therapist, self.day)
        away = calendar.therapist_away.get(therapist.pk, [])
        elsewhere = calendar.therapist_elsewhere.get(therapist.pk, [])
        booked = calendar.therapist_booked.get(therapist.pk, [])
        free = self.therapist_free(therapist)
        allowed = calendar.rooms_allowed.get(therapist.pk)
        # Whether a room she may work in is free from a minute: the same for everyone allowed the same rooms.
        if allowed not in self._room_free:
            rooms = [free_room for pk, free_room in self.rooms_free.items() if allowed is None or pk in allowed]
            self._room_free[allowed] = (rooms, {})
        rooms, a_room_free = self._room_free[allowed]
        able = qualified(therapist, self.wanted.spec.qualification)
        said, opening, length, timing = self.said, self.open, self.length, self._timing

        def rest(minute: int) -> tuple[str, str]:
            """A row in working hours, neither away nor booked."""
            too_late = timing(minute)
            if too_late:
                return too_late
            if not able:
                return said["unqualified"]
            end = minute + length
            if fits(free, minute, end):
                found = a_room_free.get(minute)
                if found is None:
                    found = a_room_free[minute] = any(fits(room_free, minute, end) for room_free in rooms)
                return said["fits"] if found else said["no_room"]
            until = _free_until(free, minute)
            if until is None:
                return said["busy"]
            if _starts_at(elsewhere, until):
                return self._until("elsewhere", until)
            if _starts_at(booked, until):
                return self._until("busy", until)
            if _starts_at(away, until):
                return self._until("time_off", until)
            if any(end_ == until for _, end_ in opening):
                return self._until("closes", until)
            return self._until("off_duty", until)

        def classify(minutes: list[int]) -> list[tuple[str, str]]:
            """What each row says: the stretches closed, away, off duty,
            elsewhere or busy are marked in a few steps (the first that
            applies wins: the later mark), the other rows one by one."""
            rows: list = [None] * len(minutes)
            _paint(rows, minutes, booked, said["busy"])
            _paint(rows, minutes, elsewhere, said["elsewhere"])
            _paint_outside(rows, minutes, working, said["off_duty"])
            _paint(rows, minutes, away, said["time_off"])
            _paint_outside(rows, minutes, opening, said["closed"])
            return [row or rest(minute) for row, minute in zip(rows, minutes, strict=True)]

        return _in_minute_order(classify)

    def room_cell(self, room: Room):
        calendar = self.calendar
        away = calendar.room_away.get(room.pk, [])
        booked = calendar.room_booked.get(room.pk, [])
        free = self.rooms_free[room.pk]
        if self._therapists_free is None:
            self._therapists_free = {
                therapist.pk: self.therapist_free(therapist)
                for therapist in calendar.therapists
                if qualified(therapist, self.wanted.spec.qualification)
            }
        may_work_here = tuple(
            pk
            for pk in self._therapists_free
            if calendar.rooms_allowed.get(pk) is None or room.pk in calendar.rooms_allowed[pk]
        )
        # Whether one of them is free from a minute, for every room they may all work in: worked out once.
        someone_free = self._someone_free.setdefault(may_work_here, {})
        their_free = [self._therapists_free[pk] for pk in may_work_here]
        said, opening, length, timing = self.said, self.open, self.length, self._timing

        def rest(minute: int) -> tuple[str, str]:
            """A row the room is in use, not booked."""
            too_late = timing(minute)
            if too_late:
                return too_late
            end = minute + length
            if fits(free, minute, end):
                found = someone_free.get(minute)
                if found is None:
                    found = someone_free[minute] = any(
                        fits(therapist_free, minute, end) for therapist_free in their_free
                    )
                return said["fits"] if found else said["no_therapist"]
            until = _free_until(free, minute)
            if until is None:
                return said["busy"]
            if _starts_at(booked, until):
                return self._until("busy", until)
            if _starts_at(away, until):
                return self._until("out_of_use", until)
            return self._until("closes", until)

        def classify(minutes: list[int]) -> list[tuple[str, str]]:
            """As a therapist's (closed, out of use, busy, then the rest)."""
            rows: list = [None] * len(minutes)
            _paint(rows, minutes, booked, said["busy"])
            _paint(rows, minutes, away, said["out_of_use"])
            _paint_outside(rows, minutes, opening, said["closed"])
            return [row or rest(minute) for row, minute in zip(rows, minutes, strict=True)]

        return _in_minute_order(classify)


def _rows(calendar: Calendar, walls: list[datetime.time], lanes, wanted: Wanted, step: int) -> list[Row]:
    """The rows with their cells, lane by lane: a booking's cell spans the
    rows it holds (with its turnover); the rest are classified one by one.
    Lanes go left to right, so each row's cells come in the columns' order."""
    zone, now = calendar.zone, wanted.now
    rows = [Row(label=wall.strftime("%H:%M"), cells=[]) for wall in walls]
    cells_of_row = [row.cells for row in rows]
    first_wall = walls[0].hour * 60 + walls[0].minute

    def row_of(moment: datetime.datetime, day: datetime.date, *, rounding_up: bool = False) -> int:
        local = moment.astimezone(zone)
        minutes = (local.date() - day).days * 24 * 60 + local.hour * 60 + local.minute - first_wall
        index = -(-minutes // step) if rounding_up else minutes // step
        return max(0, min(index, len(walls)))

    times: dict[datetime.date, list[tuple[datetime.datetime, int, bool]]] = {}  # the rows' instants, once a day
    minutes_of: dict[datetime.date, list[int]] = {}
    passed_before = to_minutes(now) - step
    for column, _, _ in lanes:
        if column.day not in times:
            instants = [local_instant(column.day, wall, zone) for wall in walls]
            times[column.day] = [
                (instant.astimezone(zone), minute, minute <= passed_before)
                for instant, minute in ((instant, to_minutes(instant)) for instant in instants)
            ]
            minutes_of[column.day] = [minute for _, minute, _ in times[column.day]]
    for number, (column, bookings, classify) in enumerate(lanes):
        therapist, room = column.therapist, column.room
        block, block_row, covered_until, above = None, 0, 0, None
        by_row: dict[int, list[Booking]] = {}
        for booking in bookings:
            by_row.setdefault(min(row_of(booking.appointment.start, column.day), len(walls) - 1), []).append(booking)
        lane_says = classify(minutes_of[column.day])
        for index, (local, _, passed) in enumerate(times[column.day]):
            for booking in by_row.get(index, ()) if by_row else ():
                end_row = max(index + 1, row_of(booking.appointment.busy_until, column.day, rounding_up=True))
                if block is not None and index < covered_until:
                    # It starts under the booking before (off the grid): one cell holds both.
                    block.bookings.append(booking)
                    block.span = max(block.span, end_row - block_row)
                else:
                    block = Cell(
                        "booking", local, number, end_row - index, "", passed, False, [booking], therapist, room
                    )
                    block_row = index
                    cells_of_row[index].append(block)
                covered_until = max(covered_until, end_row)
            if index < covered_until:
                above = None
                continue
            said = lane_says[index]
            cells_of_row[index].append(
                Cell(said[0], local, number, 1, said[1], passed, said == above, (), therapist, room)
            )
            above = said
    local_now = now.astimezone(zone)
    now_minute = local_now.hour * 60 + local_now.minute
    shows_today = any(column.day == local_now.date() for column, _, _ in lanes)
    for row, wall in zip(rows, walls, strict=True):
        row.past = bool(row.cells) and all(cell.past for cell in row.cells)
        start = wall.hour * 60 + wall.minute
        row.now = shows_today and start <= now_minute < start + step
    return rows
