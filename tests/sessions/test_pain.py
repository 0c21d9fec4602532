"""Pain after a session (the feedback form, with its rating) and the pain
trend the therapist sees on "my day" and the session page."""

import datetime

import pytest

from clients.models import ClientLink, HealthDataAccess
from clients.services import client_link_create
from sessions.models import Feedback
from sessions.services.booking import appointment_book
from tests.factories import ClientFactory, screening_for, visit_with_pain
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(salon, therapist, room, routine, tomorrow):
    person = ClientFactory(salon=salon, given_name="Sabine", consent_feedback=True)
    screening_for(person)
    return visit_with_pain(person, routine, at(tomorrow, 10))


@pytest.fixture
def history(salon, therapist, room, routine, tomorrow):
    """Sabine's visits three and two weeks and one week before tomorrow's
    session (7 → 3, 6 → 2, 5 → 1), and tomorrow's, before which she said 4
    at the lower back."""
    person = ClientFactory(salon=salon, given_name="Sabine")
    screening_for(person)
    for weeks, before, after in ((3, 7, 3), (2, 6, 2), (1, 5, 1)):
        day = tomorrow - datetime.timedelta(weeks=weeks)
        visit_with_pain(person, routine, at(day, 10), before=before, areas=["lower_back"], after=after)
    upcoming = appointment_book(client=person, routine=routine, start=at(tomorrow, 10))
    from sessions.models import PainReport

    PainReport.objects.create(appointment=upcoming, pain_before=4, areas=["lower_back"])
    return upcoming


def open_feedback(client, appointment):
    _, url = client_link_create(
        client=appointment.client, purpose=ClientLink.Purpose.FEEDBACK, reference=appointment.pk
    )
    client.get(url.removeprefix("http://127.0.0.1:8000"))
    return client.get("/forms/feedback/")


@pytest.mark.parametrize("level", ["0", "10"])
def test_the_feedback_form_takes_pain_after_and_a_rating(client, completed, level):
    page = open_feedback(client, completed)
    assert "Pain after the massage (0–10)" in page.content.decode()

    done = client.post("/forms/feedback/", {"overall": "5", "pain_after": level})

    assert done.status_code == 200
    feedback = Feedback.objects.get(appointment=completed)
    assert (feedback.overall, feedback.pain_after) == (5, int(level))


@pytest.mark.parametrize("level", ["11", "-1", "much better"])
def test_a_pain_after_outside_0_to_10_is_refused_naming_the_field(client, completed, level):
    # Given the feedback form of a completed session
    open_feedback(client, completed)

    # When the pain after is no whole number from 0 to 10
    response = client.post("/forms/feedback/", {"overall": "5", "pain_after": level})

    # Then the form comes back (400) with the error at that question, and nothing is kept
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["pain_after"]
    assert not Feedback.objects.exists()
    assert ClientLink.objects.get(purpose=ClientLink.Purpose.FEEDBACK).used_at is None


def test_my_day_shows_the_pain_trend_up_to_the_session(
    client, history, therapist, tomorrow, django_assert_max_num_queries
):
    sign_in(client, therapist.user)

    with django_assert_max_num_queries(14):
        html = client.get(f"/my-day/?date={tomorrow}").content.decode()

    assert "Pain before → after" in html
    assert "Before sessions: 7/10 at first, 4/10 lately" in html
    assert "eased, over 4 visits" in html
    assert html.count("<li>", html.index('class="pain-visits"')) >= 4
    assert ": 6 → 2 (Lower back)" in html
    assert ": 4 → ? (Lower back)" in html  # tomorrow's: the after comes with the feedback


def test_my_day_pain_costs_no_query_per_visit(
    client, salon, therapist, routine, tomorrow, django_assert_max_num_queries
):
    # Given three clients, each with two past visits with pain, booked tomorrow
    sign_in(client, therapist.user)
    for hour in (9, 11, 13):
        person = ClientFactory(salon=salon)
        screening_for(person)
        for weeks in (1, 2):
            day = tomorrow - datetime.timedelta(weeks=weeks)
            visit_with_pain(person, routine, at(day, hour), before=6, after=3)
        appointment_book(client=person, routine=routine, start=at(tomorrow, hour))

    # Then the day costs no more than a day without pain levels
    with django_assert_max_num_queries(14):
        html = client.get(f"/my-day/?date={tomorrow}").content.decode()

    assert html.count('class="pain-trend"') == 3


def test_the_session_page_shows_the_chart_and_logs_the_view(client, history, therapist):
    sign_in(client, therapist.user)

    html = client.get(f"/sessions/{history.pk}/").content.decode()

    assert "Pain over the latest visits" in html
    assert html.count('class="pain-before"') == 4
    assert html.count('class="pain-after"') == 3
    entry = HealthDataAccess.objects.get(client=history.client, action="view")
    assert entry.user == therapist.user


def test_a_session_page_without_pain_levels_logs_nothing(client, completed, therapist):
    sign_in(client, therapist.user)

    html = client.get(f"/sessions/{completed.pk}/").content.decode()

    assert "Pain over the latest visits" not in html
    assert not HealthDataAccess.objects.filter(action="view").exists()


def test_the_front_desk_cannot_open_the_session_page(client, history, receptionist):
    sign_in(client, receptionist)

    response = client.get(f"/sessions/{history.pk}/")

    assert response.status_code == 403
    assert not HealthDataAccess.objects.filter(action="view").exists()


def test_the_feedback_form_asks_the_pain_before_only_when_the_intake_step_did_not(
    client, salon, therapist, room, routine, tomorrow
):
    # Given two completed sessions of Sabine: before one she gave her pain in the intake step
    person = ClientFactory(salon=salon, given_name="Sabine")
    screening_for(person)
    told = visit_with_pain(person, routine, at(tomorrow, 10), before=7)
    untold = visit_with_pain(person, routine, at(tomorrow, 12))

    # When she opens the feedback form of each
    asked_after_telling = open_feedback(client, told).content.decode()
    asked_without = open_feedback(client, untold).content.decode()

    # Then only the one without asks how it hurt before
    assert "Pain before the massage" not in asked_after_telling
    assert "Pain after the massage" in asked_after_telling
    assert "Pain before the massage" in asked_without


def test_the_clients_data_export_holds_the_pain_reported_at_each_visit(api_client, history, manager):
    # Given Sabine's three past visits with pain before and after, and tomorrow's with pain before only
    api_client.force_authenticate(manager)

    # When a manager exports everything held about her
    body = api_client.get(f"/api/v1/clients/{history.client_id}/export/").json()

    # Then every level she gave is in it, oldest first, with where it hurt
    assert [(visit["pain_before"], visit["pain_after"]) for visit in body["pain"]] == [
        (7, 3), (6, 2), (5, 1), (4, None),
    ]  # fmt: skip
    assert body["pain"][-1]["areas"] == ["lower_back"]
    assert body["pain"][-1]["session_start"] == history.start.isoformat()
