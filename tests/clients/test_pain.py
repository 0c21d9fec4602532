"""Pain before and after visits: asked in the intake step, kept with the next
session, shown as a chart on the client page to those who may read health
answers (and the reading logged)."""

import datetime

import pytest
from django.utils import timezone

from clients.models import ClientLink, HealthDataAccess
from clients.painchart import pain_chart, pain_trend
from clients.selectors import pain_histories, pain_history_by_area
from clients.services import client_link_create
from salon.roles import Role
from sessions.models import PainReport
from sessions.services.booking import appointment_book
from tests.factories import (
    ClientFactory,
    TherapistFactory,
    UserFactory,
    screening_for,
    short_routine,
    visit_with_pain,
    works_every_day,
)
from tests.helpers import sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

INTAKE_ANSWERS = {"consent_treatment": "on", "consent_health_data": "on", "consent_name": "Sabine Krüger"}


@pytest.fixture
def scene():
    return salon_scenario()


@pytest.fixture
def routine():
    return short_routine(slug="pain-routine", minutes=45, turnover=15)


@pytest.fixture
def days_ago(scene):
    """A wall-clock time in the salon ``days`` days ago, at ``hour``."""
    today = timezone.now().astimezone(scene.salon.zone).date()
    return lambda days, hour=10: scene.at(today - datetime.timedelta(days=days), hour)


@pytest.fixture
def ahead(scene, routine):
    """Sabine, screened before, with a session in three days."""
    person = scene.client
    screening_for(person)
    today = timezone.now().astimezone(scene.salon.zone).date()
    return appointment_book(client=person, routine=routine, start=scene.at(today + datetime.timedelta(days=3), 10))


@pytest.fixture
def history(scene, routine, days_ago):
    """Three visits of Sabine, a week apart: 7 → 3 (lower back and neck),
    6 → 2 (lower back), then only the feedback's 5 → 1 (no intake step)."""
    person = scene.client
    screening_for(person)
    visit_with_pain(person, routine, days_ago(21), before=7, areas=["neck", "lower_back"], after=3)
    visit_with_pain(person, routine, days_ago(14), before=6, areas=["lower_back"], after=2)
    visit_with_pain(person, routine, days_ago(7), feedback_before=5, after=1)
    return person


def open_intake(client, person):
    _, url = client_link_create(client=person, purpose=ClientLink.Purpose.INTAKE)
    first = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert first["Location"] == "/forms/intake/"
    page = client.get("/forms/intake/")
    assert page.status_code == 200
    return page


def test_nothing_has_changed_keeps_todays_pain_with_the_next_session(client, ahead):
    # Given a returning client with a session ahead, on the intake page
    page = open_intake(client, ahead.client)
    assert "How much does it hurt today" in page.content.decode()

    # When they say nothing has changed, with pain 6 at the neck and shoulders
    done = client.post(
        "/forms/intake/",
        {"action": "confirm_unchanged", "pain_today": "6", "pain_today_areas": ["neck", "shoulders"]},
    )

    # Then the level and the places are kept with that session
    assert "Thank you" in done.content.decode()
    report = PainReport.objects.get()
    assert (report.appointment_id, report.pain_before, report.areas) == (ahead.pk, 6, ["neck", "shoulders"])


def test_new_answers_keep_todays_pain_too(client, ahead):
    open_intake(client, ahead.client)

    done = client.post("/forms/intake/", {**INTAKE_ANSWERS, "pain_today": "0"})

    assert "Thank you" in done.content.decode()
    assert PainReport.objects.get(appointment=ahead).pain_before == 0


def test_todays_pain_is_optional(client, ahead):
    open_intake(client, ahead.client)

    done = client.post("/forms/intake/", {"action": "confirm_unchanged"})

    assert "Thank you" in done.content.decode()
    assert not PainReport.objects.exists()


@pytest.mark.parametrize("level", ["11", "-1", "a lot"])
@pytest.mark.parametrize("unchanged", [True, False], ids=["nothing-changed", "new-answers"])
def test_a_level_outside_0_to_10_is_refused_naming_the_question(client, ahead, level, unchanged):
    # Given the intake page of a client with a session ahead
    open_intake(client, ahead.client)
    posted = {"action": "confirm_unchanged"} if unchanged else dict(INTAKE_ANSWERS)

    # When the pain today is no whole number from 0 to 10
    response = client.post("/forms/intake/", {**posted, "pain_today": level})

    # Then the form comes back (400) saying which question, nothing is kept and the link still works
    assert response.status_code == 400
    form = response.context["unchanged_pain" if unchanged else "pain"]
    assert "pain_today" in form.errors
    assert "How much does it hurt today" in response.content.decode()
    assert not PainReport.objects.exists()
    assert ClientLink.objects.get(purpose=ClientLink.Purpose.INTAKE).used_at is None
    assert ahead.client.screenings.get().confirmed_at is None


def test_places_without_a_level_are_refused(client, ahead):
    open_intake(client, ahead.client)

    response = client.post("/forms/intake/", {"action": "confirm_unchanged", "pain_today_areas": ["neck"]})

    assert response.status_code == 400
    assert "pain_today" in response.context["unchanged_pain"].errors


def test_without_a_session_ahead_the_question_is_not_asked(client, scene):
    person = scene.client
    screening_for(person)

    page = open_intake(client, person)

    assert "How much does it hurt today" not in page.content.decode()


def test_a_second_answer_before_the_same_session_replaces_the_first(ahead):
    from sessions.services.pain import pain_before_record

    pain_before_record(client=ahead.client, pain_before=8, areas=["neck"])
    pain_before_record(client=ahead.client, pain_before=4, areas=[])

    report = PainReport.objects.get()
    assert (report.appointment_id, report.pain_before, report.areas) == (ahead.pk, 4, [])


def test_the_service_refuses_a_level_above_10_naming_the_field(ahead):
    from salon.errors import InvalidInput
    from sessions.services.pain import pain_before_record

    with pytest.raises(InvalidInput) as refused:
        pain_before_record(client=ahead.client, pain_before=11, areas=["neck"])

    assert "pain_before" in refused.value.fields
    assert not PainReport.objects.exists()


def test_the_history_of_a_small_fixed_scenario_in_one_query(
    history, scene, routine, days_ago, django_assert_max_num_queries
):
    # Given Sabine's three visits, a cancelled session with a report, and another client's visit
    cancelled = visit_with_pain(history, routine, days_ago(3), before=9)
    cancelled.status = "cancelled"
    cancelled.save(update_fields=["status"])
    other = ClientFactory(salon=scene.salon)
    screening_for(other)
    visit_with_pain(other, routine, days_ago(2, hour=14), before=2, after=2)

    # When both clients' histories are read
    with django_assert_max_num_queries(1):
        histories = pain_histories([history, other])

    # Then Sabine's are her three visits, oldest first, before from the intake step else the feedback
    sabine = histories[history.pk]
    assert [(visit.pain_before, visit.pain_after, visit.areas) for visit in sabine] == [
        (7, 3, ["neck", "lower_back"]),
        (6, 2, ["lower_back"]),
        (5, 1, []),
    ]
    assert {visit.routine for visit in sabine} == {routine.name}
    assert [(visit.pain_before, visit.pain_after) for visit in histories[other.pk]] == [(2, 2)]
    # per area, in the vocabulary's order
    by_area = pain_history_by_area(sabine)
    assert [(area["area"], [visit.pain_before for visit in area["visits"]]) for area in by_area] == [
        ("neck", [7]),
        ("lower_back", [7, 6]),
    ]
    # the trend: eased from 7 to 5 over three visits
    assert pain_trend(sabine) == {"first": 7, "latest": 5, "direction": "eased", "count": 3}


def test_the_chart_places_each_level_and_leaves_gaps(history):
    visits = pain_histories([history])[history.pk]
    visits[1].pain_after = None  # a visit without the feedback's level

    chart = pain_chart(visits)

    # 0 is at the bottom line (y 174), 10 at the top (y 10): 16.4 units a level
    assert [(mark["x"], mark["y"]) for mark in chart["before"].marks] == [(32, 59.2), (250.0, 75.6), (468.0, 92.0)]
    assert [mark["y"] for mark in chart["after"].marks] == [124.8, 157.6]
    assert chart["before"].segments == ["32.0,59.2 250.0,75.6", "250.0,75.6 468.0,92.0"]
    assert chart["after"].segments == []  # the missing level breaks the line
    assert [tick["label"] for tick in chart["ticks"]] == [1, 2, 3]


def test_a_manager_sees_the_chart_with_its_table_and_the_view_is_logged(client, history, password):
    sign_in(client, UserFactory(roles=[Role.MANAGER]))

    html = client.get(f"/clients/{history.pk}/").content.decode()

    assert "Pain before and after visits" in html
    assert '<svg viewBox="0 0 480 200"' in html
    assert "<caption>Pain per visit</caption>" in html
    assert "<caption>Pain per visit, Lower back</caption>" in html
    assert html.count('class="pain-before"') == 3 + 1 + 2  # all visits, the neck's, the lower back's
    assert "<td>7/10</td>" in html
    assert "<td>1/10</td>" in html
    assert HealthDataAccess.objects.filter(client=history, action="view").count() == 1


def test_the_clients_therapist_sees_the_chart_and_the_view_is_logged(client, history, scene):
    sign_in(client, scene.therapist.user)

    html = client.get(f"/clients/{history.pk}/").content.decode()

    assert "<caption>Pain per visit</caption>" in html
    entry = HealthDataAccess.objects.get(client=history, action="view")
    assert entry.user == scene.therapist.user


def test_the_front_desk_does_not_see_the_chart(client, history):
    sign_in(client, UserFactory(roles=[Role.RECEPTIONIST]))

    response = client.get(f"/clients/{history.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pain before and after" not in html
    assert "pain-chart" not in html
    assert "7/10" not in html
    assert not HealthDataAccess.objects.filter(client=history, action="view").exists()


def test_another_therapist_gets_no_chart(client, history, scene):
    other = TherapistFactory(salon=scene.salon, display_name="Jonas")
    works_every_day(other)

    sign_in(client, other.user)

    response = client.get(f"/clients/{history.pk}/")

    assert response.status_code == 403
    assert "7/10" not in response.content.decode()
