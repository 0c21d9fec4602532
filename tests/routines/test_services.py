import json

import pytest

from clients.outcome import ScreeningOutcome
from routines.models import RoutineStep, RoutineTemplate
from routines.selectors import routine_spec
from routines.services import routine_new_version, routine_update
from salon.errors import Conflict, InvalidInput
from sessions.models import SessionPlan
from sessions.services.plans import session_plan_create
from tests.factories import routine_create_for_test, step_data

pytestmark = pytest.mark.django_db


def stored_rows() -> tuple[int, int]:
    return RoutineTemplate.objects.count(), RoutineStep.objects.count()


def refused(**kwargs) -> dict:
    before = stored_rows()
    with pytest.raises(InvalidInput) as error:
        routine_create_for_test(**kwargs)
    assert stored_rows() == before, "nothing may be saved"
    return error.value.fields


def test_a_valid_routine_is_stored_with_its_areas_worked():
    routine = routine_create_for_test(steps=[step_data(1, areas=["neck", "lower_back"]), step_data(2)])

    assert routine.version == 1
    assert routine.is_current
    assert routine.areas == ["neck", "lower_back"]
    assert [step.order for step in routine.steps.all()] == [1, 2]


def test_a_routine_needs_a_step():
    assert refused(steps=[]) == {"steps": ["A routine needs at least one step."]}


@pytest.mark.parametrize("orders", [[1, 3], [2, 3], [1, 1], [0, 1]])
def test_steps_are_numbered_without_gaps(orders):
    errors = refused(steps=[step_data(order) for order in orders])

    assert "without gaps" in errors["steps"][0] or "steps.0.order" in errors


@pytest.mark.parametrize("repeat_of", [2, 3, 9])
def test_repeat_of_must_point_to_an_earlier_step(repeat_of):
    errors = refused(steps=[step_data(1), step_data(2, repeat_of=repeat_of)])

    assert "steps.1.repeat_of" in errors


@pytest.mark.parametrize(
    ("dose", "field"),
    [
        ({"min_minutes": 0, "max_minutes": 5}, "steps.0.min_minutes"),
        ({"min_minutes": 8, "max_minutes": 5}, "steps.0.max_minutes"),
        ({"dose_kind": "count", "min_minutes": None, "max_minutes": None, "count": 0, "seconds_per_unit": 5},
         "steps.0.count"),
        ({"dose_kind": "count", "min_minutes": None, "max_minutes": None, "count": 3, "seconds_per_unit": None},
         "steps.0.seconds_per_unit"),
    ],
)  # fmt: skip
def test_doses_must_be_complete_and_positive(dose, field):
    errors = refused(steps=[step_data(1, **dose)])

    assert field in errors


def test_unknown_areas_and_bad_choices_name_the_step_field():
    errors = refused(steps=[step_data(1, areas=["knee"], pressure="brutal")])

    assert "Unknown body area: knee" in errors["steps.0.areas"][0]
    assert "steps.0.pressure" in errors


def test_a_slug_names_one_routine():
    routine_create_for_test(slug="calm")

    assert "slug" in refused(slug="calm")


def test_an_unused_routine_is_edited_in_place():
    routine = routine_create_for_test()

    updated = routine_update(routine=routine, name="Calm back", steps=[step_data(1, min_minutes=3, max_minutes=6)])

    assert updated.pk == routine.pk
    assert updated.version == 1
    assert updated.name == "Calm back"
    assert routine_spec(updated).typical_minutes == 5


def test_editing_a_routine_that_plans_use_makes_a_new_version_and_leaves_the_plan_alone():
    routine = routine_create_for_test()
    plan = session_plan_create(routine=routine, outcome=ScreeningOutcome.neutral(), booked_minutes=30)
    snapshot = json.dumps(
        SessionPlan.objects.values("plan", "routine_snapshot", "outcome", "routine_id").get(pk=plan.pk),
        sort_keys=True,
    ).encode()

    successor = routine_update(routine=routine, name="Renamed", steps=[step_data(1, pressure="firm")])

    routine.refresh_from_db()
    assert (successor.version, successor.is_current) == (2, True)
    assert routine.is_current is False
    assert routine.name == "Test routine"
    assert list(routine.steps.values_list("pressure", flat=True)) == ["medium", "medium"]
    after = json.dumps(
        SessionPlan.objects.values("plan", "routine_snapshot", "outcome", "routine_id").get(pk=plan.pk),
        sort_keys=True,
    ).encode()
    assert after == snapshot


def test_a_replaced_version_cannot_be_edited():
    routine = routine_create_for_test()
    session_plan_create(routine=routine, outcome=ScreeningOutcome.neutral(), booked_minutes=30)
    routine_update(routine=routine, name="Second")

    with pytest.raises(Conflict) as error:
        routine_update(routine=routine, name="Third")

    assert error.value.code == "not_current_version"


def test_a_refused_edit_of_a_used_routine_changes_nothing():
    routine = routine_create_for_test()
    session_plan_create(routine=routine, outcome=ScreeningOutcome.neutral(), booked_minutes=30)
    before = stored_rows()

    with pytest.raises(InvalidInput):
        routine_update(routine=routine, steps=[step_data(2)])

    routine.refresh_from_db()
    assert routine.is_current
    assert stored_rows() == before


def test_duplicate_as_new_version_copies_the_steps():
    routine = RoutineTemplate.objects.get(slug="classic-back-massage")

    copy = routine_new_version(routine=routine)

    assert copy.version == 2
    assert routine_spec(copy).steps == routine_spec(routine).steps
    assert [step.repeat_of.order for step in copy.steps.filter(repeat_of__isnull=False).order_by("order")] == [3, 2, 1]
    assert copy.steps.filter(repeat_of__routine=routine).count() == 0


def test_a_routine_spec_costs_one_query_for_all_steps(django_assert_num_queries):
    routine = RoutineTemplate.objects.get(slug="classic-back-massage")

    with django_assert_num_queries(1):
        spec = routine_spec(routine)

    assert len(spec.steps) == 10


def test_the_guides_routines_are_refreshed_to_the_guide_as_new_versions_where_plans_use_them():
    from clients.outcome import ScreeningOutcome
    from routines.models import RoutineStep
    from routines.services import guide_routines_refresh

    relief = RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True)
    session_plan_create(routine=relief, outcome=ScreeningOutcome.neutral(), booked_minutes=30)
    RoutineStep.objects.filter(routine=relief, order=2).update(pressure="medium")  # as an older release had it

    changed = guide_routines_refresh()
    again = guide_routines_refresh()

    assert [routine.slug for routine in changed] == ["lower-back-relief"]
    assert changed[0].version == relief.version + 1
    assert changed[0].steps.get(order=2).pressure == "light"
    assert again == []  # nothing left to change
