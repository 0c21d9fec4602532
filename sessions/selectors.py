"""Reads of sessions: availability and appointments."""

import datetime

from django.utils import timezone

from clients.models import Client
from clients.selectors import client_outcome
from routines.models import RoutineTemplate
from routines.selectors import routine_spec
from salon.models import Salon
from sessions.availability import Calendar, Slot, booking_lengths, to_minutes
from sessions.models import Appointment
from sessions.plans import PlanNotPossible, build_plan

MAX_DAYS = 62


def availability(
    *,
    salon: Salon,
    routine: RoutineTemplate,
    first_day: datetime.date,
    last_day: datetime.date,
    therapist_id: int | None = None,
    client: Client | None = None,
    now: datetime.datetime | None = None,
) -> tuple[list[Slot], str]:
    """Bookable starts for the routine, and a reason when there are none
    because of the client's screening (worded for the front desk)."""
    spec = routine_spec(routine)
    slot_minutes, session_minutes = booking_lengths(spec, salon)
    if client is not None:
        try:
            build_plan(routine=spec, outcome=client_outcome(client), booked_minutes=session_minutes)
        except PlanNotPossible:
            return [], "A therapist must review this client's health screening before this routine can be booked."
    now = now or timezone.now()
    calendar = Calendar.load(
        salon=salon,
        first_day=first_day,
        last_day=last_day,
        qualification=spec.qualification,
        therapist_id=therapist_id,
    )
    slots = calendar.slots(
        first_day=first_day,
        last_day=last_day,
        slot_minutes=slot_minutes,
        session_minutes=session_minutes,
        earliest=to_minutes(now + datetime.timedelta(minutes=salon.min_notice_minutes)),
        latest_start=to_minutes(now + datetime.timedelta(days=salon.booking_horizon_days)),
    )
    return slots, ""


def appointments_between(*, salon: Salon, since: datetime.datetime, until: datetime.datetime, therapist_id=None):
    appointments = Appointment.objects.filter(room__salon=salon, start__lt=until, busy_until__gt=since).select_related(
        "client", "therapist", "room", "routine"
    )
    if therapist_id:
        appointments = appointments.filter(therapist_id=therapist_id)
    return appointments.order_by("start", "pk")
