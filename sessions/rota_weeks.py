"""Reading rotas: a therapist's rotas at a location as periods (the rows
that share a valid_from and valid_to), their weeks A and B, summaries for
the rota pages, and "the coming weeks": the hours a therapist works day by
day, with closures, special hours and approved time off applied, as stored
or with a proposed rota put in place (nothing saved). A fixed number of
queries whatever the number of weeks, therapists or rows.

Alternating rotas store each shift's absolute week parity (``WorkingHours.
week_parity``, weeks counted from ``salon.models.WEEK_ZERO``), so a rota cut
in two by a temporary one keeps its weeks. People think in "week A" and
"week B": week A is the week (Monday to Sunday) containing the rota's first
day, and the letters here are always relative to that day."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Q

from salon.models import (
    WEEK_ZERO,
    OpeningHours,
    Salon,
    SpecialDay,
    Therapist,
    TimeOff,
    Weekday,
    WorkingHours,
    week_parity,
)
from sessions.availability import from_minutes, intersect, local_instant, merge, subtract, to_minutes

WEEKS = ("A", "B")
WEEKDAY_NAMES = [label for _, label in Weekday.choices]
WEEKDAY_SHORT = [name[:3] for name in WEEKDAY_NAMES]
COMING_WEEKS = 8

Span = tuple[datetime.time, datetime.time]


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def next_monday(day: datetime.date) -> datetime.date:
    """The first Monday after ``day`` (a week later when ``day`` is one)."""
    return monday_of(day) + datetime.timedelta(days=7)


def parity_for(week: str | None, *, week_a: datetime.date) -> int | None:
    """The stored parity of a shift in ``week`` ("A", "B", or None for every
    week) of a rota whose week A contains ``week_a``."""
    if week is None:
        return None
    first = week_parity(week_a)
    return first if week == "A" else 1 - first


def week_letter(parity: int | None, *, week_a: datetime.date | None) -> str | None:
    """The week, A or B, of a stored parity, relative to the week containing
    ``week_a`` (weeks count from WEEK_ZERO when it is None); None: every week."""
    if parity is None:
        return None
    return "A" if parity == week_parity(week_a or WEEK_ZERO) else "B"


def spans_words(spans: list[Span]) -> str:
    return ", ".join(f"{starts:%H:%M}–{ends:%H:%M}" for starts, ends in spans)


@dataclass
class RotaPeriod:
    """The rows of one rota: the same first and last day."""

    valid_from: datetime.date | None
    valid_to: datetime.date | None
    shifts: list[WorkingHours] = field(default_factory=list)

    @property
    def alternating(self) -> bool:
        return any(shift.week_parity is not None for shift in self.shifts)

    def covers(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def letter(self, shift: WorkingHours) -> str | None:
        return week_letter(shift.week_parity, week_a=self.valid_from)

    def week_of(self, day: datetime.date) -> str | None:
        """Week "A" or "B" of this rota that ``day`` is in (None when it does not alternate)."""
        if not self.alternating:
            return None
        return "A" if week_parity(day) == week_parity(self.valid_from or WEEK_ZERO) else "B"

    def days(self) -> list[dict]:
        """Each weekday with its shifts: every week, in week A, in week B,
        and in words ("09:00–13:00, 15:00–19:00; 10:00–14:00 (week A)")."""
        days = []
        for weekday, name in enumerate(WEEKDAY_NAMES):
            mine = sorted((shift for shift in self.shifts if shift.weekday == weekday), key=lambda s: s.starts)
            day = {
                "weekday": weekday,
                "name": name,
                "every": [(s.starts, s.ends) for s in mine if s.week_parity is None],
                "A": [(s.starts, s.ends) for s in mine if self.letter(s) == "A"],
                "B": [(s.starts, s.ends) for s in mine if self.letter(s) == "B"],
            }
            parts = [spans_words(day["every"])] if day["every"] else []
            parts += [f"{spans_words(day[week])} (week {week})" for week in WEEKS if day[week]]
            day["words"] = "; ".join(parts)
            days.append(day)
        return days

    def grids(self, *, week_a: datetime.date) -> tuple[dict[int, list[Span]], dict[int, list[Span]]]:
        """The shifts an editor shows in its week A and week B grids for a
        rota whose week A contains ``week_a``: every week's shifts in both."""
        first, second = defaultdict(list), defaultdict(list)
        for shift in self.shifts:
            if shift.week_parity is None or shift.week_parity == week_parity(week_a):
                first[shift.weekday].append((shift.starts, shift.ends))
            if shift.week_parity is None or shift.week_parity != week_parity(week_a):
                second[shift.weekday].append((shift.starts, shift.ends))
        return dict(first), dict(second)

    def summary(self) -> str:
        """One line, consecutive days alike run together:
        "Mon–Fri 09:00–17:00 · Sat 10:00–14:00 (week A)"."""
        words = [day["words"] for day in self.days()]
        runs = []
        for text, run in groupby(enumerate(words), key=lambda item: item[1]):
            if not text:
                continue
            weekdays = [weekday for weekday, _ in run]
            name = WEEKDAY_SHORT[weekdays[0]]
            if len(weekdays) > 1:
                name += f"–{WEEKDAY_SHORT[weekdays[-1]]}"
            runs.append(f"{name} {text}")
        return " · ".join(runs) or "No shifts"


def rota_periods(rows) -> list[RotaPeriod]:
    """``rows`` (WorkingHours of one therapist at one location) as rotas, by first day."""
    periods: dict[tuple, RotaPeriod] = {}
    for row in rows:
        key = (row.valid_from, row.valid_to)
        periods.setdefault(key, RotaPeriod(row.valid_from, row.valid_to)).shifts.append(row)
    return sorted(periods.values(), key=lambda period: period.valid_from or datetime.date.min)


def period_on(periods: list[RotaPeriod], day: datetime.date) -> RotaPeriod | None:
    return next((period for period in periods if period.covers(day)), None)


@dataclass
class RotaOutlook:
    """A therapist's rota at a location seen from ``today``: the one in force
    and the next change (a new rota, or none from a date)."""

    therapist: Therapist
    current: RotaPeriod | None
    next_change: datetime.date | None
    next_period: RotaPeriod | None  # None with a next_change: not working here from then


def rota_outlook(therapist: Therapist, rows: list[WorkingHours], *, today: datetime.date) -> RotaOutlook:
    periods = [period for period in rota_periods(rows) if period.valid_to is None or period.valid_to >= today]
    current = period_on(periods, today)
    boundaries = sorted(
        {period.valid_from for period in periods if period.valid_from and period.valid_from > today}
        | {period.valid_to + datetime.timedelta(days=1) for period in periods if period.valid_to is not None}
    )
    next_change = boundaries[0] if boundaries else None
    next_period = period_on(periods, next_change) if next_change else None
    return RotaOutlook(therapist, current, next_change, next_period)


def rota_outlooks(*, salon: Salon, therapists: list[Therapist], today: datetime.date) -> list[RotaOutlook]:
    """Each therapist's rota outlook at ``salon``, from one query."""
    rows: dict[int, list[WorkingHours]] = defaultdict(list)
    current = WorkingHours.objects.filter(salon=salon, therapist__in=therapists).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=today)
    )
    for row in current.order_by("valid_from", "weekday", "starts"):
        rows[row.therapist_id].append(row)
    return [rota_outlook(therapist, rows[therapist.pk], today=today) for therapist in therapists]


def therapist_rota_rows(*, salon: Salon, therapist: Therapist, since: datetime.date) -> list[WorkingHours]:
    """The therapist's shifts at ``salon`` still in force on or after ``since``."""
    return list(
        WorkingHours.objects.filter(salon=salon, therapist=therapist)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=since))
        .order_by("valid_from", "weekday", "starts")
    )


# The coming weeks.


@dataclass(frozen=True)
class ProposedRota:
    """A rota as a manager is writing it: unsaved rows from ``valid_from``
    (to ``valid_to``); outside those days the stored rotas stay, as
    ``rota_set`` would leave them."""

    valid_from: datetime.date
    valid_to: datetime.date | None
    shifts: tuple[WorkingHours, ...]
    week_a: datetime.date | None = None  # a day in week A; None: valid_from

    def covers(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def week_of(self, day: datetime.date) -> str | None:
        if all(shift.week_parity is None for shift in self.shifts):
            return None
        return "A" if week_parity(day) == week_parity(self.week_a or self.valid_from) else "B"


@dataclass
class DayCell:
    day: datetime.date
    worked: list[Span]  # what the therapist can be booked for: the rota within opening hours, less time off
    rota: list[Span]  # what the rota says
    closure: str | None = None  # the reason (else "Closed") when the location is closed that day
    special_hours: bool = False  # the location keeps other hours that day
    away: bool = False  # approved time off takes some or all of the rota's hours
    changed: bool = False  # differs from the stored rota (previews)
    past: bool = False

    @property
    def words(self) -> str:
        return spans_words(self.worked)


@dataclass
class WeekRow:
    monday: datetime.date
    week: str | None  # the rota's week "A" or "B" when it alternates
    days: list[DayCell]

    @property
    def hours(self) -> float:
        minutes = sum(
            (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
            for cell in self.days
            for starts, ends in cell.worked
        )
        return minutes / 60


def _local_spans(intervals, zone) -> list[Span]:
    return [(from_minutes(start, zone).time(), from_minutes(end, zone).time()) for start, end in intervals]


def coming_weeks(
    *,
    salon: Salon,
    therapist: Therapist,
    first_monday: datetime.date,
    today: datetime.date,
    weeks: int = COMING_WEEKS,
    proposal: ProposedRota | None = None,
) -> list[WeekRow]:
    """``weeks`` weeks from ``first_monday``: each day's hours worked at
    ``salon`` by ``therapist`` (rota, opening hours and special days, approved
    time off), with ``proposal`` in place of the stored rotas on its days.
    Four queries: the rows, the weekly hours, the special days, the time off."""
    zone = salon.zone
    last_day = first_monday + datetime.timedelta(days=7 * weeks - 1)
    stored = list(
        WorkingHours.objects.filter(salon=salon, therapist=therapist).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=last_day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=first_monday),
        )
    )
    periods = rota_periods(stored)
    opening: dict[int, list[OpeningHours]] = defaultdict(list)
    for hours in OpeningHours.objects.filter(salon=salon):
        opening[hours.weekday].append(hours)
    special: dict[datetime.date, list[SpecialDay]] = defaultdict(list)
    for hours in SpecialDay.objects.filter(salon=salon, day__gte=first_monday, day__lte=last_day):
        special[hours.day].append(hours)
    since = local_instant(first_monday, datetime.time(0), zone)
    until = local_instant(last_day + datetime.timedelta(days=1), datetime.time(0), zone)
    away = merge(
        [
            (to_minutes(start), to_minutes(end))
            for start, end in TimeOff.objects.filter(
                therapist=therapist, status=TimeOff.Status.APPROVED, start__lt=until, end__gt=since
            ).values_list("start", "end")
        ]
    )

    def minutes(day, rows, start_attr, end_attr):
        return merge(
            [
                (
                    to_minutes(local_instant(day, getattr(row, start_attr), zone)),
                    to_minutes(local_instant(day, getattr(row, end_attr), zone)),
                )
                for row in rows
            ]
        )

    def cell(day: datetime.date, shifts) -> DayCell:
        rota = minutes(day, [shift for shift in shifts if shift.applies_on(day)], "starts", "ends")
        specials = special.get(day)
        closure = None
        if specials is not None and any(hours.closed for hours in specials):
            open_now = []
            closure = next((hours.reason for hours in specials if hours.reason), "") or "Closed"
        else:
            open_now = minutes(day, opening.get(day.weekday(), []) if specials is None else specials, "opens", "closes")
        on_duty = intersect(rota, open_now)
        worked = subtract(on_duty, away)
        return DayCell(
            day=day,
            worked=_local_spans(worked, zone),
            rota=_local_spans(rota, zone),
            closure=closure,
            special_hours=specials is not None and closure is None,
            away=worked != on_duty,
            past=day < today,
        )

    rows = []
    for week in range(weeks):
        monday = first_monday + datetime.timedelta(days=7 * week)
        cells = []
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            now = cell(day, stored)
            if proposal is not None and proposal.covers(day):
                then = cell(day, proposal.shifts)
                then.changed = then.worked != now.worked
                now = then
            cells.append(now)
        sunday = monday + datetime.timedelta(days=6)
        if proposal is not None and proposal.covers(sunday):
            week = proposal.week_of(monday)
        else:
            in_force = period_on(periods, sunday) or period_on(periods, monday)
            week = in_force.week_of(monday) if in_force else None
        rows.append(WeekRow(monday, week, cells))
    return rows
