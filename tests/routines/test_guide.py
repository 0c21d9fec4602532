"""The guide's routines, loaded by the data migration."""

import pytest

from routines.guide import ROUTINES
from routines.models import PRESSURE_RANK, Pressure, RoutineTemplate
from routines.selectors import routine_list, routine_spec
from tests.factories import routine_create_for_test

pytestmark = pytest.mark.django_db


def spec(slug):
    return routine_spec(RoutineTemplate.objects.get(slug=slug, is_current=True))


def test_the_five_routines_of_the_guide_are_there():
    assert {routine.slug for routine in routine_list()} == {
        "classic-back-massage",
        "lower-back-relief",
        "neck-and-shoulders",
        "pregnancy-back-massage",
        "therapeutic-back-massage",
    }


def test_classic_massage_is_seven_movements_then_three_two_one():
    classic = spec("classic-back-massage")

    assert [step.order for step in classic.steps] == list(range(1, 11))
    assert [step.repeat_of for step in classic.steps[7:]] == [3, 2, 1]
    assert [step.technique for step in classic.steps[7:]] == [
        classic.steps[2].technique,
        classic.steps[1].technique,
        classic.steps[0].technique,
    ]
    assert classic.position == "prone"
    assert 40 <= classic.typical_minutes <= 75


def test_classic_doses_follow_the_guide():
    steps = spec("classic-back-massage").steps

    assert (steps[0].min_minutes, steps[0].max_minutes) == (5, 10)
    assert (steps[1].min_minutes, steps[2].min_minutes) == (5, 5)
    assert (steps[3].count, steps[3].per_side, steps[3].alternating_minutes) == (3, True, 2)
    assert (steps[5].count, steps[5].unit) == (6, "movements")
    assert steps[6].uses_pain_map


def test_pregnancy_routine_is_side_lying_without_firm_pressure():
    pregnancy = spec("pregnancy-back-massage")

    assert pregnancy.position == "side_lying"
    assert pregnancy.qualification == "pregnancy"
    assert all(PRESSURE_RANK[step.pressure] < PRESSURE_RANK[Pressure.FIRM] for step in pregnancy.steps)


def test_therapeutic_routine_needs_the_qualification_and_adapts_pressure():
    therapeutic = spec("therapeutic-back-massage")

    assert therapeutic.qualification == "therapeutic"
    assert any(step.pressure == "adaptive" for step in therapeutic.steps)


def test_no_guide_step_works_the_spine_itself():
    for routine in routine_list():
        assert all("spine" not in step.areas for step in routine_spec(routine).steps), routine.slug


def test_steps_without_a_time_in_the_guide_say_so_in_their_notes():
    lower_back = spec("lower-back-relief")

    assert all("chosen" in step.notes or "assumed" in step.notes for step in lower_back.steps)


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda routine: routine["slug"])
def test_the_guide_data_passes_the_same_validation_as_any_routine(routine):
    from routines.models import Technique

    fields = {key: value for key, value in routine.items() if key not in {"slug", "steps"}}
    steps = [
        {**step, "technique": Technique.objects.get(name=step["technique"]), "areas": list(step["areas"])}
        for step in routine["steps"]
    ]

    copy = routine_create_for_test(slug=f"copy-of-{routine['slug']}", steps=steps, **fields)

    assert routine_spec(copy).typical_minutes == spec(routine["slug"]).typical_minutes


def test_durations_and_slot_length():
    classic = spec("classic-back-massage")

    assert (classic.minimum_minutes, classic.typical_minutes) == (42, 48)
    assert classic.turnover_minutes == 15
    assert classic.slot_minutes(15) == 75  # 48 + 15 = 63, rounded up to the quarter hour
    assert classic.slot_minutes(10) == 70
    assert classic.slot_minutes(30) == 90


def test_seed_demo_restores_a_deleted_guide_routine():
    from django.core.management import call_command

    RoutineTemplate.objects.filter(slug="neck-and-shoulders").delete()

    call_command("seed_demo")

    assert RoutineTemplate.objects.filter(slug="neck-and-shoulders", is_current=True).count() == 1
