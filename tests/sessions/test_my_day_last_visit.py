"""'Last time' on "my day", the session page and /api/v1/day/: each client's
latest completed visit, read in queries that do not grow with their history."""

import datetime

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from sessions.models import Appointment
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.running import session_complete, session_pressure_record
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db


def completed_visit(client, routine, therapist, start, *, advice, verdict="right"):
    """A visit at ``start`` (in the past), run and completed with ``advice``
    and one pressure verdict."""
    visit = appointment_book(
        client=client, routine=routine, start=start, therapist=therapist, now=start - datetime.timedelta(days=1)
    )
    for status in ("checked_in", "in_progress"):
        visit = appointment_transition(appointment=visit, to_status=status, now=start)
    session_pressure_record(appointment=visit, verdict=verdict, step=1)
    return session_complete(appointment=visit, by=therapist.user, advice=advice)


def cost_of(action) -> tuple[int, int]:
    """The queries ``action`` sends and the appointments it loads (rows made into models)."""
    loaded = 0

    def count(sender, **kwargs):
        nonlocal loaded
        loaded += 1

    post_init.connect(count, sender=Appointment)
    try:
        with CaptureQueriesContext(connection) as captured:
            action()
    finally:
        post_init.disconnect(count, sender=Appointment)
    return len(captured.captured_queries), loaded


def test_the_last_visit_is_the_latest_completed_one_even_when_booked_after_older_ones(
    client, api_client, salon, therapist, room, routine, client_, tomorrow
):
    # Given a history written out of order: the latest visit is not the last row
    completed_visit(client_, routine, therapist, at(tomorrow - datetime.timedelta(days=3), 10), advice="Latest advice")
    for days_ago in (30, 20, 10):
        completed_visit(
            client_, routine, therapist, at(tomorrow - datetime.timedelta(days=days_ago), 10),
            advice=f"Advice of {days_ago} days ago", verdict="too_light",
        )  # fmt: skip
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    sign_in(client, therapist.user)
    api_client.force_authenticate(therapist.user)

    # When the therapist reads the day on the page and through the API
    html = client.get(f"/my-day/?date={tomorrow}").content.decode()
    (entry,) = api_client.get(f"/api/v1/day/?date={tomorrow}", HTTP_ACCEPT_LANGUAGE="en").json()["sessions"]

    # Then both show the latest visit, its advice and its pressure, and nothing older
    latest_day = tomorrow - datetime.timedelta(days=3)
    assert f"Last time ({latest_day.day} {latest_day:%b}, {therapist.display_name})" in html
    assert "<strong>Latest advice</strong>" in html
    assert "step 1 right." in html
    assert "days ago" not in html
    assert entry["last_visit"]["date"].startswith(latest_day.isoformat())
    assert entry["last_visit"]["advice"] == "Latest advice"
    assert entry["last_visit"]["pressure"] == [{"step": 1, "verdict": "right"}]


def test_the_day_costs_the_same_queries_whatever_the_clients_history(
    client, api_client, salon, therapist, room, routine, client_, tomorrow, django_assert_max_num_queries
):
    # Given a client with one past visit, coming tomorrow
    completed_visit(client_, routine, therapist, at(tomorrow - datetime.timedelta(days=2), 10), advice="First")
    booked = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    sign_in(client, therapist.user)
    api_client.force_authenticate(therapist.user)
    addresses = {
        "page": lambda: client.get(f"/my-day/?date={tomorrow}"),
        "session page": lambda: client.get(f"/sessions/{booked.pk}/"),
        "api": lambda: api_client.get(f"/api/v1/day/?date={tomorrow}"),
    }
    for read in addresses.values():
        assert read().status_code == 200
    with_one_visit = {name: cost_of(read) for name, read in addresses.items()}

    # When the client has been many times more
    for days_ago in range(4, 40, 3):
        completed_visit(client_, routine, therapist, at(tomorrow - datetime.timedelta(days=days_ago), 10), advice="Old")

    # Then each read sends the same queries and loads the same rows as before
    # (one past visit per client), and the page still its fixed number
    assert {name: cost_of(read) for name, read in addresses.items()} == with_one_visit
    with django_assert_max_num_queries(14):
        html = client.get(f"/my-day/?date={tomorrow}").content.decode()
    assert "<strong>First</strong>" in html
