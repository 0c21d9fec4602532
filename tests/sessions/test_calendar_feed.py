"""A therapist's private calendar feed: what a phone subscribes to."""

import datetime

import icalendar
import pytest

from salon.selectors import calendar_feed_url
from sessions.services.booking import appointment_book, appointment_reschedule
from sessions.services.lifecycle import appointment_transition
from tests.factories import (
    ClientFactory,
    RoomFactory,
    TherapistFactory,
    UserFactory,
    routine_create_for_test,
    screening_for,
    works_every_day,
)
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def pregnancy_routine(db):
    """A routine whose very name is health data."""
    return routine_create_for_test(
        slug="pregnancy-side-lying", name="Pregnancy side-lying massage", turnover_minutes=15
    )


@pytest.fixture
def sabine(salon):
    person = ClientFactory(salon=salon, given_name="Sabine", family_name="Krüger")
    screening_for(person, allergies="almond oil")
    return person


def fetch(client, url):
    return client.get(url.removeprefix(SITE))


def events(response) -> list:
    return icalendar.Calendar.from_ical(response.content).walk("VEVENT")


def test_the_feed_lists_the_therapists_sessions_without_health_data(
    client, salon, therapist, room, routine, pregnancy_routine, sabine, tomorrow
):
    """Given sessions of hers (booked, completed, cancelled, far ahead) and a
    colleague's, when her phone fetches the feed, then it lists her current
    and recent sessions with time, room and first name, and nothing else."""
    upcoming = appointment_book(client=sabine, routine=pregnancy_routine, start=at(tomorrow, 10))
    done = appointment_book(client=sabine, routine=routine, start=at(tomorrow, 13))
    for status in ("checked_in", "in_progress", "completed"):
        appointment_transition(appointment=done, to_status=status, now=done.start)
    called_off = appointment_book(client=sabine, routine=routine, start=at(tomorrow, 15))
    appointment_transition(appointment=called_off, to_status="cancelled", reason="Ill")
    appointment_book(client=sabine, routine=routine, start=at(tomorrow + datetime.timedelta(days=95), 10))
    colleague = TherapistFactory(salon=salon, display_name="Ben")
    works_every_day(colleague)
    RoomFactory(salon=salon, name="Birke")
    appointment_book(client=sabine, routine=routine, start=at(tomorrow, 10), therapist=colleague)

    response = fetch(client, calendar_feed_url(therapist))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["Referrer-Policy"] == "no-referrer"
    listed = events(response)
    assert [event.decoded("dtstart") for event in listed] == [upcoming.start, done.start]
    first = listed[0]
    assert str(first["summary"]) == "Massage: Sabine K."
    assert str(first["location"]) == f"Linden, {salon.name}"
    assert str(first["url"]) == f"{SITE}/sessions/{upcoming.pk}/"
    body = response.content.decode()
    for private in ("Pregnancy", "pregnancy", "Krüger", "almond", "Ill"):
        assert private not in body


def test_a_moved_session_keeps_its_uid_and_raises_its_sequence(client, therapist, room, routine, sabine, tomorrow):
    appointment = appointment_book(client=sabine, routine=routine, start=at(tomorrow, 10))
    before = events(fetch(client, calendar_feed_url(therapist)))[0]

    appointment_reschedule(appointment=appointment, start=at(tomorrow, 14))

    after = events(fetch(client, calendar_feed_url(therapist)))[0]
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) == int(before["sequence"]) + 1
    assert after.decoded("dtstart") == at(tomorrow, 14)


@pytest.mark.parametrize("sessions", [1, 12])
def test_the_feed_takes_the_same_queries_for_one_or_a_dozen_sessions(
    client, therapist, room, routine, sabine, tomorrow, sessions, django_assert_num_queries
):
    for n in range(sessions):
        appointment_book(client=sabine, routine=routine, start=at(tomorrow + datetime.timedelta(days=n), 10))
    url = calendar_feed_url(therapist)

    # the salon's zone (for every page), the therapist with the salon, the reader's language, the sessions
    # with client and room
    with django_assert_num_queries(4):
        response = fetch(client, url)

    assert len(events(response)) == sessions


def test_a_reset_retires_the_old_address(client, therapist, room, routine, sabine, tomorrow):
    """Given a phone subscribed to the feed, when the therapist makes a new
    address on "my day", then the old one answers 404 and the new one works."""
    old = calendar_feed_url(therapist)
    sign_in(client, therapist.user)
    assert old in client.get("/my-day/").content.decode()

    response = client.post("/my-day/calendar-feed/reset/")

    assert response.status_code == 302
    therapist.refresh_from_db()
    new = calendar_feed_url(therapist)
    assert new != old
    assert new in client.get("/my-day/").content.decode()
    client.logout()
    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200


@pytest.mark.parametrize(
    "mangle",
    [
        lambda url: url.replace(".ics", "x.ics"),  # a changed signature
        lambda url: url.replace("/calendar/", "/calendar/W1s"),  # a changed payload
        lambda url: f"{SITE}/calendar/not-a-token.ics",
    ],
)
def test_a_forged_address_finds_nothing(client, therapist, mangle):
    assert fetch(client, mangle(calendar_feed_url(therapist))).status_code == 404


def test_a_therapist_who_left_has_no_feed(client, therapist):
    url = calendar_feed_url(therapist)
    therapist.active = False
    therapist.save()

    assert fetch(client, url).status_code == 404


def test_a_therapist_whose_login_was_switched_off_has_no_feed(client, therapist):
    url = calendar_feed_url(therapist)
    therapist.user.is_active = False
    therapist.user.save()

    assert fetch(client, url).status_code == 404


def test_another_therapists_address_cannot_be_reset_by_a_receptionist(client, therapist, receptionist):
    old = calendar_feed_url(therapist)
    sign_in(client, receptionist)

    assert client.post(f"/my-day/calendar-feed/reset/?therapist={therapist.pk}").status_code == 403
    therapist.refresh_from_db()
    assert calendar_feed_url(therapist) == old


def test_a_superuser_resets_a_therapists_address_from_the_admin(client, therapist):
    old = calendar_feed_url(therapist)
    sign_in(client, UserFactory(username="root", is_superuser=True))

    response = client.post(
        "/admin/salon/therapist/",
        {"action": "reset_calendar_feed", "_selected_action": [therapist.pk]},
        follow=True,
    )

    assert "calendar feed address(es) replaced" in response.content.decode()
    therapist.refresh_from_db()
    assert calendar_feed_url(therapist) != old


def test_the_api_tells_a_therapist_their_feed_address(api_client, therapist, receptionist):
    api_client.force_authenticate(therapist.user)
    assert api_client.get("/api/v1/me/").json()["calendar_feed_url"] == calendar_feed_url(therapist)

    api_client.force_authenticate(receptionist)
    assert api_client.get("/api/v1/me/").json()["calendar_feed_url"] is None
