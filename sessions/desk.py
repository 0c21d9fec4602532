"""The front desk's day grid, as plain data for the template: therapists as
columns, the salon's grid as rows, bookings and time off as blocks."""

import datetime
from dataclasses import dataclass, field

from clients.selectors import client_outcomes, outcome_flags
from salon.models import Salon
from sessions.availability import Calendar, from_minutes, to_minutes
from sessions.models import Appointment


@dataclass
class Block:
    row: int
    span: int
    column: int
    kind: str  # "appointment", "away", "off", "elsewhere" (at another location, or travelling)
    label: str = ""
    appointment: Appointment | None = None
    flags: list = field(default_factory=list)


@dataclass
class DeskDay:
    day: datetime.date
    therapists: list
    rows: list[tuple[int, datetime.datetime]]  # (row number, local start)
    blocks: list[Block]
    free: list[tuple[int, int, datetime.datetime, object]]  # (row, column, local start, therapist)

    @property
    def previous(self) -> datetime.date:
        return self.day - datetime.timedelta(days=1)

    @property
    def next(self) -> datetime.date:
        return self.day + datetime.timedelta(days=1)


def desk_day(*, salon: Salon, day: datetime.date) -> DeskDay:
    """Everything the grid shows for one day, from a fixed number of queries
    (the calendar's, the day's appointments, and the clients' screenings)."""
    calendar = Calendar.load(salon=salon, first_day=day, last_day=day)
    zone = salon.zone
    grid = salon.slot_minutes
    opened = calendar.open_intervals(day)
    if not opened:
        return DeskDay(day, calendar.therapists, [], [], [])
    first, last = opened[0][0], opened[-1][1]
    rows = [(index + 2, from_minutes(minute).astimezone(zone)) for index, minute in enumerate(range(first, last, grid))]

    def row_of(minute: int) -> int:
        return max(2, min((minute - first) // grid + 2, len(rows) + 2))

    appointments = list(
        Appointment.objects.filter(
            room__salon=salon,
            start__lt=from_minutes(last),
            busy_until__gt=from_minutes(first),
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("client__business", "routine", "room", "therapist")
        .order_by("start")
    )
    outcomes = client_outcomes([appointment.client for appointment in appointments])
    columns = {therapist.pk: index + 2 for index, therapist in enumerate(calendar.therapists)}
    blocks: list[Block] = []
    taken: dict[int, set[int]] = {column: set() for column in columns.values()}

    for appointment in appointments:
        column = columns.get(appointment.therapist_id)
        if column is None:
            continue
        start, end = to_minutes(appointment.start), to_minutes(appointment.busy_until)
        row = row_of(start)
        span = max(1, row_of(end) - row)
        taken[column].update(range(row, row + span))
        blocks.append(
            Block(
                row=row,
                span=span,
                column=column,
                kind="appointment",
                appointment=appointment,
                flags=outcome_flags(outcomes[appointment.client_id]),
            )
        )

    free, unavailable = _cells_without_bookings(calendar=calendar, day=day, rows=rows, columns=columns, taken=taken)
    return DeskDay(day, calendar.therapists, rows, blocks + unavailable, free)


def _cells_without_bookings(*, calendar: Calendar, day: datetime.date, rows, columns, taken):
    """The cells no booking covers: free while the therapist is on duty and
    not at another location (or on the way), else elsewhere, away (time off)
    or off."""
    free, unavailable = [], []
    for therapist in calendar.therapists:
        column = columns[therapist.pk]
        on_duty = calendar.therapist_on_duty(therapist, day)
        elsewhere = calendar.therapist_elsewhere.get(therapist.pk, [])
        previous_elsewhere = False
        for row, local in rows:
            minute = to_minutes(local)
            if row in taken[column]:
                previous_elsewhere = False
                continue
            on_duty_now = any(start <= minute < end for start, end in on_duty)
            away_elsewhere = on_duty_now and any(start <= minute < end for start, end in elsewhere)
            if away_elsewhere:
                label = "" if previous_elsewhere else "At another location"
                unavailable.append(Block(row=row, span=1, column=column, kind="elsewhere", label=label))
            elif on_duty_now:
                free.append((row, column, local, therapist))
            else:
                away = any(start <= minute < end for start, end in calendar.therapist_away.get(therapist.pk, []))
                unavailable.append(Block(row=row, span=1, column=column, kind="away" if away else "off"))
            previous_elsewhere = away_elsewhere
    return free, unavailable
