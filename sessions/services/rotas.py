"""A therapist's rota at a location: the week's shifts from a date (and
optionally until one), set so that next month's rota can be written now
without changing this month's. A rota that would leave a booked session
outside the therapist's hours is refused with those sessions named."""

import datetime
from itertools import pairwise

from django.db import transaction
from django.db.models import Q

from salon.errors import InvalidInput, validate
from salon.models import Salon, Therapist, WorkingHours
from sessions.availability import local_instant
from sessions.models import Appointment
from sessions.services.closures import refuse_if_booked, within_hours

Shift = tuple[int, datetime.time, datetime.time]  # weekday (0 = Monday), starts, ends


def _check_shifts(shifts: list[Shift]) -> list[Shift]:
    ordered = sorted(shifts)
    for weekday, starts, ends in ordered:
        if not 0 <= weekday <= 6:
            raise InvalidInput("A weekday is 0 (Monday) to 6 (Sunday).", fields={"shifts": ["Unknown weekday."]})
        if ends <= starts:
            raise InvalidInput("A shift ends after it starts.", fields={"shifts": ["Ends before it starts."]})
    for (day, _, ends), (next_day, next_starts, _) in pairwise(ordered):
        if day == next_day and next_starts < ends:
            raise InvalidInput("Shifts on one day must not overlap.", fields={"shifts": ["They overlap."]})
    return ordered


def _sessions_outside(
    *, therapist: Therapist, salon: Salon, shifts: list[Shift], since: datetime.date, until: datetime.date | None
) -> list[Appointment]:
    """The therapist's sessions at ``salon`` from ``since`` (to ``until``)
    that the new shifts would not cover."""
    zone = salon.zone
    sessions = Appointment.objects.filter(
        therapist=therapist,
        room__salon=salon,
        status__in=Appointment.HOLDS_TIME,
        start__gte=local_instant(since, datetime.time(0), zone),
    )
    if until is not None:
        sessions = sessions.filter(start__lt=local_instant(until + datetime.timedelta(days=1), datetime.time(0), zone))
    outside = []
    for session in sessions.select_related("client", "therapist").order_by("start"):
        day = session.start.astimezone(zone).date()
        hours = [(starts, ends) for weekday, starts, ends in shifts if weekday == day.weekday()]
        if not within_hours(session, day=day, hours=hours, zone=zone):
            outside.append(session)
    return outside


@transaction.atomic
def rota_set(
    *,
    therapist: Therapist,
    salon: Salon,
    valid_from: datetime.date,
    shifts: list[Shift],
    valid_to: datetime.date | None = None,
) -> list[WorkingHours]:
    """The therapist's shifts at ``salon`` from ``valid_from`` (to
    ``valid_to``, after which the rota before resumes). No shifts at all
    means not working there in that time."""
    if valid_to is not None and valid_to < valid_from:
        raise InvalidInput("The rota ends before it starts.", fields={"valid_to": ["Before the first day."]})
    shifts = _check_shifts(shifts)
    Therapist.objects.select_for_update().filter(pk=therapist.pk).first()  # as booking locks them
    refuse_if_booked(
        salon,
        _sessions_outside(therapist=therapist, salon=salon, shifts=shifts, since=valid_from, until=valid_to),
        field="shifts",
    )
    rows = WorkingHours.objects.filter(therapist=therapist, salon=salon)
    day_before = valid_from - datetime.timedelta(days=1)
    for row in rows.exclude(valid_from__gte=valid_from).exclude(valid_to__lt=valid_from):
        # A shift running into the new rota stops the day before it, and comes back after it.
        if valid_to is not None and (row.valid_to is None or row.valid_to > valid_to):
            WorkingHours.objects.create(
                therapist=therapist, salon=salon, weekday=row.weekday, starts=row.starts, ends=row.ends,
                valid_from=valid_to + datetime.timedelta(days=1), valid_to=row.valid_to,
            )  # fmt: skip
        row.valid_to = day_before
        row.save(update_fields=["valid_to"])
    superseded = rows.filter(valid_from__gte=valid_from)
    if valid_to is not None:
        superseded = superseded.filter(valid_from__lte=valid_to)
        # A rota planned from inside this one, and running past it, starts after it instead.
        superseded.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_to)).update(
            valid_from=valid_to + datetime.timedelta(days=1)
        )
    superseded.delete()
    made = []
    for weekday, starts, ends in shifts:
        shift = WorkingHours(
            therapist=therapist, salon=salon, weekday=weekday, starts=starts, ends=ends,
            valid_from=valid_from, valid_to=valid_to,
        )  # fmt: skip
        validate(shift)
        shift.save()
        made.append(shift)
    return made
