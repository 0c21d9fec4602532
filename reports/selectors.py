"""The figures of the managers' reports, for a period of local days at one
location or at several.

Counts and sums come from the database, grouped per location, therapist,
room and service in one query each; Python only adds up the grouped rows.
Working and open minutes come from the same calendar availability uses
(``sessions.availability.Calendar``), so the rota, special days and time off
are read exactly as bookings are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet, Sum, Window
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, RowNumber, TruncDate

from salon.models import Salon
from sessions.availability import Calendar, EpochMinutes, local_instant
from sessions.models import Appointment, Course, Notification

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
    "this_week": "This week",
    "last_week": "Last week",
    "this_month": "This month",
    "last_month": "Last month",
    "custom": "Chosen days",
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


def _figures() -> dict:
    """The aggregates every table has, for ``annotate``/``aggregate``."""
    return {
        "bookings": Count("pk"),
        "completed": Count("pk", filter=Q(status=Status.COMPLETED)),
        "cancelled": Count("pk", filter=Q(status=Status.CANCELLED, cancelled_late=False)),
        "cancelled_late": Count("pk", filter=Q(status=Status.CANCELLED, cancelled_late=True)),
        "no_shows": Count("pk", filter=Q(status=Status.NO_SHOW)),
        # The price recorded when it was booked: a later menu change does not rewrite what was sold.
        "revenue_minor": Sum("price_minor", filter=Q(status=Status.COMPLETED)),
        "expected_minor": Sum("price_minor", filter=Q(status__in=STILL_OPEN)),
        "booked_minutes": Sum(EpochMinutes("end") - EpochMinutes("start"), filter=Q(status__in=Appointment.HOLDS_TIME)),
    }


def _row(values: dict, *, key, label: str, **extra) -> Row:
    return Row(key=key, label=label, **{name: values[name] or 0 for name in Row.FIGURES}, **extra)


def appointments_in(locations: list[Salon], period: Period) -> QuerySet[Appointment]:
    """Appointments starting in the period at these locations, each
    location's days in its own zone; unordered, for grouping."""
    if not locations:
        return Appointment.objects.none()
    starting = Q()
    for location in locations:
        begins, ends = period.span(location.zone)
        starting |= Q(room__salon_id=location.pk, start__gte=begins, start__lt=ends)
    return Appointment.objects.filter(starting).order_by()


def _grouped(appointments: QuerySet, *fields: str, **labels) -> list[dict]:
    return list(appointments.values(*fields).annotate(**labels, **_figures()).order_by(*fields))


@dataclass
class Summary:
    """Location rows and their total: what the previous period is compared on."""

    total: Row
    locations: list[Row]


def report_summary(*, locations: list[Salon], period: Period) -> Summary:
    """Counts and revenue per location and in all (one query)."""
    by_location = {
        values["room__salon_id"]: values for values in _grouped(appointments_in(locations, period), "room__salon_id")
    }
    rows = []
    for location in locations:
        values = by_location.get(location.pk)
        row = _row(values, key=location.pk, label=location.name) if values else Row(location.pk, location.name)
        row.currency = location.currency
        rows.append(row)
    return Summary(_total(rows), rows)


def _total(rows: list[Row]) -> Row:
    total = Row("all", "All")
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
    # (ISO weekday 1–7, local hour) -> sessions starting then.
    heat: dict[tuple[int, int], int] = field(default_factory=dict)
    # Local date -> (bookings, revenue from completed sessions), every day of the period.
    daily: dict[datetime.date, tuple[int, int]] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        """The one currency of the locations; empty when they differ, so that
        amounts in different currencies are never added up."""
        return self.total.currency


@dataclass
class OnDuty:
    """Minutes on duty and open, from availability's calendar: therapists
    (rota within opening hours, less approved time off), summed per
    location, and rooms (open, less time out of service); with the names of
    those who had no bookings but belong in the tables."""

    therapists: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    therapist_names: dict[int, str] = field(default_factory=dict)
    locations: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    rooms: dict[int, int] = field(default_factory=dict)
    room_names: dict[int, tuple[str, str]] = field(default_factory=dict)  # room -> (name, location)


def _on_duty(locations: list[Salon], period: Period) -> OnDuty:
    duty = OnDuty()
    days = [period.first_day + datetime.timedelta(days=offset) for offset in range(period.days)]
    for location in locations:
        calendar = Calendar.load(salon=location, first_day=period.first_day, last_day=period.last_day)
        for therapist in calendar.therapists:
            minutes = sum(end - start for day in days for start, end in calendar.therapist_on_duty(therapist, day))
            duty.therapists[therapist.pk] += minutes
            duty.therapist_names[therapist.pk] = therapist.display_name
            duty.locations[location.pk] += minutes
        for room in calendar.rooms:
            duty.rooms[room.pk] = sum(end - start for day in days for start, end in calendar.room_in_use(room, day))
            duty.room_names[room.pk] = (room.name, location.name)
    return duty


def report_for(*, locations: list[Salon], period: Period) -> Report:
    """Every table of the report page. Queries: four groupings, two per time
    zone (heat map and days), and availability's calendar per location."""
    appointments = appointments_in(locations, period)
    duty = _on_duty(locations, period)
    names = {location.pk: location.name for location in locations}

    summary = report_summary(locations=locations, period=period)
    for row in summary.locations:
        row.working_minutes = duty.locations.get(row.key, 0)
    total = _total(summary.locations)

    therapists = [
        _row(
            values,
            key=values["therapist_id"],
            label=values["therapist__display_name"],
            working_minutes=duty.therapists.get(values["therapist_id"], 0),
        )
        for values in _grouped(appointments, "therapist_id", "therapist__display_name")
    ]
    booked = {row.key for row in therapists}
    therapists += [
        Row(pk, duty.therapist_names[pk], working_minutes=minutes)
        for pk, minutes in duty.therapists.items()
        if pk not in booked
    ]
    rooms = [
        _row(
            values,
            key=values["room_id"],
            label=values["room__name"],
            working_minutes=duty.rooms.get(values["room_id"]),
            location=names[values["room__salon_id"]],
        )
        for values in _grouped(appointments, "room_id", "room__name", "room__salon_id")
    ]
    booked = {row.key for row in rooms}
    rooms += [
        Row(pk, duty.room_names[pk][0], working_minutes=minutes, location=duty.room_names[pk][1])
        for pk, minutes in duty.rooms.items()
        if pk not in booked
    ]
    services = [
        _row(values, key=values["routine__slug"], label=values["name"])
        for values in _grouped(appointments, "routine__slug", name=Max("routine__name"))
    ]
    heat, daily = _by_time(locations, period)
    for row in therapists + rooms + services:
        row.currency = total.currency
    return Report(
        period=period,
        locations=locations,
        total=total,
        by_location=summary.locations,
        therapists=sorted(therapists, key=lambda row: (row.label, str(row.key))),
        rooms=sorted(rooms, key=lambda row: (row.location, row.label, str(row.key))),
        services=sorted(services, key=lambda row: (row.label, row.key)),
        heat=heat,
        daily=daily,
    )


def _by_time(locations: list[Salon], period: Period) -> tuple[dict, dict]:
    """Sessions by local weekday and hour, and bookings and revenue by local
    day: grouped in the database once per time zone among the locations."""
    heat: dict[tuple[int, int], int] = defaultdict(int)
    daily: dict[datetime.date, list[int]] = {
        period.first_day + datetime.timedelta(days=offset): [0, 0] for offset in range(period.days)
    }
    zones: dict[str, list[Salon]] = defaultdict(list)
    for location in locations:
        zones[location.time_zone].append(location)
    for name, here in zones.items():
        zone = ZoneInfo(name)
        appointments = appointments_in(here, period)
        taking_time = appointments.filter(status__in=Appointment.HOLDS_TIME)
        for values in (
            taking_time.annotate(
                weekday=ExtractIsoWeekDay("start", tzinfo=zone), hour=ExtractHour("start", tzinfo=zone)
            )
            .values("weekday", "hour")
            .annotate(sessions=Count("pk"))
            .order_by()
        ):
            heat[values["weekday"], values["hour"]] += values["sessions"]
        for values in (
            appointments.annotate(day=TruncDate("start", tzinfo=zone))
            .values("day")
            .annotate(bookings=Count("pk"), revenue=Sum("price_minor", filter=Q(status=Status.COMPLETED)))
            .order_by()
        ):
            figures = daily.setdefault(values["day"], [0, 0])
            figures[0] += values["bookings"]
            figures[1] += values["revenue"] or 0
    return dict(heat), {day: (bookings, revenue) for day, (bookings, revenue) in sorted(daily.items())}


def comparison(now: Row, before: Row) -> list[tuple[str, int, int, bool]]:
    """(what, this period, the period before, whether it is an amount of money)."""
    return [
        ("Bookings", now.bookings, before.bookings, False),
        ("Completed sessions", now.completed, before.completed, False),
        ("Cancellations in time", now.cancelled, before.cancelled, False),
        ("Late cancellations", now.cancelled_late, before.cancelled_late, False),
        ("No-shows", now.no_shows, before.no_shows, False),
        ("Revenue", now.revenue_minor, before.revenue_minor, True),
        ("Expected revenue", now.expected_minor, before.expected_minor, True),
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


def report_extras(*, locations: list[Salon], period: Period) -> Extras:
    """Clients who came (completed sessions): new ones (their first session
    at these locations was in the period) and returning ones, and how many
    new ones came again within RETENTION_DAYS of their first; bookings by
    origin; feedback on the completed sessions; messages due in the period;
    how far the courses with a session in the period have come. Six
    queries. Clients' first visits are read in the first location's time
    zone (a business's locations rarely differ)."""
    if not locations:
        return Extras(0, 0, 0, 0, {}, 0, 0, None, 0, 0, {}, [])
    begins, ends = period.span(locations[0].zone)
    here = [location.pk for location in locations]
    visits_here = Appointment.objects.filter(status=Status.COMPLETED, room__salon_id__in=here).order_by()
    came = appointments_in(locations, period).filter(status=Status.COMPLETED).values("client_id")
    # Each client's first two visits here ever (a window over their visits,
    # numbered by time), with the first's time on both rows.
    visits = (
        visits_here.filter(client_id__in=came)
        .annotate(
            number=Window(RowNumber(), partition_by=[F("client_id")], order_by=[F("start").asc(), F("pk").asc()]),
            first=Window(Min("start"), partition_by=[F("client_id")]),
        )
        .filter(number__lte=2)
    )
    clients = visits.aggregate(
        seen=Count("pk", filter=Q(number=1)),
        new=Count("pk", filter=Q(number=1, first__gte=begins)),
        returning=Count("pk", filter=Q(number=1, first__lt=begins)),
        retained=Count(
            "pk",
            filter=Q(number=2, first__gte=begins, start__lte=F("first") + datetime.timedelta(days=RETENTION_DAYS)),
        ),
    )
    appointments = appointments_in(locations, period)
    origins = {
        values["origin"]: values["bookings"]
        for values in appointments.values("origin").annotate(bookings=Count("pk")).order_by("origin")
    }
    completed = appointments.filter(status=Status.COMPLETED)
    pressure = [
        (values["therapist__display_name"], values["routine__name"], values["given"], values["strong"], values["light"])
        for values in completed.filter(feedback__isnull=False)
        .values("therapist__display_name", "routine__name")
        .annotate(
            given=Count("feedback"),
            strong=Count("feedback", filter=Q(feedback__pressure="too_strong")),
            light=Count("feedback", filter=Q(feedback__pressure="too_light")),
        )
        .order_by("therapist__display_name", "routine__name")
    ]
    feedback = completed.aggregate(
        asked=Count("pk"),
        given=Count("feedback"),
        rating=Avg("feedback__overall"),
        too_strong=Count("feedback", filter=Q(feedback__pressure="too_strong")),
        too_light=Count("feedback", filter=Q(feedback__pressure="too_light")),
    )
    notifications: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for values in (
        Notification.objects.filter(appointment__room__salon_id__in=here, due_at__gte=begins, due_at__lt=ends)
        .values("kind", "channel", "status")
        .annotate(messages=Count("pk"))
        .order_by("kind", "channel", "status")
    ):
        notifications[values["kind"], values["channel"]][values["status"]] = values["messages"]
    # A course counts with all its sessions, also those outside the period: completion is the course's.
    courses = list(
        Course.objects.filter(pk__in=appointments.exclude(course=None).values("course_id"))
        .annotate(
            booked=Count("appointments", filter=~Q(appointments__status=Status.CANCELLED)),
            done=Count("appointments", filter=Q(appointments__status=Status.COMPLETED)),
        )
        .values_list("planned", "booked", "done")
    )
    return Extras(
        clients["seen"], clients["new"], clients["returning"], clients["retained"], origins,
        feedback["asked"], feedback["given"], feedback["rating"], feedback["too_strong"], feedback["too_light"],
        dict(notifications), pressure, len(courses), sum(row[0] for row in courses),
        sum(row[1] for row in courses), sum(row[2] for row in courses),
    )  # fmt: skip
