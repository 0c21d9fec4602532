"""The demo salon's screenings exercise every rule; the plan built for each
demo client shows the rule's effect."""

import pytest
from django.core.management import call_command

from clients.models import Client
from clients.rules import NEUTRAL_OIL
from clients.selectors import client_outcome
from routines.models import RoutineTemplate
from routines.selectors import routine_spec
from sessions.plans import PlanNotPossible, build_plan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_salon")]


def plan_for(given_name: str, routine: str = "classic-back-massage", minutes: int = 60):
    client = Client.objects.get(given_name=given_name)
    spec = routine_spec(RoutineTemplate.objects.get(slug=routine, is_current=True))
    return build_plan(routine=spec, outcome=client_outcome(client), booked_minutes=minutes)


def test_the_pregnant_client_gets_side_lying_and_not_the_classic_massage():
    plan = plan_for("Julia", "pregnancy-back-massage", 45)

    assert plan.position == "side_lying"
    assert plan.pressure_caps.get("lower_back") == "medium"
    with pytest.raises(PlanNotPossible) as refused:
        plan_for("Julia")
    assert refused.value.code == "position_not_allowed"


def test_the_wound_on_the_lower_back_is_avoided():
    plan = plan_for("Katharina")

    assert plan.avoid_areas == ("lower_back",)
    assert all("lower_back" not in step.areas for step in plan.steps)
    with pytest.raises(PlanNotPossible) as refused:  # it would be only the buttocks step: not lower-back relief
        plan_for("Katharina", "lower-back-relief")
    assert refused.value.code == "core_step_lost"


def test_acute_spinal_inflammation_blocks_every_back_routine():
    for slug in ["classic-back-massage", "lower-back-relief", "neck-and-shoulders", "therapeutic-back-massage"]:
        with pytest.raises(PlanNotPossible) as refused:
            plan_for("Henrik", slug)
        assert refused.value.code == "routine_blocked"


def test_the_nut_allergy_changes_the_oil():
    assert plan_for("Mehmet").oil == NEUTRAL_OIL


def test_discomfort_adds_pads_and_painful_points_become_targets():
    plan = plan_for("Sabine")

    assert [support.area for support in plan.supports] == ["neck", "ankles"]
    thumb = next(step for step in plan.steps if step.technique == "Thumb pressure on painful points")
    assert [(point.area, point.intensity) for point in thumb.pain_points] == [("lower_back", 8), ("shoulders", 5)]


def test_a_light_pressure_preference_caps_every_step():
    plan = plan_for("Leonie")

    assert all(pressure == "light" for step in plan.steps for pressure in step.pressure_by_area.values())


def test_seeding_twice_adds_no_screenings():
    before = {client.pk: client.screenings.count() for client in Client.objects.all()}

    call_command("seed_demo")

    assert {client.pk: client.screenings.count() for client in Client.objects.all()} == before


def test_the_demo_screenings_exercise_every_rule():
    from clients.rules import RULES

    found = {finding.rule for client in Client.objects.all() for finding in client_outcome(client).findings}

    silent = {"spine"}  # holds for everyone, as a cap and a precaution, without a finding
    assert {name for name, _ in RULES} - silent - found == set()
    assert "fever" in found
    assert all(client_outcome(client).pressure_caps.get("spine") == "light" for client in Client.objects.all())
