"""The session-plan builder, a pure function: examples first, then properties
over random routines and screening outcomes."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clients.outcome import Finding, PainPoint, ScreeningOutcome, Support
from routines.guide import ROUTINES
from routines.models import PRESSURE_RANK, BodyArea, Pressure
from routines.specs import RoutineSpec, StepSpec
from sessions.plans import PlanNotPossible, build_plan


def guide_spec(slug: str) -> RoutineSpec:
    """A guide routine as a spec, without the database."""
    from routines.guide import BESIDE_SPINE, CORE_STEPS, TECHNIQUES

    hand = {technique["name"]: technique["hand_part"] for technique in TECHNIQUES}
    data = next(routine for routine in ROUTINES if routine["slug"] == slug)
    steps = tuple(
        StepSpec(**{**step, "areas": tuple(step["areas"]), "hand_part": hand[step["technique"]],
                    "core": step["order"] in CORE_STEPS[slug], "beside_spine": step["technique"] in BESIDE_SPINE})
        for step in data["steps"]
    )  # fmt: skip
    return RoutineSpec(
        id=None,
        slug=slug,
        name=data["name"],
        version=1,
        position=data["position"],
        qualification=data["qualification"],
        turnover_minutes=data["turnover_minutes"],
        steps=steps,
        oil=data["oil"],
        supports=tuple(data["supports"]),
        precautions=tuple(data["precautions"]),
    )


CLASSIC = guide_spec("classic-back-massage")


def test_a_neutral_outcome_gives_the_routine_as_written():
    plan = build_plan(routine=CLASSIC, outcome=ScreeningOutcome.neutral(), booked_minutes=48)

    assert [step.template_order for step in plan.steps] == list(range(1, 11))
    assert [step.minutes for step in plan.steps] == [step.typical_minutes for step in CLASSIC.steps]
    assert [step.start_offset for step in plan.steps[:3]] == [0, 8, 13]
    assert plan.planned_minutes == 48
    assert plan.position == "prone"
    assert plan.adaptations == ()


def test_a_shorter_booking_shortens_ranged_steps_but_never_below_their_minimum():
    plan = build_plan(routine=CLASSIC, outcome=ScreeningOutcome.neutral(), booked_minutes=44)

    assert plan.planned_minutes == 44
    for step, template in zip(plan.steps, CLASSIC.steps, strict=True):
        assert template.minimum_minutes <= step.minutes <= template.typical_minutes
    assert "Shortened to fit 44 booked minutes" in plan.adaptations[0]


def test_a_longer_booking_lengthens_timed_steps_up_to_their_longest():
    plan = build_plan(routine=CLASSIC, outcome=ScreeningOutcome.neutral(), booked_minutes=50)

    assert plan.planned_minutes == 50
    for step, template in zip(plan.steps, CLASSIC.steps, strict=True):
        if template.dose_kind == "duration":
            assert template.typical_minutes <= step.minutes <= template.max_minutes
        else:
            assert step.minutes == template.typical_minutes  # a count of movements is what it is
    assert plan.adaptations == ("Lengthened to fill 50 booked minutes: step 1.",)  # the stroking has most room


def test_minutes_beyond_every_steps_longest_are_left_to_the_therapist():
    plan = build_plan(routine=CLASSIC, outcome=ScreeningOutcome.neutral(), booked_minutes=80)

    assert CLASSIC.maximum_minutes == 50
    assert plan.planned_minutes == 50
    assert plan.adaptations[-1].startswith("30 booked minutes beyond the routine's longest")


def test_a_booking_below_the_minimum_is_refused():
    with pytest.raises(PlanNotPossible) as refused:
        build_plan(routine=CLASSIC, outcome=ScreeningOutcome.neutral(), booked_minutes=41)

    assert refused.value.code == "booking_too_short"
    assert "at least 42 minutes" in refused.value.detail


def test_avoided_areas_are_left_out_of_steps_and_steps_only_there_are_dropped():
    outcome = ScreeningOutcome(avoid_areas=frozenset({"lower_back", "mid_back"}))

    plan = build_plan(routine=CLASSIC, outcome=outcome, booked_minutes=60)

    assert all(not {"lower_back", "mid_back"} & set(step.areas) for step in plan.steps)
    assert 6 not in [step.template_order for step in plan.steps]  # forearm stroking works only those
    assert any("Step 6 (Forearm stroking) left out" in line for line in plan.adaptations)
    assert plan.avoid_areas == ("mid_back", "lower_back")


def test_pressure_caps_and_the_clients_limit_lower_pressure_only_where_needed():
    outcome = ScreeningOutcome(pressure_caps={"neck": "light"}, max_pressure="medium")

    plan = build_plan(routine=CLASSIC, outcome=outcome, booked_minutes=60)

    fingertips = plan.steps[2]
    assert fingertips.pressure == "firm"
    assert fingertips.pressure_by_area == {"lower_back": "medium", "mid_back": "medium", "upper_back": "medium",
                                          "neck": "light"}  # fmt: skip
    assert "Neck: light pressure only (the screening)." in fingertips.notes
    assert plan.steps[0].pressure_by_area["lower_back"] == "medium"


def test_each_lowered_pressure_says_why():
    outcome = ScreeningOutcome(
        pressure_caps={"spine": "light"},
        max_pressure="medium",
        limit_reasons={"spine": "no direct pressure on the spine", "*": "the client prefers medium pressure"},
    )
    step = StepSpec(order=1, technique="Thumb rubbing", hand_part="thumbs", areas=("spine", "upper_back", "neck"),
                    pressure="firm", dose_kind="duration", min_minutes=5, max_minutes=5)  # fmt: skip
    routine = RoutineSpec(id=None, slug="r", name="R", version=1, position="prone", qualification="none",
                          turnover_minutes=0, steps=(step,))  # fmt: skip

    planned = build_plan(routine=routine, outcome=outcome, booked_minutes=5).steps[0]

    assert planned.pressure_by_area == {"spine": "light", "upper_back": "medium", "neck": "medium"}
    assert planned.pressure_reasons == {
        "spine": "no direct pressure on the spine",
        "upper_back": "the client prefers medium pressure",
        "neck": "the client prefers medium pressure",
    }


def test_painful_points_become_targets_of_the_thumb_pressure_step():
    points = (PainPoint("lower_back", "left", 8, "sharp"), PainPoint("neck", "right", 6))

    plan = build_plan(routine=CLASSIC, outcome=ScreeningOutcome(pain_points=points), booked_minutes=60)

    thumb = next(step for step in plan.steps if step.technique == "Thumb pressure on painful points")
    assert thumb.pain_points == (points[0],)  # the step does not work the neck
    assert plan.pain_points == points


def test_supports_oil_and_flags_come_from_the_screening():
    outcome = ScreeningOutcome(
        supports=(Support("Small pad", "ankles"),),
        oil="Neutral baby oil",
        findings=(Finding("allergy", "review", "Allergic to almond oil"),),
        precautions=("Client is sensitive to cold.",),
    )

    plan = build_plan(routine=CLASSIC, outcome=outcome, booked_minutes=60)

    assert plan.supports == (Support("Small pad", "ankles"),)
    assert plan.oil == "Neutral baby oil"
    assert plan.flags == outcome.findings
    assert plan.precautions[-1] == "Client is sensitive to cold."
    assert any(line.startswith("Oil: Neutral baby oil instead of") for line in plan.adaptations)


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (ScreeningOutcome(blocked_areas=frozenset({"lower_back"}),
                          findings=(Finding("spine", "blocked", "Acute inflammation of the spine"),)),
         "routine_blocked"),
        (ScreeningOutcome(position="side_lying", qualification="pregnancy"), "position_not_allowed"),
        (ScreeningOutcome(qualification="therapeutic"), "qualification_required"),
        (ScreeningOutcome(avoid_areas=frozenset({"lower_back", "mid_back", "upper_back", "neck", "shoulders"})),
         "no_steps_left"),
    ],
)  # fmt: skip
def test_routines_the_screening_forbids_are_refused_with_a_reason(outcome, code):
    with pytest.raises(PlanNotPossible) as refused:
        build_plan(routine=CLASSIC, outcome=outcome, booked_minutes=60)

    assert refused.value.code == code


def test_a_pregnant_client_gets_the_pregnancy_routine():
    outcome = ScreeningOutcome(position="side_lying", qualification="pregnancy")

    plan = build_plan(routine=guide_spec("pregnancy-back-massage"), outcome=outcome, booked_minutes=30)

    assert plan.position == "side_lying"
    assert plan.qualification == "pregnancy"


# --- Properties ----------------------------------------------------------

AREAS = list(BodyArea.values)
LIMITS = [Pressure.LIGHT, Pressure.MEDIUM, Pressure.FIRM]


@st.composite
def steps(draw, order: int):
    ranged = draw(st.booleans())
    low = draw(st.integers(1, 15))
    return StepSpec(
        order=order,
        technique=draw(st.sampled_from(["Open-palm stroking", "Thumb pressure on painful points"])),
        hand_part="palm",
        areas=tuple(draw(st.lists(st.sampled_from(AREAS), min_size=1, max_size=4, unique=True))),
        pressure=draw(st.sampled_from(Pressure.values)),
        dose_kind="duration" if ranged else "count",
        min_minutes=low if ranged else None,
        max_minutes=low + draw(st.integers(0, 10)) if ranged else None,
        count=None if ranged else draw(st.integers(1, 40)),
        seconds_per_unit=None if ranged else draw(st.integers(1, 60)),
        per_side=draw(st.booleans()),
        alternating_minutes=draw(st.integers(0, 2)),
        uses_pain_map=draw(st.booleans()),
        core=draw(st.booleans()),
    )


@st.composite
def routines(draw):
    count = draw(st.integers(1, 8))
    return RoutineSpec(
        id=None,
        slug="random",
        name="Random routine",
        version=1,
        position=draw(st.sampled_from(["prone", "side_lying"])),
        qualification="none",
        turnover_minutes=15,
        steps=tuple(draw(steps(order)) for order in range(1, count + 1)),
    )


outcomes = st.builds(
    ScreeningOutcome,
    supports=st.lists(
        st.builds(Support, item=st.sampled_from(["Pad", "Roller"]), area=st.sampled_from(AREAS),
                  position=st.sampled_from(["", "prone", "side_lying"])),
        max_size=3,
    ).map(tuple),
    avoid_areas=st.frozensets(st.sampled_from(AREAS), max_size=4),
    pressure_caps=st.dictionaries(st.sampled_from(AREAS), st.sampled_from(LIMITS), max_size=4),
    max_pressure=st.none() | st.sampled_from(LIMITS),
    pain_points=st.lists(
        st.builds(PainPoint, area=st.sampled_from(AREAS), side=st.sampled_from(["left", "right"]),
                  intensity=st.integers(0, 10)),
        max_size=4,
    ).map(tuple),
)  # fmt: skip


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(routine=routines(), outcome=outcomes, booked=st.integers(1, 150))
def test_plans_never_break_the_screening_or_the_booking(routine, outcome, booked):
    try:
        plan = build_plan(routine=routine, outcome=outcome, booked_minutes=booked)
    except PlanNotPossible as refused:
        kept = [step for step in routine.steps if set(step.areas) - outcome.avoid_areas]
        if refused.code == "no_steps_left":
            assert kept == []
        elif refused.code == "core_step_lost":
            assert any(step.core and step not in kept for step in routine.steps)
        else:
            assert refused.code == "booking_too_short"  # noqa: PT017 (the property checks why it refused)
            assert sum(step.minimum_minutes for step in kept) > booked
        return

    for step in plan.steps:
        assert not set(step.areas) & outcome.avoid_areas
        assert all(point.area in step.areas for point in step.pain_points)
        assert all(point.area != "spine" and point.area not in outcome.avoid_areas for point in step.pain_points)
    assert all(support.position in {"", plan.position} for support in plan.supports)
    unpressed = {(point.area, point.side, point.intensity) for point in plan.do_not_press}
    for point in outcome.pain_points:
        if point.area == "spine" or point.area in outcome.avoid_areas:
            assert (point.area, point.side, point.intensity) in unpressed
        for area, pressure in step.pressure_by_area.items():
            for limit in (outcome.pressure_caps.get(area), outcome.max_pressure):
                if limit:
                    assert PRESSURE_RANK[pressure] <= PRESSURE_RANK[limit]
    orders = [step.template_order for step in plan.steps]
    assert orders == sorted(orders)
    assert sum(step.minutes for step in plan.steps) <= booked
    assert plan.planned_minutes == sum(step.minutes for step in plan.steps)
    offsets = [step.start_offset for step in plan.steps]
    assert offsets == [sum(step.minutes for step in plan.steps[:index]) for index in range(len(plan.steps))]
    by_order = {step.order: step for step in routine.steps}
    for step in plan.steps:
        assert step.minutes >= by_order[step.template_order].minimum_minutes
    planned_orders = {step.template_order for step in plan.steps}
    assert all(step.order in planned_orders for step in routine.steps if step.core)  # never without its core


@settings(max_examples=100, deadline=None)
@given(routine=routines(), outcome=outcomes)
def test_plans_survive_a_round_trip_through_json(routine, outcome):
    import json

    assert ScreeningOutcome.from_dict(json.loads(json.dumps(outcome.to_dict()))) == outcome
    assert RoutineSpec.from_dict(json.loads(json.dumps(routine.to_dict()))) == routine


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(routine=routines(), outcome=outcomes, booked=st.integers(1, 150))
def test_a_plan_is_stored_as_dataclasses_asdict_would_give_it(routine, outcome, booked):
    from dataclasses import asdict

    # given any plan the screening and the booking allow
    try:
        plan = build_plan(routine=routine, outcome=outcome, booked_minutes=booked)
    except PlanNotPossible:
        return

    # when it is made data to store, then it is exactly what asdict makes of it
    assert plan.to_dict() == asdict(plan)


def test_points_on_the_spine_or_where_to_keep_away_are_shown_not_to_press():
    points = (PainPoint("spine", "both", 7), PainPoint("mid_back", "left", 6), PainPoint("lower_back", "left", 8))
    outcome = ScreeningOutcome(pain_points=points, avoid_areas=frozenset({"mid_back"}))

    plan = build_plan(routine=CLASSIC, outcome=outcome, booked_minutes=60)

    thumb = next(step for step in plan.steps if step.technique == "Thumb pressure on painful points")
    assert thumb.pain_points == (points[2],)
    assert [(point.area, point.reason) for point in plan.do_not_press] == [
        ("spine", "no direct pressure on the spine"),
        ("mid_back", "the screening says to keep away"),
    ]


def test_the_painful_points_finding_counts_only_points_the_routine_works():
    outcome = ScreeningOutcome(
        pain_points=(PainPoint("lower_back", "left", 8), PainPoint("neck", "right", 6)),
        findings=(Finding("pain_points", "info", "2 painful points to work with thumb pressure."),),
    )

    classic = build_plan(routine=CLASSIC, outcome=outcome, booked_minutes=60)
    no_thumb_step = build_plan(routine=guide_spec("lower-back-relief"), outcome=outcome, booked_minutes=60)

    assert [flag.message for flag in classic.flags] == ["1 painful point to work with thumb pressure."]
    assert [flag.rule for flag in no_thumb_step.flags] == []


def test_front_lying_pads_stay_out_of_a_side_lying_plan():
    outcome = ScreeningOutcome(
        position="side_lying",
        qualification="pregnancy",
        supports=(Support("Small pad under the forehead and neck", "neck", "prone"), Support("Warm towel", "ankles")),
    )

    plan = build_plan(routine=guide_spec("pregnancy-back-massage"), outcome=outcome, booked_minutes=30)

    assert plan.supports == (Support("Warm towel", "ankles"),)
    assert "Pillow between the knees" in plan.supplies
    assert any("Pads for lying on the front left out" in line for line in plan.adaptations)


def test_a_routine_that_would_lose_a_core_step_is_refused_not_shrunk():
    lower_back = guide_spec("lower-back-relief")  # core: the opening stroking and the thumb kneading
    outcome = ScreeningOutcome(avoid_areas=frozenset({"lower_back"}))  # only the buttocks step would be left

    with pytest.raises(PlanNotPossible) as refused:
        build_plan(routine=lower_back, outcome=outcome, booked_minutes=30)

    assert refused.value.code == "core_step_lost"
    assert "Choose another routine" in refused.value.detail


def test_the_guides_routines_name_their_core_steps():
    from routines.guide import CORE_STEPS

    for routine in ROUTINES:
        assert CORE_STEPS[routine["slug"]], routine["slug"]
        assert 1 in CORE_STEPS[routine["slug"]]  # the opening stroking that spreads the oil


def test_a_wound_on_the_spine_removes_every_step_on_or_beside_it():
    spine = ScreeningOutcome(avoid_areas=frozenset({"spine"}))

    plan = build_plan(routine=guide_spec("pregnancy-back-massage"), outcome=spine, booked_minutes=45)
    with pytest.raises(PlanNotPossible) as classic:  # its thumb rubbing beside the spine is its core
        build_plan(routine=CLASSIC, outcome=spine, booked_minutes=60)

    assert [step.technique for step in plan.steps] == ["Open-palm stroking", "Base-of-palm stroking",
                                                       "Open-palm stroking"]  # fmt: skip
    assert sum("works beside the spine" in line for line in plan.adaptations) == 2
    assert classic.value.code == "core_step_lost"
    assert "works beside the spine" in classic.value.detail


def test_the_neck_gets_less_pressure_than_the_rest_of_a_step_as_the_guide_says():
    plan = build_plan(routine=CLASSIC, outcome=ScreeningOutcome.neutral(), booked_minutes=60)

    rubbing = next(step for step in plan.steps if step.technique == "Reinforced thumb rubbing")
    assert rubbing.pressure == "firm"
    assert rubbing.pressure_by_area["neck"] == "medium"
    assert rubbing.pressure_by_area["lower_back"] == "firm"
    assert rubbing.pressure_reasons == {}  # the routine's own choice, not a limit of this client's


def test_the_guides_wording_holds_in_the_data():
    classic = {step.order: step for step in CLASSIC.steps}
    relief = guide_spec("lower-back-relief")

    assert PRESSURE_RANK[classic[2].pressure] > PRESSURE_RANK[classic[1].pressure]  # the base of the palm goes deeper
    assert {step.pressure for step in relief.steps if step.technique != "Open-palm stroking"} == {"light"}  # soft
    assert [step.technique for step in relief.steps if "buttocks" in step.areas] == ["Gentle kneading of the buttocks"]
    assert all("spine" not in step.areas for routine in ROUTINES for step in guide_spec(routine["slug"]).steps)
    assert any("Support the pressing finger" in step.notes for step in CLASSIC.steps)
    assert any("shoulder blades" in line for line in CLASSIC.precautions)


def test_a_lighter_area_is_never_firmer_than_its_step():
    step = StepSpec(order=1, technique="Open-palm stroking", hand_part="palm", areas=("upper_back", "neck"),
                    pressure="light", area_pressure={"neck": "medium"}, dose_kind="duration", min_minutes=5,
                    max_minutes=5)  # fmt: skip
    routine = RoutineSpec(id=None, slug="r", name="R", version=1, position="prone", qualification="none",
                          turnover_minutes=0, steps=(step,))  # fmt: skip

    planned = build_plan(routine=routine, outcome=ScreeningOutcome.neutral(), booked_minutes=5).steps[0]

    assert planned.pressure_by_area == {"upper_back": "light", "neck": "light"}
