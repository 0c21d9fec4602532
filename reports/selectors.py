"""The figures of the managers' reports, for a period of local days at one
location or at several.

Counts and sums come from the database: the period's appointments are
grouped once by therapist, room, service, origin and status (a few hundred
rows for a busy year), and once by start and end, then by local hour, for
the days and hours; Python only adds up the grouped rows. Working and open
minutes come from the same calendar availability uses
(``sessions.availability.Calendar``, without its bookings), so the rota,
special days and time off are read exactly as bookings are; the days of a
weekday that are alike are worked out once.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from clients.models import Client
from routines.models import RoutineTemplate
from salon.compiled import CompiledByKey, CompiledQuery
from salon.models import Room, Salon, Therapist, TimeOff
from sessions.availability import (
    MINUTES_A_DAY,
    Calendar,
    EpochMinutes,
    _hours_and_shifts,
    _rooms_of,
    from_minutes,
    local_instant,
    merge,
    therapists_at,
    to_minutes,
)
from sessions.models import Appointment, Course, Feedback, Notification

Status = Appointment.Status
# Booked but not yet finished: what the period may still bring in.
STILL_OPEN = (Status.BOOKED, Status.CHECKED_IN, Status.IN_PROGRESS)
LONGEST_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Local days from ``first_day`` up to, not including, ``end_day``; each
    location reads them in its own time zone."""

    first_day: datetime.date
    end_day: datetime.date

    @property
    def days(self) -> int:
        return (self.end_day - self.first_day).days

    @property
    def last_day(self) -> datetime.date:
        return self.end_day - datetime.timedelta(days=1)

    def span(self, zone: ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
        midnight = datetime.time(0)
        return local_instant(self.first_day, midnight, zone), local_instant(self.end_day, midnight, zone)

    def previous(self) -> Period:
        """The period to compare with: the calendar month before a whole
        month (months differ in length), else as many days just before."""
        if self.first_day.day == 1 and self.end_day == _next_month(self.first_day):
            return Period(_previous_month(self.first_day), self.first_day)
        return Period(self.first_day - datetime.timedelta(days=self.days), self.first_day)


def _next_month(first: datetime.date) -> datetime.date:
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _previous_month(first: datetime.date) -> datetime.date:
    return (first - datetime.timedelta(days=1)).replace(day=1)


PRESETS = {
    "this_week": gettext_lazy("This week"),
    "last_week": gettext_lazy("Last week"),
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "custom": gettext_lazy("Chosen days"),
}


def period_preset(preset: str, *, today: datetime.date) -> Period:
    """A named period around ``today`` (weeks start on Monday)."""
    monday = today - datetime.timedelta(days=today.weekday())
    week = datetime.timedelta(days=7)
    this_month = today.replace(day=1)
    periods = {
        "this_week": lambda: Period(monday, monday + week),
        "last_week": lambda: Period(monday - week, monday),
        "this_month": lambda: Period(this_month, _next_month(this_month)),
        "last_month": lambda: Period(_previous_month(this_month), this_month),
    }
    return periods[preset]()


def _ratio(part: int, whole: int | None) -> float | None:
    return part / whole if whole else None


@dataclass
class Row:
    """One line of a report table: a location, therapist, room or service,
    or everything together. ``working_minutes`` is None where utilisation
    means nothing (a service) or is not known (a room out of use)."""

    key: int | str
    label: str
    bookings: int = 0
    completed: int = 0
    cancelled: int = 0
    cancelled_late: int = 0
    no_shows: int = 0
    revenue_minor: int = 0
    expected_minor: int = 0
    booked_minutes: int = 0
    working_minutes: int | None = None
    location: str = ""
    # Amounts are shown only in one currency: empty where the rows added up had several.
    currency: str = ""

    FIGURES = (
        "bookings", "completed", "cancelled", "cancelled_late", "no_shows",
        "revenue_minor", "expected_minor", "booked_minutes",
    )  # fmt: skip

    @property
    def completion_rate(self) -> float | None:
        return _ratio(self.completed, self.bookings)

    @property
    def cancellation_rate(self) -> float | None:
        return _ratio(self.cancelled, self.bookings)

    @property
    def late_cancellation_rate(self) -> float | None:
        return _ratio(self.cancelled_late, self.bookings)

    @property
    def no_show_rate(self) -> float | None:
        return _ratio(self.no_shows, self.bookings)

    @property
    def utilisation(self) -> float | None:
        return None if self.working_minutes is None else _ratio(self.booked_minutes, self.working_minutes)

    def add(self, other: Row) -> None:
        for name in self.FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.working_minutes is not None:
            self.working_minutes = (self.working_minutes or 0) + other.working_minutes


# Location -> the ids of all its rooms, also those out of use (``OnDuty.rooms_at``).
RoomsAt = dict[int, list[int]]


# The report's queries: about seven a page, some 18 KiB each (a compiler, kept to convert the values as
# the ORM does, holds its query); the last dozen or so periods and locations asked for, under 2 MiB.
_SQL = CompiledByKey(limit=100)


def _inputs(locations: list[Salon], period: Period, rooms_at: RoomsAt | None = None) -> tuple:
    """What the report's queries of these locations and period are built
    from: the key of their SQL (``_SQL``)."""
    rooms = None if rooms_at is None else tuple(sorted((pk, tuple(ids)) for pk, ids in rooms_at.items()))
    return tuple((location.pk, location.time_zone) for location in locations), period, rooms


def appointments_in(locations: list[Salon], period: Period, rooms_at: RoomsAt | None = None) -> QuerySet[Appointment]:
    """Appointments starting in the period at these locations, each
    location's days in its own zone; unordered, for grouping. Sessions
    cancelled because their client's data was erased are left out: nobody
    cancelled them, and nobody will come."""
    if not locations:
        return Appointment.objects.none()
    starting = _starting(locations, period, rooms_at=rooms_at)
    return Appointment.objects.filter(starting, cancelled_at_erasure=False).order_by()


def _starting(locations: list[Salon], period: Period, through: str = "", rooms_at: RoomsAt | None = None) -> Q:
    """Appointments starting in the period at these locations; ``through``
    the relation from another model (``"appointment__"``). With ``rooms_at``
    the location is told by the room's id: over a year's bookings, joining
    each to its room costs more than the grouping it feeds."""
    starting = Q()
    for location in locations:
        begins, ends = period.span(location.zone)
        where = (
            {f"{through}room_id__in": rooms_at.get(location.pk, [])}
            if rooms_at is not None
            else {f"{through}room__salon_id": location.pk}
        )
        starting |= Q(**where, **{f"{through}start__gte": begins, f"{through}start__lt": ends})
    return starting


class _Minutes(EpochMinutes):
    """``EpochMinutes`` read through ``date_part``'s double precision rather
    than ``EXTRACT``'s numeric on PostgreSQL: the same whole minutes for any
    time to the second, at a fraction of the cost over a year's bookings."""

    def as_postgresql(self, compiler, connection, **extra):
        template = "(date_part('epoch', %(expressions)s)::bigint / 60)"
        return self.as_sql(compiler, connection, template=template, **extra)


def _breakdown(locations: list[Salon], period: Period, rooms_at: RoomsAt | None = None) -> list[dict]:
    """The appointments counted per therapist, room, service, origin and how
    each ended, in one query: every table of the report adds up these rows
    (a few hundred for a busy year), so the period is read once. Grouped by
    ids alone: with names among the columns PostgreSQL expects as many
    groups as rows and sorts them all; ``_labels`` reads the names. Each
    row's location (``room__salon_id``) comes from ``rooms_at`` when given
    (the appointments then found by it), else from the rooms' table."""
    location = {} if rooms_at is None else {room: place for place, rooms in rooms_at.items() for room in rooms}
    columns = ["therapist_id", "room_id", "routine_id", "origin", "status", "cancelled_late"]
    groups = _SQL.values(
        ("breakdown", *_inputs(locations, period, rooms_at)),
        lambda: (
            appointments_in(locations, period, rooms_at)
            .values(*columns, *(["room__salon_id"] if rooms_at is None else []))
            .annotate(
                appointments=Count("pk"),
                # The price recorded when it was booked: a later menu change does not rewrite what was sold.
                amount=Sum("price_minor"),
                minutes=Sum(_Minutes("end") - _Minutes("start")),
            )
            .order_by()
        ),
    )
    if rooms_at is not None:
        for values in groups:
            values["room__salon_id"] = location[values["room_id"]]
    return groups


@dataclass
class Labels:
    """What the tables call the ids of ``_breakdown``'s rows."""

    therapists: dict[int, str]
    rooms: dict[int, str]
    routines: dict[int, tuple[str, str]]  # routine -> (slug, name)


def _labels(groups: list[dict]) -> Labels:
    """The names of the therapists, rooms and routines in ``_breakdown``'s
    rows, in one query (a UNION told apart by its first column)."""
    labels = Labels({}, {}, {})
    if not groups:
        return labels
    ids = [sorted({values[column] for values in groups}) for column in ("therapist_id", "room_id", "routine_id")]
    rows = _SQL.values_list(
        ("labels", *map(tuple, ids)),
        lambda: Therapist.objects.filter(pk__in=ids[0]).order_by()
        .values_list(Value(0), "pk", "display_name", Value(""))
        .union(
            Room.objects.filter(pk__in=ids[1]).order_by().values_list(Value(1), "pk", "name", Value("")),
            RoutineTemplate.objects.filter(pk__in=ids[2]).order_by().values_list(Value(2), "pk", "name", "slug"),
            all=True,
        ),
    )  # fmt: skip
    for kind, pk, name, slug in rows:
        if kind == 0:
            labels.therapists[pk] = name
        elif kind == 1:
            labels.rooms[pk] = name
        else:
            labels.routines[pk] = (slug, name)
    return labels


def _count_in(row: Row, values: dict) -> None:
    """Adds one group of ``_breakdown`` to a row, in the columns its status
    and lateness belong to."""
    status, appointments = values["status"], values["appointments"]
    amount, minutes = values["amount"] or 0, values["minutes"] or 0
    row.bookings += appointments
    if status == Status.COMPLETED:
        row.completed += appointments
        row.revenue_minor += amount
    elif status == Status.CANCELLED and values["cancelled_late"]:
        row.cancelled_late += appointments
    elif status == Status.CANCELLED:
        row.cancelled += appointments
    elif status == Status.NO_SHOW:
        row.no_shows += appointments
    if status in STILL_OPEN:
        row.expected_minor += amount
    if status in Appointment.HOLDS_TIME:
        row.booked_minutes += minutes


def _location_rows(locations: list[Salon], groups: list[dict]) -> list[Row]:
    rows = {location.pk: Row(location.pk, location.name, currency=location.currency) for location in locations}
    for values in groups:
        _count_in(rows[values["room__salon_id"]], values)
    return list(rows.values())


@dataclass
class Summary:
    """Location rows and their total: what the previous period is compared on."""

    total: Row
    locations: list[Row]


def report_summary(*, locations: list[Salon], period: Period, rooms_at: RoomsAt | None = None) -> Summary:
    """Counts and revenue per location and in all (one query); ``rooms_at``
    as a report of the same locations has it (``Report.rooms_at``) spares
    joining the bookings to their rooms."""
    rows = _location_rows(locations, _breakdown(locations, period, rooms_at))
    return Summary(_total(rows), rows)


def _total(rows: list[Row]) -> Row:
    total = Row("all", pgettext("the total row of a report table", "All"))
    for row in rows:
        total.add(row)
    currencies = {row.currency for row in rows}
    total.currency = currencies.pop() if len(currencies) == 1 else ""
    return total


@dataclass
class Report:
    period: Period
    locations: list[Salon]
    total: Row
    by_location: list[Row]
    therapists: list[Row]
    rooms: list[Row]
    services: list[Row]
    # (ISO weekday 1–7, local hour) -> the therapists' utilisation then: minutes
    # booked ÷ minutes on duty; only hours someone was on duty have a value.
    heat: dict[tuple[int, int], float] = field(default_factory=dict)
    # Local date -> (bookings, revenue from completed sessions), every day of the period.
    daily: dict[datetime.date, tuple[int, int]] = field(default_factory=dict)
    # How the period's bookings were made: origin -> bookings.
    origins: dict[str, int] = field(default_factory=dict)
    # The locations' rooms, for the other queries of the same locations.
    rooms_at: RoomsAt = field(default_factory=dict)
    # The names of the therapists, rooms and routines in the tables.
    labels: Labels = field(default_factory=lambda: Labels({}, {}, {}))

    @property
    def currency(self) -> str:
        """The one currency of the locations; empty when they differ, so that
        amounts in different currencies are never added up."""
        return self.total.currency


@dataclass
class OnDuty:
    """Minutes on duty and open, from availability's calendar: therapists
    (rota within opening hours, less approved time off), summed per
    location and per local weekday and hour, and rooms (open, less time out
    of service); with the names of those who had no bookings but belong in
    the tables."""

    therapists: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    therapist_names: dict[int, str] = field(default_factory=dict)
    locations: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    rooms: dict[int, int] = field(default_factory=dict)
    room_names: dict[int, tuple[str, str]] = field(default_factory=dict)  # room -> (name, location)
    # (ISO weekday, local hour) -> minutes therapists were on duty then.
    by_hour: dict[tuple[int, int], int] = field(default_factory=lambda: defaultdict(int))
    # Location -> all its rooms, in use or not (their past bookings count).
    rooms_at: RoomsAt = field(default_factory=dict)


# A location's therapists and rooms as availability reads them, compiled once (the markers: ids no row has).
_THERAPISTS_AT = CompiledQuery(
    lambda business, location: therapists_at(Salon(pk=location, business_id=business)).order_by("display_name", "pk"),
    business=-1,
    location=-2,
)
_ROOMS_AT = CompiledQuery(
    lambda location: (
        Room.objects.filter(salon_id=location)
        .annotate(therapist_allowed=F("therapists_allowed"))
        .order_by("name", "pk")
    ),
    location=-1,
)


def _duty_calendar(location: Salon, period: Period) -> tuple[Calendar, list[int]]:
    """Availability's calendar of a location with its rota, opening hours
    and time off read as availability reads them, but without the bookings
    (``Calendar.load`` reads every booking of the range: for a year, most of
    the report's time, and the report counts bookings itself); and the ids of
    all the location's rooms, those out of use too. Four queries."""
    therapists = _THERAPISTS_AT.objects(business=location.business_id, location=location.pk)
    ids = [therapist.pk for therapist in therapists]
    # The rooms as availability reads them (with the therapists kept to them), those out of use too.
    room_rows = [(room, room.therapist_allowed) for room in _ROOMS_AT.objects(location=location.pk)]
    rooms, rooms_allowed = _rooms_of(room_rows)
    opening, special, working = _hours_and_shifts(
        location, therapist_ids=ids, first_day=period.first_day, last_day=period.last_day
    )
    begins, ends = period.span(location.zone)
    therapist_away: dict[int, list] = defaultdict(list)
    room_away: dict[int, list] = defaultdict(list)
    for therapist, room, start, end in _SQL.values_list(
        ("time_off", *_inputs([location], period), tuple(ids)),
        lambda: (
            TimeOff.objects.filter(status=TimeOff.Status.APPROVED, start__lt=ends, end__gt=begins)
            .filter(Q(therapist_id__in=ids) | Q(room__salon=location))
            .annotate(start_minute=EpochMinutes("start"), end_minute=EpochMinutes("end"))
            .values_list("therapist_id", "room_id", "start_minute", "end_minute")
            .order_by()
        ),
    ):
        (therapist_away[therapist] if therapist else room_away[room]).append((start, end))
    calendar = Calendar(
        salon=location, zone=location.zone, therapists=therapists, rooms=rooms, rooms_allowed=rooms_allowed,
        working=working, opening=opening, special=special,
        therapist_away={key: merge(value) for key, value in therapist_away.items()}, therapist_booked={},
        room_away={key: merge(value) for key, value in room_away.items()}, room_booked={}, therapist_elsewhere={},
    )  # fmt: skip
    return calendar, list(dict.fromkeys(room.pk for room, _ in room_rows))


def _spread_over_hours(by_hour: dict, weekday: int, start: int, end: int, times: int = 1) -> None:
    """Adds the minutes from ``start`` to ``end`` (minutes after a local
    midnight, on one day) to the hours they fall in."""
    while start < end:
        hour = start // 60
        piece_end = min(end, (hour + 1) * 60)
        by_hour[weekday, hour] += (piece_end - start) * times
        start = piece_end


def _spread_through_zone(by_hour: dict, start: int, end: int, zone: ZoneInfo) -> None:
    """The same for epoch minutes on a day the clocks change: each piece's
    local hour is read through the zone."""
    while start < end:
        local = from_minutes(start).astimezone(zone)
        piece_end = min(end, start + 60 - local.minute)
        by_hour[local.isoweekday(), local.hour] += piece_end - start
        start = piece_end


def _days_touched(intervals: list, period: Period, zone: ZoneInfo) -> set[datetime.date]:
    """The local days of the period that any of these epoch-minute intervals reaches into."""
    touched = set()
    for start, end in intervals:
        day = max(from_minutes(start).astimezone(zone).date(), period.first_day)
        last = min(from_minutes(end - 1).astimezone(zone).date(), period.last_day)
        while day <= last:
            touched.add(day)
            day += datetime.timedelta(days=1)
    return touched


@dataclass
class _Days:
    """The period's days at a location: each day's first epoch minute, the
    days the clocks change, and the ordinary days (24 hours, the week's
    opening hours) by weekday (Monday 0). An ordinary day's hours on duty
    are those of every other ordinary day of its weekday on which the same
    shifts apply, unless time off changes them."""

    begins: dict[datetime.date, int]
    clock_change: set[datetime.date]
    ordinary: dict[int, list[datetime.date]]
    unusual: list[datetime.date]

    @classmethod
    def of(cls, calendar: Calendar, period: Period) -> _Days:
        midnight = datetime.time(0)
        days = cls({}, set(), defaultdict(list), [])
        for offset in range(period.days):
            day = period.first_day + datetime.timedelta(days=offset)
            begins = days.begins[day] = to_minutes(local_instant(day, midnight, calendar.zone))
            ends = to_minutes(local_instant(day + datetime.timedelta(days=1), midnight, calendar.zone))
            if ends - begins != MINUTES_A_DAY:
                days.clock_change.add(day)
                days.unusual.append(day)
            elif day in calendar.special:
                days.unusual.append(day)
            else:
                days.ordinary[day.weekday()].append(day)
        return days

    def to_work_out(self, away: set[datetime.date], rota=lambda day: ()) -> list[tuple[datetime.date, int]]:
        """(day, how many days it stands for): one ordinary day for all those
        of its weekday without time off on which the same shifts apply
        (``rota(day)``), and every other day for itself."""
        work = [(day, 1) for day in self.unusual]
        for days in self.ordinary.values():
            alike: dict[tuple, list[datetime.date]] = {}
            for day in days:
                if day in away:
                    work.append((day, 1))
                else:
                    alike.setdefault(rota(day), []).append(day)
            work += [(same[0], len(same)) for same in alike.values()]
        return work


def _rota(calendar: Calendar, therapist_id: int):
    """Which of the therapist's shifts on a day's weekday apply that day (by
    their place among them): a rota changing on a date, or alternating
    weeks, makes two kinds of the same weekday, each worked out once."""

    def rota(day: datetime.date) -> tuple[int, ...]:
        shifts = calendar.working.get((therapist_id, day.weekday()), ())
        return tuple(index for index, shift in enumerate(shifts) if shift.applies_on(day))

    return rota


def _on_duty(locations: list[Salon], period: Period) -> OnDuty:
    """Minutes on duty and open through availability's calendar, worked out
    once per weekday and rota for the days alike and day by day for the rest
    (time off, special days, clock changes); the stretches on duty (minutes
    after local midnight) are spread over the hours once per pattern."""
    duty = OnDuty()
    for location in locations:
        zone = location.zone
        calendar, duty.rooms_at[location.pk] = _duty_calendar(location, period)
        days = _Days.of(calendar, period)
        patterns: Counter = Counter()
        for therapist in calendar.therapists:
            minutes = 0
            away = _days_touched(calendar.therapist_away.get(therapist.pk, []), period, zone)
            for day, times in days.to_work_out(away, _rota(calendar, therapist.pk)):
                stretches = calendar.therapist_on_duty(therapist, day)
                minutes += sum(end - start for start, end in stretches) * times
                if day in days.clock_change:
                    for start, end in stretches:
                        _spread_through_zone(duty.by_hour, start, end, zone)
                elif stretches:
                    begins = days.begins[day]
                    patterns[day.isoweekday(), tuple((start - begins, end - begins) for start, end in stretches)] += (
                        times
                    )
            duty.therapists[therapist.pk] += minutes
            duty.therapist_names[therapist.pk] = therapist.display_name
            duty.locations[location.pk] += minutes
        for (weekday, stretches), times in patterns.items():
            for start, end in stretches:
                _spread_over_hours(duty.by_hour, weekday, start, end, times)
        # A room never out of service is in use whenever the location is open: worked out once for them all.
        always_open = None
        for room in calendar.rooms:
            if room.pk not in calendar.room_away and always_open is not None:
                duty.rooms[room.pk] = always_open
            else:
                away = _days_touched(calendar.room_away.get(room.pk, []), period, zone)
                duty.rooms[room.pk] = sum(
                    (end - start) * times
                    for day, times in days.to_work_out(away)
                    for start, end in calendar.room_in_use(room, day)
                )
                if room.pk not in calendar.room_away:
                    always_open = duty.rooms[room.pk]
            duty.room_names[room.pk] = (room.name, location.name)
    return duty


def report_for(*, locations: list[Salon], period: Period, by_time: bool = True) -> Report:
    """Every table of the report page. Queries: the period's appointments
    grouped once for the tables (and the names in them) and, unless
    ``by_time`` is false (a table's download needs neither), once per time
    zone for the days and the heat map; four per location for availability's
    calendar."""
    duty = _on_duty(locations, period)
    names = {location.pk: location.name for location in locations}
    groups = _breakdown(locations, period, duty.rooms_at)

    by_location = _location_rows(locations, groups)
    for row in by_location:
        row.working_minutes = duty.locations.get(row.key, 0)
    total = _total(by_location)

    labels = _labels(groups)
    therapists: dict[int, Row] = {}
    rooms: dict[int, Row] = {}
    services: dict[str, Row] = {}
    origins: dict[str, int] = defaultdict(int)
    for values in groups:
        therapist, room = values["therapist_id"], values["room_id"]
        service, name = labels.routines[values["routine_id"]]
        if therapist not in therapists:
            therapists[therapist] = Row(
                therapist, labels.therapists[therapist], working_minutes=duty.therapists.get(therapist, 0)
            )
        if room not in rooms:
            rooms[room] = Row(
                room, labels.rooms[room], working_minutes=duty.rooms.get(room), location=names[values["room__salon_id"]]
            )
        if service not in services:
            services[service] = Row(service, name)
        # A service's versions may be named differently: it is shown by the greatest name.
        services[service].label = max(services[service].label, name)
        for row in (therapists[therapist], rooms[room], services[service]):
            _count_in(row, values)
        origins[values["origin"]] += values["appointments"]
    for pk, minutes in duty.therapists.items():
        therapists.setdefault(pk, Row(pk, duty.therapist_names[pk], working_minutes=minutes))
    for pk, minutes in duty.rooms.items():
        rooms.setdefault(pk, Row(pk, duty.room_names[pk][0], working_minutes=minutes, location=duty.room_names[pk][1]))
    heat, daily = {}, {}
    if by_time:
        booked_by_hour, daily = _by_time(locations, period, duty.rooms_at)
        heat = {cell: booked_by_hour.get(cell, 0) / working for cell, working in duty.by_hour.items() if working}
    for row in [*therapists.values(), *rooms.values(), *services.values()]:
        row.currency = total.currency
    return Report(
        period=period,
        locations=locations,
        total=total,
        by_location=by_location,
        therapists=sorted(therapists.values(), key=lambda row: (row.label, str(row.key))),
        rooms=sorted(rooms.values(), key=lambda row: (row.location, row.label, str(row.key))),
        services=sorted(services.values(), key=lambda row: (row.label, row.key)),
        heat=heat,
        daily=daily,
        origins={origin: origins[origin] for origin in sorted(origins)},
        rooms_at=duty.rooms_at,
        labels=labels,
    )


EPOCH_DAY = datetime.date(1970, 1, 1)


def _wall_minutes(moment: datetime.datetime, zone: ZoneInfo) -> int:
    """Local wall-clock time as minutes since 1970-01-01 00:00 of the wall clock."""
    return to_minutes(moment.astimezone(zone).replace(tzinfo=datetime.UTC))


def _sessions_by_hours(
    locations: list[Salon], period: Period, rooms_at: RoomsAt | None, zone: ZoneInfo
) -> list[tuple[int, ...]]:
    """The sessions by the local wall-clock hours they start and end in
    (hours since 1970, see ``_wall_minutes``): (first hour, last hour,
    bookings, revenue of the completed, sessions taking time, and for those
    the sums of their minutes into the first hour at the start and into the
    last hour at the end), from which ``_by_time`` spreads the minutes over
    the hours exactly. Grouped by the stored
    instants first, so that the zone is applied once per distinct time, then
    by hours, so that a year's ten thousand distinct times reach Python as a
    few thousand rows; PostgreSQL does both, elsewhere Python the first.
    Sessions that end, on the wall clock, no later than they start (over the
    clocks going back) take no time in any hour."""
    key = ("by_hours", *_inputs(locations, period, rooms_at))

    def grouped() -> QuerySet:
        return (
            appointments_in(locations, period, rooms_at)
            .annotate(begins=F("start"), ends=F("end"))
            .values("begins", "ends")
            .annotate(
                bookings=Count("pk"),
                revenue=Sum("price_minor", filter=Q(status=Status.COMPLETED)),
                taking_time=Count("pk", filter=Q(status__in=Appointment.HOLDS_TIME)),
            )
            .order_by()
        )

    if connection.vendor != "postgresql":
        rows = []
        for values in _SQL.values(key, grouped):
            start, end = _wall_minutes(values["begins"], zone), _wall_minutes(values["ends"], zone)
            first, last = start // 60, (end - 1) // 60
            taking = values["taking_time"] if end > start else 0
            rows.append((first, last, values["bookings"], values["revenue"], taking, taking * (start - first * 60),
                         taking * (end - last * 60)))  # fmt: skip
        return rows
    compiled = _SQL.sql(key, grouped)
    if compiled is None:  # locations without a room: nothing can start there
        return []
    sql, params = compiled
    # The ORM's own SQL as a subquery; the zone's name goes in as a parameter.
    # Integers throughout (wall-clock minutes since 1970 fit one for 4,000
    # years): sums of integers stay integers, where bigints become numerics.
    # OFFSET 0 keeps PostgreSQL from inlining a subquery, which would work
    # each wall-clock time out again wherever it is used.
    wall = "(date_part('epoch', grouped.{} AT TIME ZONE %s)::bigint / 60)::integer"
    query = (
        "SELECT first, last, SUM(bookings)::bigint, SUM(revenue)::bigint, SUM(taking)::bigint, "  # noqa: S608
        "SUM(taking * (starts - first * 60))::bigint, SUM(taking * (ends - last * 60))::bigint FROM ("
        "SELECT starts, ends, starts / 60 AS first, (ends - 1) / 60 AS last, bookings, revenue, "
        "CASE WHEN ends > starts THEN taking_time ELSE 0 END AS taking FROM ("
        f"SELECT {wall.format('begins')} AS starts, {wall.format('ends')} AS ends, grouped.bookings::integer, "
        f"grouped.revenue, grouped.taking_time::integer FROM ({sql}) AS grouped OFFSET 0"
        ") AS wall OFFSET 0) AS hours GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [zone.key, zone.key, *params])
        return cursor.fetchall()


def _by_time(locations: list[Salon], period: Period, rooms_at: RoomsAt | None = None) -> tuple[dict, dict]:
    """Minutes booked by local weekday and hour (a session over several
    hours counts in each), and bookings and revenue by the local day each
    session starts: one query per time zone among the locations."""
    booked: dict[tuple[int, int], int] = defaultdict(int)
    daily: dict[datetime.date, list[int]] = {
        period.first_day + datetime.timedelta(days=offset): [0, 0] for offset in range(period.days)
    }
    zones: dict[str, list[Salon]] = defaultdict(list)
    for location in locations:
        zones[location.time_zone].append(location)
    for name, here in zones.items():
        by_day: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        by_hour: dict[int, int] = defaultdict(int)  # wall-clock hours since 1970 -> minutes booked
        sessions = _sessions_by_hours(here, period, rooms_at, ZoneInfo(name))
        for first, last, bookings, revenue, taking, into_first, into_last in sessions:
            figures = by_day[first // 24]
            figures[0] += bookings
            figures[1] += revenue or 0
            if not taking:
                continue
            if first == last:
                by_hour[first] += into_last - into_first
                continue
            # The first hour from each start, the hours between whole, the last up to each end.
            by_hour[first] += taking * 60 - into_first
            for hour in range(first + 1, last):
                by_hour[hour] += taking * 60
            by_hour[last] += into_last
        for number, (bookings, revenue) in by_day.items():
            figures = daily.setdefault(EPOCH_DAY + datetime.timedelta(days=number), [0, 0])
            figures[0] += bookings
            figures[1] += revenue
        for hour, minutes in by_hour.items():
            day = EPOCH_DAY + datetime.timedelta(days=hour // 24)
            booked[day.isoweekday(), hour % 24] += minutes
    return dict(booked), {day: (bookings, revenue) for day, (bookings, revenue) in sorted(daily.items())}


def comparison(now: Row, before: Row) -> list[tuple[str, int, int, bool]]:
    """(what, this period, the period before, whether it is an amount of money)."""
    return [
        (_("Bookings"), now.bookings, before.bookings, False),
        (_("Completed sessions"), now.completed, before.completed, False),
        (_("Cancellations in time"), now.cancelled, before.cancelled, False),
        (_("Late cancellations"), now.cancelled_late, before.cancelled_late, False),
        (_("No-shows"), now.no_shows, before.no_shows, False),
        (_("Revenue"), now.revenue_minor, before.revenue_minor, True),
        (_("Expected revenue"), now.expected_minor, before.expected_minor, True),
    ]


def appointments_for_export(*, locations: list[Salon], period: Period) -> QuerySet:
    """The period's appointments as rows for a spreadsheet: when, where, who
    gave it, what, how it ended and at what price. No health data (no
    screening, plan, notes or feedback) and of the client only their number."""
    return (
        appointments_in(locations, period)
        .order_by("start", "pk")
        .values_list(
            "pk", "room__salon__name", "room__salon__time_zone", "start", "end", "therapist__display_name",
            "room__name", "routine__name", "client_id", "status", "cancelled_late", "origin", "price_minor",
            "currency",
        )
    )  # fmt: skip


RETENTION_DAYS = 60


@dataclass
class Extras:
    """The rest of the report: clients, how bookings were made, feedback and
    messages. ``origins``: origin -> bookings; ``notifications``: (kind,
    channel) -> {status: count}."""

    clients_seen: int
    clients_new: int
    clients_returning: int
    clients_retained: int
    origins: dict[str, int]
    feedback_asked: int
    feedback_given: int
    rating: float | None
    too_strong: int
    too_light: int
    notifications: dict[tuple[str, str], dict[str, int]]
    # (therapist, routine, feedback given, "too strong", "too light") where any feedback was given.
    pressure: list[tuple[str, str, int, int, int]] = field(default_factory=list)
    # Courses with a session in the period: how many, their sessions planned, booked and completed (ever).
    courses: int = 0
    course_sessions_planned: int = 0
    course_sessions_booked: int = 0
    course_sessions_completed: int = 0

    @property
    def course_completion(self) -> float | None:
        return _ratio(self.course_sessions_completed, self.course_sessions_planned)

    @property
    def retention(self) -> float | None:
        return _ratio(self.clients_retained, self.clients_new)

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.feedback_given, self.feedback_asked)


def report_extras(*, locations: list[Salon], period: Period, report: Report | None = None) -> Extras:
    """Clients who came (completed sessions): new ones (their first session
    at these locations was in the period) and returning ones, and how many
    new ones came again within RETENTION_DAYS of their first; bookings by
    origin; feedback on the completed sessions; messages due in the period;
    how far the courses with a session in the period have come. Four
    queries, and one more without the period's ``report`` (which has counted
    the bookings by origin and the completed sessions). Clients' first
    visits are read in the first location's time zone (a business's
    locations rarely differ)."""
    if not locations:
        return Extras(0, 0, 0, 0, {}, 0, 0, None, 0, 0, {}, [])
    begins, ends = period.span(locations[0].zone)
    here = [location.pk for location in locations]
    retention = datetime.timedelta(days=RETENTION_DAYS)
    # Later visits cannot be anyone's first or second that matters here.
    latest = max(period.span(location.zone)[1] for location in locations) + retention
    rooms_at = report.rooms_at if report is not None else None
    at_here = (
        {"room__salon_id__in": here}
        if rooms_at is None
        else {"room_id__in": [room for location in here for room in rooms_at.get(location, [])]}
    )
    # The queries are built only when their SQL is not at hand (``_SQL``).

    def appointments() -> QuerySet:
        return appointments_in(locations, period, rooms_at)

    def visits() -> QuerySet:
        """Each client who came in the period, with their first two visits
        here ever: two index probes a client (sessions'
        ``appointment_client_visits``) rather than a window sorting every
        visit of every client."""
        return (
            Appointment.objects.filter(client_id=OuterRef("pk"), status=Status.COMPLETED, start__lt=latest, **at_here)
            .order_by("start")
            .values("start")
        )

    inputs = _inputs(locations, period, rooms_at)
    clients = _SQL.aggregate(
        ("clients", *inputs),
        lambda: (
            Client.objects.filter(pk__in=appointments().filter(status=Status.COMPLETED).values("client_id"))
            .annotate(first=Subquery(visits()[:1]), second=Subquery(visits()[1:2]))
            # Each client is one row anyway; DISTINCT keeps PostgreSQL from
            # inlining the visits into each count below, which would look them up again.
            .distinct()
            .aggregate(
                seen=Count("pk"),
                new=Count("pk", filter=Q(first__gte=begins)),
                returning=Count("pk", filter=Q(first__lt=begins)),
                retained=Count("pk", filter=Q(first__gte=begins, second__lte=F("first") + retention)),
            )
        ),
    )
    if report is None:
        completed = appointments().filter(status=Status.COMPLETED).count()
        origins = {
            values["origin"]: values["bookings"]
            for values in appointments().values("origin").annotate(bookings=Count("pk")).order_by("origin")
        }
    else:
        completed, origins = report.total.completed, report.origins

    # Feedback on the period's completed sessions per therapist and routine,
    # read from the feedback (a half of the sessions or fewer); the totals add these up.
    def feedback() -> QuerySet:
        return Feedback.objects.filter(
            _starting(locations, period, through="appointment__", rooms_at=rooms_at),
            appointment__status=Status.COMPLETED,
        ).order_by()

    figures = {
        "given": Count("pk"),
        "strong": Count("pk", filter=Q(pressure="too_strong")),
        "light": Count("pk", filter=Q(pressure="too_light")),
        "rating_sum": Sum("overall"),
    }
    if report is None:
        named = (
            feedback()
            .values(
                therapist_name=F("appointment__therapist__display_name"), routine_name=F("appointment__routine__name")
            )
            .annotate(**figures)
        )
    else:
        # The report has the names: grouped by ids, the therapists and routines need no joining.
        named = [
            {
                **values,
                "therapist_name": report.labels.therapists[values["therapist_key"]],
                "routine_name": report.labels.routines[values["routine_key"]][1],
            }
            for values in _SQL.values(
                ("feedback", *inputs),
                lambda: (
                    feedback()
                    .values(therapist_key=F("appointment__therapist_id"), routine_key=F("appointment__routine_id"))
                    .annotate(**figures)
                ),
            )
        ]
    # Therapists, or versions of a routine, of the same name are one line.
    by_name: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for values in named:
        by_name[values["therapist_name"], values["routine_name"]].update(
            {figure: values[figure] or 0 for figure in figures}
        )
    pressure = [
        (therapist, routine, counts["given"], counts["strong"], counts["light"])
        for (therapist, routine), counts in sorted(by_name.items())
    ]
    given = sum(counts["given"] for counts in by_name.values())
    rating = sum(counts["rating_sum"] for counts in by_name.values()) / given if given else None
    notifications: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for values in _SQL.values(
        ("notifications", *inputs),
        lambda: (
            Notification.objects.filter(appointment__room__salon_id__in=here, due_at__gte=begins, due_at__lt=ends)
            .values("kind", "channel", "status")
            .annotate(messages=Count("pk"))
            .order_by("kind", "channel", "status")
        ),
    ):
        notifications[values["kind"], values["channel"]][values["status"]] = values["messages"]
    # A course counts with all its sessions, also those outside the period: completion is the course's.
    courses = _SQL.values_list(
        ("courses", *inputs),
        lambda: (
            Course.objects.filter(pk__in=appointments().exclude(course=None).values("course_id"))
            .annotate(
                booked=Count("appointments", filter=~Q(appointments__status=Status.CANCELLED)),
                done=Count("appointments", filter=Q(appointments__status=Status.COMPLETED)),
            )
            .values_list("planned", "booked", "done")
        ),
    )
    return Extras(
        clients["seen"], clients["new"], clients["returning"], clients["retained"], origins,
        completed, given, rating, sum(row[3] for row in pressure),
        sum(row[4] for row in pressure), dict(notifications), pressure, len(courses), sum(row[0] for row in courses),
        sum(row[1] for row in courses), sum(row[2] for row in courses),
    )  # fmt: skip
