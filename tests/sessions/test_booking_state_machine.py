"""A hypothesis state machine over booking, cancelling, rescheduling, time off
and moving a booking to the next day. After every step: no therapist or room
is double-booked; every offered slot can be booked; a start that is not
offered cannot be booked."""

import contextlib
import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from salon.errors import Conflict, InvalidInput
from salon.models import TimeOff
from sessions.models import Appointment
from sessions.selectors import availability
from sessions.services.booking import appointment_book, appointment_reschedule
from sessions.services.lifecycle import appointment_transition
from tests.factories import (
    ClientFactory,
    RoomFactory,
    SalonFactory,
    TherapistFactory,
    open_every_day,
    short_routine,
    works_every_day,
)

NOW = datetime.datetime(2027, 2, 1, 7, tzinfo=datetime.UTC)  # a Monday morning
DAYS = [datetime.date(2027, 2, 1), datetime.date(2027, 2, 2)]
REFUSALS = (Conflict, InvalidInput)


def overlaps(column: str) -> list:
    active = list(
        Appointment.objects.filter(status__in=Appointment.HOLDS_TIME).values_list(column, "start", "busy_until")
    )
    return [
        (a, b)
        for index, a in enumerate(active)
        for b in active[index + 1 :]
        if a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
    ]


class Booking(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        Appointment.objects.all().delete()
        TimeOff.objects.all().delete()
        self.salon = SALON["salon"]
        self.routine = SALON["routine"]
        self.client = SALON["client"]
        self.therapists = SALON["therapists"]

    def at(self, day: int, quarter: int) -> datetime.datetime:
        local = datetime.datetime.combine(DAYS[day], datetime.time(8), tzinfo=self.salon.zone)
        return local + datetime.timedelta(minutes=15 * quarter)

    def active(self):
        return list(Appointment.objects.filter(status=Appointment.Status.BOOKED).order_by("pk"))

    @rule(day=st.integers(0, 1), quarter=st.integers(0, 47), therapist=st.integers(0, 1))
    def book(self, day, quarter, therapist):
        with contextlib.suppress(*REFUSALS):
            appointment_book(
                client=self.client,
                routine=self.routine,
                start=self.at(day, quarter),
                therapist=self.therapists[therapist],
                now=NOW,
            )

    @rule(pick=st.integers(0, 20))
    def cancel(self, pick):
        active = self.active()
        if active:
            appointment_transition(appointment=active[pick % len(active)], to_status="cancelled", reason="test")

    @rule(pick=st.integers(0, 20), day=st.integers(0, 1), quarter=st.integers(0, 47))
    def reschedule(self, pick, day, quarter):
        active = self.active()
        if active:
            with contextlib.suppress(*REFUSALS):
                appointment_reschedule(appointment=active[pick % len(active)], start=self.at(day, quarter), now=NOW)

    @rule(pick=st.integers(0, 20))
    def move_to_the_next_day(self, pick):
        active = [appointment for appointment in self.active() if appointment.start.date() < DAYS[-1]]
        if active:
            appointment = active[pick % len(active)]
            with contextlib.suppress(*REFUSALS):
                appointment_reschedule(
                    appointment=appointment, start=appointment.start + datetime.timedelta(days=1), now=NOW
                )

    @rule(therapist=st.integers(0, 1), day=st.integers(0, 1), quarter=st.integers(0, 40), quarters=st.integers(1, 8))
    def time_off(self, therapist, day, quarter, quarters):
        start = self.at(day, quarter)
        TimeOff.objects.create(
            therapist=self.therapists[therapist], start=start, end=start + datetime.timedelta(minutes=15 * quarters)
        )

    @invariant()
    def count_steps(self):
        self.step = getattr(self, "step", -1) + 1

    @invariant()
    def nobody_is_double_booked(self):
        assert overlaps("therapist_id") == []
        assert overlaps("room_id") == []

    @invariant()
    def offered_slots_can_be_booked_and_others_cannot(self):
        slots, _ = availability(salon=self.salon, routine=self.routine, first_day=DAYS[0], last_day=DAYS[-1], now=NOW)
        offered = {(slot.as_dict()["start"], slot.therapist) for slot in slots}
        # A sample of grid times each step (hypothesis varies the bookings
        # around them), offered and not offered alike.
        grid = [(self.at(day, quarter), t) for day in (0, 1) for quarter in range(2, 40, 7) for t in self.therapists]
        for start, therapist in grid[self.step % 3 :: 3]:
            is_offered = (start.astimezone(datetime.UTC), therapist.pk) in offered
            attempt = transaction.savepoint()
            try:
                appointment_book(client=self.client, routine=self.routine, start=start, therapist=therapist, now=NOW)
                booked = True
            except REFUSALS:
                booked = False
            finally:
                transaction.savepoint_rollback(attempt)
            assert booked == is_offered, (start, therapist, is_offered)


SALON: dict = {}


@pytest.mark.django_db
def test_booking_keeps_its_invariants():
    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=0, booking_horizon_days=30)
    open_every_day(salon, datetime.time(8), datetime.time(20))
    therapists = [TherapistFactory(salon=salon, display_name=name) for name in ("Anna", "Jonas")]
    for therapist in therapists:
        works_every_day(therapist, datetime.time(9), datetime.time(16))
    for name in ("Linden", "Birke"):
        RoomFactory(salon=salon, name=name)
    SALON.update(
        salon=salon,
        therapists=therapists,
        routine=short_routine(minutes=45, turnover=15),
        client=ClientFactory(salon=salon),
    )
    run_state_machine_as_test(
        Booking,
        settings=settings(
            max_examples=15, stateful_step_count=10, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
