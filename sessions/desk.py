"""The front desk's grids as plain data for the template: a day by therapist,
a day by room, or one therapist's week; rows on the salon's time grid.

Each cell says what a receptionist needs to know before clicking it: a
booking, a start where the chosen service fits, or why it does not fit there
(busy from …, off duty, no room free), or that the time has passed. Rows are
wall-clock times, so a week's rows line up across a daylight-saving change.
"""

import datetime
from bisect import bisect_right
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from clients.selectors import client_outcomes, outcome_flags
from routines.selectors import routine_spec
from routines.specs import RoutineSpec
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


@dataclass
class Cell:
    kind: str  # "booking", "fits", "unfit", "past", "off", "away", "elsewhere", "closed"
    start: datetime.datetime  # local
    column: int
    span: int = 1
    reason: str = ""
    past: bool = False
    repeat: bool = False  # says what the cell above says (shown once, read to screen readers each time)
    bookings: list[Booking] = field(default_factory=list)
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

    appointments: list[Appointment] = []
    calendar = Calendar.load(
        salon=salon, first_day=days[0], last_day=days[-1], appointments=appointments,
        appointments_of=shown if view == "week" else None,  # only hers are shown
    )  # fmt: skip
    therapist = None
    if view == "week":
        therapist = shown(calendar.therapists)
        day = days[0]
    grid = DeskGrid(view, day, today, [], [], calendar.therapists, calendar.rooms, therapist)
    walls = _wall_rows(calendar, days, salon.slot_minutes)
    if not walls:
        return grid
    for appointment in appointments:
        appointment.day = appointment.start.astimezone(calendar.zone).date()
    appointments = [appointment for appointment in appointments if appointment.day in days]
    outcomes = client_outcomes(
        list({appointment.client_id: appointment.client for appointment in appointments}.values())
    )
    bookings = [
        Booking(appointment, outcome_flags(outcomes[appointment.client_id]) + booking_flags(appointment))
        for appointment in appointments
    ]
    day_facts = {one: _DayFacts(calendar, one, wanted) for one in days}

    lanes = []
    if view == "rooms":
        for room in calendar.rooms:
            column = Column(room.name, day, room=room)
            mine = [b for b in bookings if b.appointment.room_id == room.pk and b.appointment.day == day]
            lanes.append((column, mine, day_facts[day].room_cell(room)))
    elif view == "week":
        if therapist is not None:
            for one in days:
                heading = date_format(one, pgettext("date format: short weekday and date", "D j M"))
                column = Column(heading, one, therapist=therapist)
                mine = [b for b in bookings if b.appointment.therapist_id == therapist.pk and b.appointment.day == one]
                lanes.append((column, mine, day_facts[one].therapist_cell(therapist)))
    else:
        for one_therapist in calendar.therapists:
            column = Column(one_therapist.display_name, day, therapist=one_therapist)
            mine = [b for b in bookings if b.appointment.therapist_id == one_therapist.pk and b.appointment.day == day]
            lanes.append((column, mine, day_facts[day].therapist_cell(one_therapist)))
    grid.columns = [column for column, _, _ in lanes]
    grid.rows = _rows(calendar, walls, lanes, wanted, salon.slot_minutes)
    return grid


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


def _inside(intervals: list[Interval], minute: int) -> bool:
    return fits(intervals, minute, minute + 1)


def _starts_at(intervals: list[Interval], minute: int) -> bool:
    index = bisect_right(intervals, (minute, float("inf"))) - 1
    return index >= 0 and intervals[index][0] == minute


def _free_until(intervals: list[Interval], minute: int) -> int | None:
    index = bisect_right(intervals, (minute, float("inf"))) - 1
    if index >= 0 and intervals[index][0] <= minute < intervals[index][1]:
        return intervals[index][1]
    return None


class _DayFacts:
    """One day's intervals, worked out once for every lane of the day."""

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
        # Worded once for the day, not once a cell (a day of 20 therapists is about a thousand).
        self.words = {
            "closed": gettext("Closed"),
            "time_off": gettext("Time off"),
            "off_duty": gettext("Off duty"),
            "elsewhere": gettext("At another location"),
            "busy": gettext("Busy"),
            "unqualified": gettext("Not qualified for %(routine)s") % {"routine": wanted.spec.name},
            "no_room": gettext("No room free"),
            "out_of_use": gettext("Out of use"),
            "no_therapist": gettext("No therapist free"),
            "notice": ngettext("Needs %(minutes)s minute's notice", "Needs %(minutes)s minutes' notice", self.notice)
            % {"minutes": self.notice},
            "too_far": gettext("Beyond how far ahead bookings open"),
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
        return from_minutes(minute).astimezone(self.zone).strftime("%H:%M")

    def _timing(self, minute: int) -> tuple[str, str] | None:
        """Why a start cannot be booked whoever and wherever: passed, too
        soon, too far ahead."""
        if minute < self.now:
            return "past", ""
        if minute < self.earliest:
            return "unfit", self.words["notice"]
        if minute > self.latest:
            return "unfit", self.words["too_far"]
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
        rooms = [free_room for pk, free_room in self.rooms_free.items() if allowed is None or pk in allowed]
        able = qualified(therapist, self.wanted.spec.qualification)
        words, until_words = self.words, self.words_until

        def classify(minute: int) -> tuple[str, str]:
            if not _inside(self.open, minute):
                return "closed", words["closed"]
            if _inside(away, minute):
                return "away", words["time_off"]
            if not _inside(working, minute):
                return "off", words["off_duty"]
            if _inside(elsewhere, minute):
                return "elsewhere", words["elsewhere"]
            if _inside(booked, minute):
                return "unfit", words["busy"]
            timing = self._timing(minute)
            if timing:
                return timing
            if not able:
                return "unfit", words["unqualified"]
            end = minute + self.length
            if fits(free, minute, end):
                if any(fits(room_free, minute, end) for room_free in rooms):
                    return "fits", ""
                return "unfit", words["no_room"]
            until = _free_until(free, minute)
            if until is None:
                return "unfit", words["busy"]
            if _starts_at(elsewhere, until):
                reason = "elsewhere"
            elif _starts_at(booked, until):
                reason = "busy"
            elif _starts_at(away, until):
                reason = "time_off"
            elif any(end_ == until for _, end_ in self.open):
                reason = "closes"
            else:
                reason = "off_duty"
            return "unfit", until_words[reason] % {"time": self.clock(until)}

        return classify

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
        words, until_words = self.words, self.words_until

        def classify(minute: int) -> tuple[str, str]:
            if not _inside(self.open, minute):
                return "closed", words["closed"]
            if _inside(away, minute):
                return "away", words["out_of_use"]
            if _inside(booked, minute):
                return "unfit", words["busy"]
            timing = self._timing(minute)
            if timing:
                return timing
            end = minute + self.length
            if fits(free, minute, end):
                found = someone_free.get(minute)
                if found is None:
                    found = someone_free[minute] = any(
                        fits(therapist_free, minute, end) for therapist_free in their_free
                    )
                return ("fits", "") if found else ("unfit", words["no_therapist"])
            until = _free_until(free, minute)
            if until is None:
                return "unfit", words["busy"]
            if _starts_at(booked, until):
                reason = "busy"
            elif _starts_at(away, until):
                reason = "out_of_use"
            else:
                reason = "closes"
            return "unfit", until_words[reason] % {"time": self.clock(until)}

        return classify


def _rows(calendar: Calendar, walls: list[datetime.time], lanes, wanted: Wanted, step: int) -> list[Row]:
    """The rows with their cells, lane by lane: a booking's cell spans the
    rows it holds (with its turnover); the rest are classified one by one."""
    zone, now = calendar.zone, wanted.now
    rows = [Row(label=wall.strftime("%H:%M"), cells=[]) for wall in walls]
    first_wall = walls[0].hour * 60 + walls[0].minute

    def row_of(moment: datetime.datetime, day: datetime.date, *, rounding_up: bool = False) -> int:
        local = moment.astimezone(zone)
        minutes = (local.date() - day).days * 24 * 60 + local.hour * 60 + local.minute - first_wall
        index = -(-minutes // step) if rounding_up else minutes // step
        return max(0, min(index, len(walls)))

    times: dict[datetime.date, list[tuple[datetime.datetime, int, bool]]] = {}  # the rows' instants, once a day
    passed_before = to_minutes(now) - step
    for column, _, _ in lanes:
        if column.day not in times:
            instants = [local_instant(column.day, wall, zone) for wall in walls]
            times[column.day] = [
                (instant.astimezone(zone), minute, minute <= passed_before)
                for instant, minute in ((instant, to_minutes(instant)) for instant in instants)
            ]
    for number, (column, bookings, classify) in enumerate(lanes):
        block, block_row, covered_until, above = None, 0, 0, None
        by_row: dict[int, list[Booking]] = {}
        for booking in bookings:
            by_row.setdefault(min(row_of(booking.appointment.start, column.day), len(walls) - 1), []).append(booking)
        for index, (local, minute, passed) in enumerate(times[column.day]):
            for booking in by_row.get(index, []):
                end_row = max(index + 1, row_of(booking.appointment.busy_until, column.day, rounding_up=True))
                if block is not None and index < covered_until:
                    # It starts under the booking before (off the grid): one cell holds both.
                    block.bookings.append(booking)
                    block.span = max(block.span, end_row - block_row)
                else:
                    block = Cell("booking", local, number, span=end_row - index, bookings=[booking], past=passed)
                    block.therapist, block.room, block_row = column.therapist, column.room, index
                    rows[index].cells.append(block)
                covered_until = max(covered_until, end_row)
            if index < covered_until:
                above = None
                continue
            kind, reason = classify(minute)
            cell = Cell(kind, local, number, reason=reason, past=passed, therapist=column.therapist, room=column.room)
            cell.repeat = above == (kind, reason)
            above = (kind, reason)
            rows[index].cells.append(cell)
    local_now = now.astimezone(zone)
    now_minute = local_now.hour * 60 + local_now.minute
    shows_today = any(column.day == local_now.date() for column, _, _ in lanes)
    for row, wall in zip(rows, walls, strict=True):
        row.cells.sort(key=lambda cell: cell.column)
        row.past = bool(row.cells) and all(cell.past for cell in row.cells)
        start = wall.hour * 60 + wall.minute
        row.now = shows_today and start <= now_minute < start + step
    return rows
