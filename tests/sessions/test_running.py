"""Starting a session: the plan's refresh and the start in one transaction."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sessions.models import Appointment
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import screening_for
from tests.helpers import at

pytestmark = pytest.mark.django_db

# A session written without a plan (as bench.load writes today's) builds it at the start:
# 20 when the refresh and the start were two transactions, the row locked in each.
START_WITHOUT_PLAN_QUERIES = 15


@pytest.fixture
def checked_in(salon, therapist, room, routine, client_, tomorrow):
    screening_for(client_)
    booked = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    return appointment_transition(appointment=booked, to_status="checked_in", now=booked.start)


def test_a_session_without_a_plan_gets_one_and_starts_locked_once(
    api_client, therapist, checked_in, django_assert_max_num_queries
):
    Appointment.objects.filter(pk=checked_in.pk).update(plan=None)
    api_client.force_authenticate(therapist.user)

    with django_assert_max_num_queries(START_WITHOUT_PLAN_QUERIES), CaptureQueriesContext(connection) as sent:
        started = api_client.post(f"/api/v1/appointments/{checked_in.pk}/start/")

    assert started.status_code == 200, started.content
    assert started.json()["status"] == "in_progress"
    assert started.json()["history"][-1]["to_status"] == "in_progress"
    assert Appointment.objects.get(pk=checked_in.pk).plan is not None
    locks = [query["sql"] for query in sent.captured_queries if "FOR UPDATE" in query["sql"]]
    if connection.vendor == "postgresql":  # SQLite has no row locks to ask for
        assert len(locks) == 1


def test_a_session_started_as_read_is_refused_the_second_time(api_client, therapist, checked_in):
    api_client.force_authenticate(therapist.user)
    base = f"/api/v1/appointments/{checked_in.pk}"

    first = api_client.post(f"{base}/start/")
    again = api_client.post(f"{base}/start/")

    assert first.status_code == 200
    assert again.status_code == 409
    assert again.json()["code"] == "invalid_transition"
    assert [change["to_status"] for change in api_client.get(f"{base}/").json()["history"]].count("in_progress") == 1
