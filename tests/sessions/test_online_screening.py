"""Online bookings of clients whose screening rules the routine out: unless
the location says they must call, they are booked without a plan, the
problem kept for the therapist and a flag for the desk, and the client is
never told why. Every page that reads a plan shows such a session; the
desk's own bookings are still refused."""

import datetime

import pytest
from django.test import Client as Browser

from clients.models import HealthScreening
from clients.services import screening_clear
from routines.services import service_set
from salon.errors import Conflict, InvalidInput
from salon.roles import Role
from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.online import booking_hold_confirm, booking_hold_create
from sessions.services.running import session_start
from sessions.services.waitlist import waitlist_join, waitlist_offer_accept, waitlist_offers_for_freed_time
from tests.factories import ClientFactory, UserFactory, screening_for
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db

HEALTH_WORDS = ("clot", "thrombosis", "doctor")


@pytest.fixture
def online(salon, routine):
    """The test routine on the menu for online booking at 45 and 60 minutes."""
    service_set(salon=salon, routine=routine, lengths=[(45, 5500), (60, 7000)], online=True)
    return routine


@pytest.fixture
def soon(tomorrow):
    return tomorrow + datetime.timedelta(days=1)


@pytest.fixture
def blocked(salon):
    """Bea, whose screening (a blood clot) rules out every massage until a therapist clears it."""
    bea = ClientFactory(salon=salon, given_name="Bea", family_name="Blau", email="bea@example.com")
    screening_for(bea, blood_clots=True)
    return bea


def confirm_online(salon, routine, start, *, email="bea@example.com") -> Appointment:
    hold = booking_hold_create(
        salon=salon, routine=routine, start=start, minutes=60, given_name="Bea", family_name="Blau", email=email
    )
    return booking_hold_confirm(hold=hold)


def test_a_blocked_client_books_online_without_a_plan_and_the_therapist_is_told_why(
    salon, therapist, room, online, blocked, soon
):
    # Given a location that lets such clients book online (its default)
    assert salon.online_screening_blocked

    # When Bea confirms a time she held
    appointment = confirm_online(salon, online, at(soon, 10))

    # Then she is booked, online, without a plan; the reason is kept for the therapist
    assert (appointment.client, appointment.origin, appointment.plan) == (blocked, Appointment.Origin.ONLINE, None)
    assert appointment.plan_problem.startswith("Online booking taken without a plan: ")
    assert "blood clot" in appointment.plan_problem.lower()
    assert appointment.screening_review_needed
    # and she gets the usual confirmation
    assert Notification.objects.filter(appointment=appointment, kind=Notification.Kind.CONFIRMATION).exists()


def test_when_the_location_says_no_a_blocked_client_is_asked_to_call_and_not_told_why(
    salon, therapist, room, online, blocked, soon
):
    salon.online_screening_blocked, salon.phone = False, "+49 30 1234567"
    salon.save()

    with pytest.raises(Conflict) as refused:
        confirm_online(salon, online, at(soon, 10))

    assert refused.value.code == "call_to_book"
    assert "+49 30 1234567" in refused.value.detail
    assert not any(word in refused.value.detail.lower() for word in (*HEALTH_WORDS, "screening", "blocked"))
    assert not Appointment.objects.filter(client=blocked).exists()


def test_the_desk_is_still_refused_for_the_same_client(salon, therapist, room, online, blocked, soon):
    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=blocked, routine=online, start=at(soon, 10), minutes=60)

    assert refused.value.code == "contraindicated"
    assert not Appointment.objects.filter(client=blocked).exists()


def test_a_client_whose_screening_needs_review_books_online_with_a_plan_to_review(salon, therapist, room, online, soon):
    client = ClientFactory(salon=salon, given_name="Bea", family_name="Blau", email="ola@example.com")
    screening_for(client, osteoporosis=True)

    appointment = confirm_online(salon, online, at(soon, 10), email="ola@example.com")

    # The plan can follow the screening: the therapist acknowledges its findings before starting, as for any booking
    assert appointment.plan is not None
    assert appointment.plan_problem == ""
    assert any(finding["severity"] == "review" for finding in appointment.plan.outcome["findings"])


def test_a_blocked_client_taking_a_waitlist_offer_is_booked_without_a_plan(
    salon, therapist, room, online, blocked, soon
):
    # Given Bea waits for the day and 10:00 frees up
    waitlist_join(
        salon=salon, routine=online, first_day=soon, last_day=soon, minutes=60,
        given_name="Bea", family_name="Blau", email="bea@example.com",
    )  # fmt: skip
    (offer,) = waitlist_offers_for_freed_time(salon=salon, start=at(soon, 10), end=at(soon, 11, 15))

    # When she takes the offer
    appointment = waitlist_offer_accept(offer=offer)

    # Then it is booked for her from the waitlist, flagged the same way
    assert (appointment.client, appointment.origin, appointment.plan) == (blocked, Appointment.Origin.WAITLIST, None)
    assert appointment.plan_problem.startswith("Waitlist offer taken without a plan: ")
    assert appointment.screening_review_needed


def test_clearing_the_block_gives_the_session_its_plan_and_lifts_the_flag(
    salon, therapist, room, online, blocked, soon
):
    appointment = confirm_online(salon, online, at(soon, 10))

    screening_clear(
        screening=HealthScreening.objects.get(client=blocked),
        rule="blood_clots",
        cleared_by=UserFactory(roles=[Role.MANAGER]),
        note="Doctor's all-clear seen",
    )

    appointment.refresh_from_db()
    assert appointment.plan is not None
    assert appointment.plan.booked_minutes == 60  # the length booked online
    assert appointment.plan_problem == ""
    assert not appointment.screening_review_needed


def test_a_session_without_a_plan_is_not_started(salon, therapist, room, online, blocked, soon):
    appointment = confirm_online(salon, online, at(soon, 10))
    appointment_transition(appointment=appointment, to_status=Appointment.Status.CHECKED_IN, now=appointment.start)

    with pytest.raises(Conflict) as refused:
        session_start(appointment=appointment, by=therapist.user)

    assert refused.value.code == "plan_not_possible"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN
    assert appointment.plan is None
    assert appointment.plan_problem


def test_the_therapists_pages_and_api_show_a_session_without_a_plan(
    client, api_client, salon, therapist, room, online, blocked, soon
):
    appointment = confirm_online(salon, online, at(soon, 10))
    sign_in(client, therapist.user)
    api_client.force_authenticate(therapist.user)

    pages = {
        "my day": client.get(f"/my-day/?date={soon}"),
        "day sheet": client.get(f"/my-day/print/?date={soon}&therapist={therapist.pk}"),
        "session": client.get(f"/sessions/{appointment.pk}/"),
    }
    day = api_client.get(f"/api/v1/day/?date={soon}")
    plan = api_client.get(f"/api/v1/appointments/{appointment.pk}/plan/")

    for name, page in pages.items():
        assert page.status_code == 200, name
        assert "Online booking taken without a plan" in page.content.decode(), name
    assert "Review before starting" in pages["my day"].content.decode()
    assert day.status_code == 200
    (session,) = day.json()["sessions"]
    assert session["plan"] is None
    assert session["needs_review"] is True
    # the therapist reads the screening's findings as they are now
    assert [finding["rule"] for finding in session["findings"]] == ["blood_clots"]
    assert plan.status_code == 200
    assert plan.json()["plan"] is None
    assert plan.json()["plan_problem"] == appointment.plan_problem


def test_the_desk_grid_panel_and_api_flag_the_booking_without_health_details(
    client, api_client, salon, therapist, room, online, blocked, client_, soon
):
    # Given Bea's online booking at 10:00 and Sabine's at the desk at 12:00
    flagged = confirm_online(salon, online, at(soon, 10))
    screening_for(client_)
    plain = appointment_book(client=client_, routine=online, start=at(soon, 12), minutes=60)
    receptionist = UserFactory(roles=[Role.RECEPTIONIST])
    sign_in(client, receptionist)
    api_client.force_authenticate(receptionist)

    grid = client.get(f"/desk/?date={soon}&service={online.pk}").content.decode()
    panel = client.get(f"/desk/appointments/{flagged.pk}/").content.decode()
    other_panel = client.get(f"/desk/appointments/{plain.pk}/").content.decode()
    api = api_client.get(f"/api/v1/appointments/{flagged.pk}/")
    other_api = api_client.get(f"/api/v1/appointments/{plain.pk}/")

    # Then the desk sees the flag on Bea's booking only, and nowhere why
    assert grid.count('class="flag flag-screening_review"') == 1
    assert "Screening needs review before this session" in panel
    assert "Screening needs review before this session" not in other_panel
    assert (api.json()["screening_review"], api.json()["origin"]) == (True, "online")
    assert other_api.json()["screening_review"] is False
    for text in (grid, panel, api.content.decode()):
        assert not any(word in text.lower() for word in HEALTH_WORDS)
        assert "without a plan" not in text


def test_the_client_pages_for_the_booking_say_nothing_of_the_screening(salon, therapist, room, online, blocked, soon):
    from sessions.services.online import hold_token

    hold = booking_hold_create(
        salon=salon, routine=online, start=at(soon, 10), minutes=60,
        given_name="Bea", family_name="Blau", email="bea@example.com",
    )  # fmt: skip
    browser = Browser()

    pressed = browser.post(f"/book/confirm/{hold_token(hold)}/")
    page = browser.get(pressed["Location"]) if pressed.status_code == 302 else pressed
    again = browser.get(f"/book/confirm/{hold_token(hold)}/")

    for response in (page, again):
        html = response.content.decode().lower()
        assert response.status_code == 200
        assert "you are booked" in html
        assert not any(word in html for word in (*HEALTH_WORDS, "screening", "review", "without a plan"))
