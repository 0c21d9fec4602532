"""What the therapist reads at the table is what the plan holds: the pressure
the plan allows on each area (not the routine's), the safety facts above the
steps, in words; and the session page keeps its state while it is used."""

import re

import pytest
from django.template.loader import render_to_string
from hypothesis import HealthCheck, given, settings

from clients.services import screening_create
from routines.models import PRESSURE_RANK
from sessions.models import Appointment, PressureFeedback
from sessions.plan_view import plan_view, pressure_label
from sessions.plans import PlanNotPossible, build_plan
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import screening_answers
from tests.helpers import at, move_to_now, sign_in
from tests.sessions.test_plans import outcomes, routines

SHOWN_PRESSURE = re.compile(r'data-area="(\w+)" data-pressure="(\w+)">[^<]*<strong>([^<]+)</strong>')


def shown_pressures(html: str) -> list[tuple[str, str, str]]:
    return SHOWN_PRESSURE.findall(html)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(routine=routines(), outcome=outcomes)
def test_no_step_shows_more_pressure_than_the_plan_allows_on_its_area(routine, outcome):
    try:
        plan = build_plan(routine=routine, outcome=outcome, booked_minutes=150)
    except PlanNotPossible:
        return
    view = plan_view(plan.to_dict())

    html = render_to_string("sessions/_steps.html", {"view": view})

    shown = shown_pressures(html)
    assert len(shown) == sum(len(step.areas) for step in plan.steps)
    for area, pressure, words in shown:
        assert words == pressure_label(pressure)  # what is read is what the plan holds
        for limit in (outcome.pressure_caps.get(area), outcome.max_pressure):
            if limit:
                assert PRESSURE_RANK[pressure] <= PRESSURE_RANK[limit], (area, pressure, limit)


@pytest.fixture
def careful_client(client_):
    """A nut allergy, a painful point, a preference for light pressure, a graze
    on the mid back and sore ankles when lying on the front."""
    screening_create(
        client=client_,
        answers=screening_answers(
            oil_or_nut_allergy=True,
            allergies="almonds",
            pressure_preference="light",
            pain_map=[{"area": "lower_back", "side": "left", "intensity": 7, "note": "since Monday"}],
            skin_injuries=True,
            skin_injury_areas=["mid_back"],
            prone_discomfort=["ankles"],
        ),
        entered_via="staff",
    )
    return client_


@pytest.fixture
def session(careful_client, therapist, room, routine, tomorrow):
    return appointment_book(client=careful_client, routine=routine, start=at(tomorrow, 10))


@pytest.fixture
def therapist_browser(client, password, therapist):
    sign_in(client, therapist.user)
    return client


pytestmark = pytest.mark.django_db


def test_the_session_page_shows_the_safety_facts_above_the_steps(therapist_browser, session):
    html = therapist_browser.get(f"/sessions/{session.pk}/").content.decode()

    steps_begin = html.index("<h2>Steps</h2>")
    safety = html[:steps_begin]
    assert "almonds" in safety
    assert "Neutral baby oil" in safety
    assert "Lower back (left): 7/10" in safety
    assert "A warm, quiet, relaxed room" in safety
    assert "warm ones to cover" in safety
    assert "Warm the oil in your palm" in safety
    assert 'Keep away from</dt><dd class="danger-text">mid back' in safety
    assert "Soft roller under the ankles — ankles" in safety
    assert {pressure for _, pressure, _ in shown_pressures(html)} == {"light"}
    assert "the client prefers light pressure" in html


def test_i_have_read_this_appears_only_when_there_is_something_to_review(therapist_browser, session, client_):
    with_review = therapist_browser.get(f"/sessions/{session.pk}/").content.decode()
    review = with_review[with_review.index('id="review-heading"') : with_review.index("I have read this")]
    assert "Allergic to oils or nuts" in review  # the finding is beside its button

    screening_create(client=client_, answers=screening_answers(), entered_via="staff")  # nothing to review now

    plain = therapist_browser.get(f"/sessions/{session.pk}/").content.decode()
    assert "I have read this" not in plain


def test_no_codes_are_shown_where_words_belong(therapist_browser, session):
    html = therapist_browser.get(f"/sessions/{session.pk}/").content.decode()
    text = re.sub(r"<[^>]+>", " ", html)

    for code in ["lower_back", "upper_back", "mid_back", "side_lying", "Severity.", "too_strong", "oil_allergy"]:
        assert code not in text, code


def test_a_therapist_checks_their_client_in_from_the_page_and_starting_earlier_says_what_to_do(
    therapist_browser, session
):
    early = therapist_browser.post(f"/sessions/{session.pk}/start/", headers={"HX-Request": "true"})
    assert early.status_code == 409
    assert "Check the client in first" in early.content.decode()
    # Tomorrow's session: check-in opens an hour before it, and the page says so.
    too_soon = therapist_browser.post(f"/sessions/{session.pk}/check-in/", headers={"HX-Request": "true"})
    assert too_soon.status_code == 409
    assert "opens on" in too_soon.content.decode()
    session = move_to_now(session)

    checked_in = therapist_browser.post(f"/sessions/{session.pk}/check-in/", headers={"HX-Request": "true"})

    session.refresh_from_db()
    assert checked_in.status_code == 200
    assert session.status == Appointment.Status.CHECKED_IN
    assert 'id="session"' in checked_in.content.decode()


def test_pressure_feedback_comes_back_as_the_part_that_changed(therapist_browser, session, therapist):
    therapist_browser.post(f"/sessions/{session.pk}/acknowledge/")
    appointment_transition(appointment=session, to_status=Appointment.Status.CHECKED_IN, now=session.start)
    therapist_browser.post(f"/sessions/{session.pk}/start/")

    response = therapist_browser.post(
        f"/sessions/{session.pk}/pressure/", {"step": "1", "verdict": "too_strong"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert 'id="pressure-so-far"' in response.content.decode()
    assert "Step 1: too strong" in response.content.decode()
    assert PressureFeedback.objects.filter(appointment=session, verdict="too_strong").count() == 1


def test_completing_shows_a_summary_with_the_notes_just_written(therapist_browser, session):
    therapist_browser.post(f"/sessions/{session.pk}/acknowledge/")
    appointment_transition(appointment=session, to_status=Appointment.Status.CHECKED_IN, now=session.start)
    therapist_browser.post(f"/sessions/{session.pk}/start/")

    done = therapist_browser.post(
        f"/sessions/{session.pk}/complete/",
        {"therapist_found": "Knot left of L4", "advice": "Stretch the hips daily"},
        headers={"HX-Request": "true"},
    )

    html = done.content.decode()
    assert "Completed" in html
    assert "Knot left of L4" in html
    assert "Stretch the hips daily" in html


def test_my_day_and_the_day_sheet_show_the_same_lowered_pressure(therapist_browser, session, tomorrow):
    for page in (f"/my-day/?date={tomorrow}", f"/my-day/print/?date={tomorrow}"):
        html = therapist_browser.get(page).content.decode()
        assert {pressure for _, pressure, _ in shown_pressures(html)} == {"light"}, page


def test_the_limits_are_in_words_with_their_reasons(therapist_browser, session):
    html = therapist_browser.get(f"/sessions/{session.pk}/").content.decode()

    assert "light on the spine (no direct pressure on the spine; the client prefers light pressure)" in html
    assert "upper back" in html
    assert "upperback" not in html


def test_a_precaution_worded_twice_is_listed_once():
    from sessions.plan_view import unique_lines

    lines = ["No direct pressure on the spine.", "no direct pressure on the spine", "Warm the oil in your palm."]

    assert unique_lines(lines) == ["No direct pressure on the spine.", "Warm the oil in your palm."]
