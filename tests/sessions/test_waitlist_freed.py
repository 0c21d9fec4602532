"""Freed time sends the waitlist task only when someone waits who could be
offered it: most moves and cancellations find no one and send nothing."""

import datetime

import pytest

from routines.services import service_set
from sessions.models import Appointment, WaitlistEntry
from sessions.services.booking import appointment_book, appointment_reschedule
from sessions.services.lifecycle import appointment_transition
from sessions.services.waitlist import waitlist_join, waitlist_may_want
from sessions.tasks import waitlist_offer_freed
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def online(salon, routine):
    service_set(salon=salon, routine=routine, lengths=[(60, 7000)], online=True)
    return routine


@pytest.fixture
def soon(tomorrow):
    return tomorrow + datetime.timedelta(days=1)


@pytest.fixture
def sent(monkeypatch, eager_celery):
    """The freed ranges the waitlist task was sent for (after commit)."""
    ranges = []
    monkeypatch.setattr(waitlist_offer_freed, "delay", lambda *args: ranges.append(args))
    return ranges


def wait_for(salon, routine, first_day, last_day=None):
    return waitlist_join(
        salon=salon, routine=routine, first_day=first_day, last_day=last_day or first_day,
        given_name="Ada", family_name="Neu", email="ada@example.com", minutes=60,
    )  # fmt: skip


def test_a_cancellation_with_nobody_waiting_sends_no_task(
    salon, therapist, room, online, client_, soon, sent, django_capture_on_commit_callbacks
):
    booked = appointment_book(client=client_, routine=online, start=at(soon, 10), minutes=60)

    with django_capture_on_commit_callbacks(execute=True):
        appointment_transition(appointment=booked, to_status=Appointment.Status.CANCELLED, reason="Ill")

    assert sent == []


def test_entries_for_other_days_or_no_longer_waiting_send_no_task(
    salon, therapist, room, online, client_, soon, sent, django_capture_on_commit_callbacks
):
    # Given Ada waits for the day after, and Ben waited for the day but was booked meanwhile
    wait_for(salon, online, soon + datetime.timedelta(days=1))
    ben = wait_for(salon, online, soon)
    WaitlistEntry.objects.filter(pk=ben.pk).update(status=WaitlistEntry.Status.BOOKED)
    booked = appointment_book(client=client_, routine=online, start=at(soon, 10), minutes=60)

    # When the booking moves to the day after that
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=booked, start=at(soon + datetime.timedelta(days=2), 10))

    # Then no one could be offered 10:00 on the day
    assert sent == []


def test_a_cancellation_someone_waits_for_sends_the_task(
    salon, therapist, room, online, client_, soon, sent, django_capture_on_commit_callbacks
):
    # Given Ada waits for a range of days that ends on the day
    wait_for(salon, online, soon - datetime.timedelta(days=1), soon)
    booked = appointment_book(client=client_, routine=online, start=at(soon, 10), minutes=60)

    with django_capture_on_commit_callbacks(execute=True):
        appointment_transition(appointment=booked, to_status=Appointment.Status.CANCELLED, reason="Ill")

    assert sent == [(salon.pk, booked.start.isoformat(), booked.busy_until.isoformat())]


def test_the_days_are_the_locations_not_utcs(salon, online, soon):
    # Given Ada waits for the day before; 00:15 in Berlin is still that day in UTC
    wait_for(salon, online, soon - datetime.timedelta(days=1))

    # Then time freed just after midnight is not for her, time freed just before it is
    assert not waitlist_may_want(salon=salon, start=at(soon, 0, 15), end=at(soon, 1, 15))
    assert waitlist_may_want(salon=salon, start=at(soon, 0) - datetime.timedelta(minutes=30), end=at(soon, 0, 15))
