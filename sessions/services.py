"""Use cases of sessions."""

from django.db import transaction

from clients.outcome import ScreeningOutcome
from routines.models import RoutineTemplate
from routines.selectors import routine_spec
from sessions.models import SessionPlan
from sessions.plans import build_plan


@transaction.atomic
def session_plan_create(*, routine: RoutineTemplate, outcome: ScreeningOutcome, booked_minutes: int) -> SessionPlan:
    """Build a plan and keep it with copies of everything it was built from."""
    spec = routine_spec(routine)
    plan = build_plan(routine=spec, outcome=outcome, booked_minutes=booked_minutes)
    session_plan = SessionPlan(
        routine=routine,
        booked_minutes=booked_minutes,
        routine_snapshot=spec.to_dict(),
        outcome=outcome.to_dict(),
        plan=plan.to_dict(),
    )
    session_plan.full_clean()
    session_plan.save()
    return session_plan
