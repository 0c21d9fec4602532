"""What one booking through the API costs in queries (issue 20): a fixed
number, however many messages it writes, with the plan, the history and the
messages in the booking's own transaction."""

import datetime

import pytest
from django.utils import timezone

from salon.roles import Role
from sessions.models import Appointment, Notification
from tests.factories import UserFactory
from tests.helpers import BERLIN, at

pytestmark = pytest.mark.django_db

# Auth 2 (token with user, roles), input 5 (client, routine, therapist, room,
# location), locks 3 (client share, therapist, room with its time off),
# checks 10 (routine offered, steps, service lengths, the day's calendar 5,
# therapist free, room free), plan 3 (screening, last visit, insert), the
# booking, its history and its messages 1 each, the history read back 1:
# 27 (bench/booking.py prints them by phase), and the savepoint the test's own
# transaction turns the booking's transaction into, 2.
BOOKING_QUERIES = 29


@pytest.fixture
def desk(api_client, password):
    """A receptionist calling with a real token, so its lookup is counted."""
    UserFactory(username="desk-queries", roles=[Role.RECEPTIONIST])
    answer = api_client.post("/api/v1/auth/token/", {"username": "desk-queries", "password": password}, format="json")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    api_client.cookies.clear()  # the token alone, as a script calls: no session to load
    return api_client


@pytest.fixture
def days_ahead() -> datetime.date:
    """Far enough that both reminders and the second intake request are still ahead."""
    return (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=4)).date()


def test_a_booking_costs_a_fixed_number_of_queries_whatever_it_writes(
    desk, salon, therapist, room, routine, client_, days_ahead, django_assert_max_num_queries
):
    # given a client who takes reminders and has no screening yet: a confirmation,
    # two reminders and two intake requests to write
    client_.consent_reminders = True
    client_.save(update_fields=["consent_reminders"])
    body = {"client": client_.pk, "routine": routine.pk, "therapist": therapist.pk, "room": room.pk}
    warm = desk.post("/api/v1/appointments/", {**body, "start": at(days_ahead, 9).isoformat()}, format="json")
    assert warm.status_code == 201, warm.json()

    # when the desk books again
    with django_assert_max_num_queries(BOOKING_QUERIES):
        created = desk.post("/api/v1/appointments/", {**body, "start": at(days_ahead, 11).isoformat()}, format="json")

    # then the plan, the history and every message were written with it
    assert created.status_code == 201, created.json()
    appointment = Appointment.objects.get(pk=created.json()["id"])
    assert appointment.plan is not None
    assert [change.kind for change in appointment.changes.all()] == ["booked"]
    kinds = sorted(Notification.objects.filter(appointment=appointment).values_list("kind", flat=True))
    assert kinds == ["confirmation", "intake_request", "intake_request", "reminder", "reminder"]


def test_the_booking_answer_is_what_reading_it_back_gives(desk, salon, room, routine, client_, days_ahead):
    # given a booking that leaves the therapist and the room to the desk's choice
    body = {"client": client_.pk, "routine": routine.pk, "start": at(days_ahead, 10).isoformat()}

    # when it is made and then read back
    created = desk.post("/api/v1/appointments/", body, format="json")
    read = desk.get(f"/api/v1/appointments/{created.json()['id']}/")

    # then the answer to the booking was not made up from anything but the stored row
    assert created.status_code == 201, created.json()
    assert created.json() == read.json()
    assert created.json()["location"] == salon.pk
