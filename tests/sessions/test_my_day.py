import datetime

import pytest

from clients.services import screening_clear, screening_create
from salon.errors import Conflict
from salon.roles import Role
from sessions.models import Appointment
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.running import (
    session_complete,
    session_pressure_record,
    session_review_acknowledge,
    session_start,
)
from tests.factories import (
    ClientFactory,
    TherapistFactory,
    UserFactory,
    screening_answers,
    screening_for,
    works_every_day,
)
from tests.helpers import at, sign_in

START_QUERIES = 12  # 14 when the refresh and the start were two transactions, the row locked in each
COMPLETE_QUERIES = 21  # 23 likewise

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(salon, therapist, room, routine, client_, tomorrow):
    return appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))


def test_a_new_screening_rebuilds_plans_that_have_not_started_and_leaves_the_others(
    salon, therapist, room, routine, client_, tomorrow
):
    started = appointment_book(client=client_, routine=routine, start=at(tomorrow, 9))
    upcoming = appointment_book(client=client_, routine=routine, start=at(tomorrow, 11))
    session_review_acknowledge(appointment=started, by=therapist.user)
    appointment_transition(appointment=started, to_status="checked_in", now=started.start)
    session_start(appointment=started, by=therapist.user)
    frozen = started.plan.plan

    screening_create(
        client=client_, answers=screening_answers(oil_or_nut_allergy=True, allergies="almond"), entered_via="staff"
    )

    started.refresh_from_db()
    upcoming.refresh_from_db()
    assert started.plan.plan == frozen
    assert upcoming.plan.plan["oil"].startswith("Neutral baby oil")
    assert upcoming.plan.change_note.startswith("New health screening")


def test_a_screening_that_now_forbids_the_routine_keeps_the_plan_and_says_why(booked, client_):
    screening_create(client=client_, answers=screening_answers(acute_spinal_inflammation=True), entered_via="staff")

    booked.refresh_from_db()
    assert "New health screening" in booked.plan_problem
    assert "blocked" in booked.plan_problem


def test_a_clearance_rebuilds_the_plan(booked, client_, therapist):
    therapist.qualified_therapeutic = True
    therapist.save()
    screening = screening_create(
        client=client_, answers=screening_answers(acute_spinal_inflammation=True), entered_via="staff"
    )

    screening_clear(screening=screening, rule="acute_spinal_inflammation", cleared_by=therapist.user, note="Settled")

    booked.refresh_from_db()
    assert booked.plan_problem == ""
    assert booked.plan.change_note.startswith("Cleared by")


def test_a_session_needing_review_cannot_start_until_acknowledged(booked, client_, therapist):
    screening_create(client=client_, answers=screening_answers(medications="x"), entered_via="staff")
    booked.refresh_from_db()
    appointment_transition(appointment=booked, to_status="checked_in", now=booked.start)

    with pytest.raises(Conflict) as refused:
        session_start(appointment=booked, by=therapist.user)
    session_review_acknowledge(appointment=booked, by=therapist.user)
    started = session_start(appointment=booked, by=therapist.user)

    assert refused.value.code == "review_required"
    assert started.status == "in_progress"


def test_pressure_feedback_only_while_running_and_on_real_steps(booked, therapist):
    with pytest.raises(Conflict):
        session_pressure_record(appointment=booked, verdict="right", step=1)
    session_review_acknowledge(appointment=booked, by=therapist.user)
    appointment_transition(appointment=booked, to_status="checked_in", now=booked.start)
    session_start(appointment=booked, by=therapist.user)
    booked.refresh_from_db()

    feedback = session_pressure_record(appointment=booked, verdict="too_strong", step=1, area="lower_back")

    assert feedback.verdict == "too_strong"
    from salon.errors import InvalidInput

    with pytest.raises(InvalidInput):
        session_pressure_record(appointment=booked, verdict="right", step=99)


def test_completing_needs_a_note(booked, therapist):
    from salon.errors import InvalidInput

    session_review_acknowledge(appointment=booked, by=therapist.user)
    appointment_transition(appointment=booked, to_status="checked_in", now=booked.start)
    session_start(appointment=booked, by=therapist.user)
    booked.refresh_from_db()

    with pytest.raises(InvalidInput):
        session_complete(appointment=booked, by=therapist.user, advice=" ")
    done = session_complete(appointment=booked, by=therapist.user, advice="Medium pressure next time")

    assert done.status == "completed"
    assert done.note.advice == "Medium pressure next time"


class TestApi:
    def test_the_day_in_one_request_with_a_fixed_number_of_queries(
        self, api_client, salon, therapist, room, routine, tomorrow, django_assert_max_num_queries
    ):
        api_client.force_authenticate(therapist.user)
        for hour in (9, 11):
            appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, hour))
        with django_assert_max_num_queries(12):
            two = api_client.get(f"/api/v1/day/?date={tomorrow}").json()
        therapist.working_hours.all().delete()
        works_every_day(therapist, datetime.time(8), datetime.time(20))
        day = tomorrow + datetime.timedelta(days=1)
        for hour in range(8, 20):
            appointment_book(
                client=ClientFactory(salon=salon), routine=routine, start=at(day, hour), therapist=therapist
            )
        with django_assert_max_num_queries(12):
            twelve = api_client.get(f"/api/v1/day/?date={tomorrow + datetime.timedelta(days=1)}").json()

        assert len(two["sessions"]) == 2
        assert len(twelve["sessions"]) == 12
        assert twelve["sessions"][0]["plan"]["steps"]

    def test_a_therapist_cannot_see_another_therapists_day_or_session(
        self, api_client, salon, therapist, room, routine, client_, tomorrow
    ):
        other = TherapistFactory(salon=salon, display_name="Jonas")
        works_every_day(other)
        theirs = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10), therapist=other)
        api_client.force_authenticate(therapist.user)

        assert api_client.get(f"/api/v1/day/?therapist={other.pk}").status_code == 403
        assert api_client.get(f"/api/v1/appointments/{theirs.pk}/plan/").status_code == 403
        assert api_client.post(f"/api/v1/appointments/{theirs.pk}/notes/", {"advice": "x"}).status_code == 403
        assert (
            api_client.post(f"/api/v1/appointments/{theirs.pk}/pressure-feedback/", {"verdict": "right"}).status_code
            == 403
        )
        assert Appointment.objects.get(pk=theirs.pk).pressure_feedback.count() == 0

    def test_run_a_session_through_the_api(self, api_client, booked, therapist):
        api_client.force_authenticate(therapist.user)
        appointment_transition(appointment=booked, to_status="checked_in", now=booked.start)
        base = f"/api/v1/appointments/{booked.pk}"

        api_client.post(f"{base}/acknowledge-review/")
        started = api_client.post(f"{base}/start/")
        feedback = api_client.post(f"{base}/pressure-feedback/", {"step": 1, "verdict": "too_light"})
        plan = api_client.get(f"{base}/plan/")
        done = api_client.post(f"{base}/complete/", {"advice": "Firmer next time"})

        assert started.json()["status"] == "in_progress"
        assert feedback.status_code == 201
        assert plan.json()["plan"]["steps"][0]["order"] == 1
        assert done.json()["status"] == "completed"

    def test_starting_and_completing_answer_with_the_session_as_read_back(
        self, api_client, booked, therapist, django_assert_max_num_queries
    ):
        api_client.force_authenticate(therapist.user)
        appointment_transition(appointment=booked, to_status="checked_in", now=booked.start)
        base = f"/api/v1/appointments/{booked.pk}"
        api_client.post(f"{base}/acknowledge-review/")

        with django_assert_max_num_queries(START_QUERIES):
            started = api_client.post(f"{base}/start/").json()
        started_read = api_client.get(f"{base}/").json()
        with django_assert_max_num_queries(COMPLETE_QUERIES):
            done = api_client.post(f"{base}/complete/", {"work_done": "Back", "advice": "Firmer next time"}).json()
        done_read = api_client.get(f"{base}/").json()

        assert started == started_read
        assert done == done_read
        assert [change["to_status"] for change in done["history"]][-2:] == ["in_progress", "completed"]


def test_my_day_page_costs_a_fixed_number_of_queries(
    client, password, salon, therapist, room, routine, tomorrow, django_assert_max_num_queries
):
    sign_in(client, therapist.user)
    for hour in (9, 11):
        person = ClientFactory(salon=salon)
        screening_for(person, pain_map=[{"area": "neck", "side": "left", "intensity": 5, "note": ""}])
        appointment_book(client=person, routine=routine, start=at(tomorrow, hour))

    with django_assert_max_num_queries(14):
        response = client.get(f"/my-day/?date={tomorrow}")

    html = response.content.decode()
    assert html.count('class="card session"') == 2
    assert "Neck (left): 5/10" in html
    assert "min free" in html


def test_the_next_plan_learns_from_the_last_session(salon, therapist, room, routine, client_, tomorrow):
    first = appointment_book(client=client_, routine=routine, start=at(tomorrow, 9))
    session_review_acknowledge(appointment=first, by=therapist.user)
    appointment_transition(appointment=first, to_status="checked_in", now=first.start)
    session_start(appointment=first, by=therapist.user)
    first.refresh_from_db()
    session_pressure_record(appointment=first, verdict="too_strong", step=1)
    session_complete(appointment=first, by=therapist.user, advice="Go gently on the left")

    from routines.models import RoutineTemplate

    classic = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)  # has firm steps
    second = appointment_book(client=client_, routine=classic, start=at(tomorrow, 11))

    plan = second.plan.plan
    assert any("too strong: medium at most" in line for line in plan["precautions"])
    assert "Advice from last time: Go gently on the left" in plan["precautions"]
    assert all(
        pressure in {"light", "medium"} for step in plan["steps"] for pressure in step["pressure_by_area"].values()
    )


def test_my_day_page_stays_at_a_fixed_number_of_queries_with_twelve_sessions(
    client, password, salon, therapist, room, routine, tomorrow, django_assert_max_num_queries
):
    sign_in(client, therapist.user)
    therapist.working_hours.all().delete()
    works_every_day(therapist, datetime.time(8), datetime.time(20))
    for hour in range(8, 20):
        appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, hour))

    with django_assert_max_num_queries(14):
        response = client.get(f"/my-day/?date={tomorrow}")

    assert response.content.decode().count('class="card session"') == 12


def test_another_therapists_session_page_is_forbidden(client, password, salon, therapist, room, routine, tomorrow):
    other = TherapistFactory(salon=salon, display_name="Jonas")
    works_every_day(other)
    theirs = appointment_book(
        client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10), therapist=other
    )
    sign_in(client, therapist.user)

    assert client.get(f"/sessions/{theirs.pk}/").status_code == 403
    assert client.post(f"/sessions/{theirs.pk}/start/").status_code == 403


def test_a_manager_picks_whose_day_to_see(client, password, salon, therapist, room, routine, tomorrow):
    from salon.roles import Role
    from tests.factories import UserFactory

    appointment_book(client=ClientFactory(salon=salon, given_name="Ida"), routine=routine, start=at(tomorrow, 10))
    manager = UserFactory(roles=[Role.MANAGER])
    sign_in(client, manager)

    html = client.get(f"/my-day/?date={tomorrow}&therapist={therapist.pk}").content.decode()

    assert "Anna" in html
    assert "Ida" in html


def test_a_manager_who_is_no_therapist_sees_the_first_therapists_day_on_the_page_and_in_the_api(
    client, api_client, password, salon, therapist, room, routine, tomorrow
):
    """One rule for "whose day" on the page and in the API."""
    later = TherapistFactory(salon=salon, display_name="Zora")
    works_every_day(later)
    appointment_book(client=ClientFactory(salon=salon, given_name="Ida"), routine=routine, start=at(tomorrow, 10))
    manager = UserFactory(roles=[Role.MANAGER])
    sign_in(client, manager)
    api_client.force_authenticate(manager)

    page = client.get(f"/my-day/?date={tomorrow}")
    api = api_client.get(f"/api/v1/day/?date={tomorrow}")

    assert page.status_code == 200
    assert "Ida" in page.content.decode()
    assert api.status_code == 200
    assert api.json()["therapist"] == therapist.pk  # Anna comes before Zora


@pytest.mark.parametrize("date", ["tomorrow", "2026-13-01", "25.11.2026"])
def test_a_date_that_is_no_date_is_refused_naming_the_field_on_the_page_and_in_the_api(
    client, api_client, password, therapist, date
):
    sign_in(client, therapist.user)
    api_client.force_authenticate(therapist.user)

    page = client.get(f"/my-day/?date={date}")
    api = api_client.get(f"/api/v1/day/?date={date}")

    assert page.status_code == 400
    assert "YYYY-MM-DD" in page.content.decode()
    assert api.status_code == 400
    assert api.json()["fields"] == {"date": ["Use YYYY-MM-DD."]}


def test_an_unknown_session_action_is_not_found(client, password, booked, therapist):
    sign_in(client, therapist.user)

    assert client.post(f"/sessions/{booked.pk}/dance/").status_code == 404


def test_confirming_an_expired_screening_rebuilds_the_plans_that_said_it_was_expired(booked, client_):
    from datetime import timedelta

    from django.utils import timezone

    from clients.models import ClientLink, HealthScreening
    from clients.services import client_link_create, intake_confirm_unchanged
    from sessions.services.plans import session_plans_rebuild

    screening = screening_for(client_)
    HealthScreening.objects.filter(pk=screening.pk).update(created_at=timezone.now() - timedelta(days=400))
    session_plans_rebuild(client=client_, reason="A year went by")
    booked.refresh_from_db()
    assert "screening_expired" in [finding["rule"] for finding in booked.plan.outcome["findings"]]
    link, _ = client_link_create(client=client_, purpose=ClientLink.Purpose.INTAKE)

    intake_confirm_unchanged(link=link)

    booked.refresh_from_db()
    assert "screening_expired" not in [finding["rule"] for finding in booked.plan.outcome["findings"]]
    assert booked.plan.change_note.startswith("The client confirmed nothing has changed")


def test_a_clearance_by_someone_with_a_very_long_name_still_rebuilds(booked, client_, therapist):
    therapist.qualified_therapeutic = True
    therapist.save()
    therapist.user.first_name, therapist.user.last_name = "A" * 150, "B" * 150
    therapist.user.save()
    screening = screening_create(
        client=client_, answers=screening_answers(acute_spinal_inflammation=True), entered_via="staff"
    )

    screening_clear(screening=screening, rule="acute_spinal_inflammation", cleared_by=therapist.user, note="Settled")

    booked.refresh_from_db()
    assert booked.plan_problem == ""
    assert len(booked.plan.change_note) <= 300
    assert booked.plan.change_note.startswith("Cleared by AAA")


def _checked_in_and_acknowledged(booked, therapist):
    session_review_acknowledge(appointment=booked, by=therapist.user)
    return appointment_transition(appointment=booked, to_status="checked_in", now=booked.start)


def test_a_block_reported_after_the_acknowledgement_stops_the_start(booked, client_, therapist):
    booked = _checked_in_and_acknowledged(booked, therapist)

    screening_create(client=client_, answers=screening_answers(blood_clots=True), entered_via="staff")
    booked.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        session_start(appointment=booked, by=therapist.user)

    assert booked.review_acknowledged_at is None  # withdrawn with the plan that no longer holds
    assert refused.value.code == "plan_not_possible"
    assert "blood clot" in refused.value.detail
    booked.refresh_from_db()
    assert booked.status == "checked_in"


def test_a_clearance_that_lapsed_since_booking_stops_the_start(booked, client_, therapist, manager):
    from datetime import timedelta

    from django.utils import timezone

    from clients.models import ScreeningClearance

    screening = screening_create(
        client=client_, answers=screening_answers(acute_spinal_inflammation=True), entered_via="staff"
    )
    clearance = screening_clear(
        screening=screening, rule="acute_spinal_inflammation", cleared_by=manager, note="GP letter"
    )
    booked = _checked_in_and_acknowledged(Appointment.objects.get(pk=booked.pk), therapist)
    ScreeningClearance.objects.filter(pk=clearance.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(Conflict) as refused:
        session_start(appointment=booked, by=therapist.user)

    assert refused.value.code == "plan_not_possible"
    booked.refresh_from_db()
    assert "spine" in booked.plan_problem  # kept, though the start was refused


def test_a_fever_reported_on_the_day_stops_the_start(booked, client_, therapist):
    screening_create(client=client_, answers=screening_answers(fever_or_acute_illness=True), entered_via="staff")
    booked = _checked_in_and_acknowledged(Appointment.objects.get(pk=booked.pk), therapist)

    with pytest.raises(Conflict) as refused:
        session_start(appointment=booked, by=therapist.user)

    assert refused.value.code == "plan_not_possible"


def test_a_refused_action_without_htmx_comes_back_as_a_message_not_in_the_address(client, password, booked, therapist):
    sign_in(client, therapist.user)

    refused = client.post(f"/sessions/{booked.pk}/start/")  # not checked in yet
    page = client.get(refused["Location"])

    assert refused.status_code == 302
    assert refused["Location"] == f"/sessions/{booked.pk}/"
    assert '<li class="message error">Check the client in first' in page.content.decode()
    assert 'class="message error"' not in client.get(f"/sessions/{booked.pk}/").content.decode()  # shown once


def test_the_session_page_shows_no_text_from_the_address(client, password, booked, therapist):
    sign_in(client, therapist.user)

    page = client.get(f"/sessions/{booked.pk}/", {"problem": "Call +49 30 555 to verify your account"})

    assert "555" not in page.content.decode()
