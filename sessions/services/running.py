"""Running a session at the table: the therapist acknowledges findings that
need review, starts, records what the client says about the pressure,
writes notes and completes."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from clients.outcome import ScreeningOutcome
from salon.errors import Conflict, InvalidInput, validate
from sessions.models import Appointment, PressureFeedback, SessionNote
from sessions.services.lifecycle import appointment_transition, appointment_transition_check
from sessions.services.plans import session_plan_refresh

NOTE_FIELDS = ["client_reported", "therapist_found", "work_done", "advice"]


@transaction.atomic
def session_review_acknowledge(*, appointment: Appointment, by) -> Appointment:
    """The therapist has read the findings that need review for this session."""
    Appointment.objects.filter(pk=appointment.pk).update(
        review_acknowledged_by=by, review_acknowledged_at=timezone.now()
    )
    appointment.refresh_from_db()
    return appointment


def session_start(*, appointment: Appointment, by) -> Appointment:
    """Start a checked-in session with a plan that follows the screening as
    it is now. A routine the screening now forbids is not started; findings
    that need review must have been acknowledged for this plan. From here on
    the plan is frozen.

    One transaction: the refresh locks the row and reads it as it is now,
    and the start changes it under that lock (a second transaction, with a
    savepoint and a second lock, cost every start five round trips and a
    second commit). A refusal is raised after the commit, so that a change
    the refresh found is kept even when the start is refused."""
    if appointment.status == Appointment.Status.BOOKED:
        raise Conflict(
            gettext("Check the client in first: they have not been checked in yet."), code="invalid_transition"
        )
    with transaction.atomic():
        appointment = session_plan_refresh(appointment=appointment)
        try:
            _start_check(appointment)
        except Conflict as refused:
            refusal = refused
        else:
            return appointment_transition(
                appointment=appointment, to_status=Appointment.Status.IN_PROGRESS, by=by, locked=True
            )
    raise refusal


def _start_check(appointment: Appointment) -> None:
    """Why the session, as refreshed, cannot start (a ``Conflict``), if it cannot."""
    if appointment.plan_problem:
        raise Conflict(
            gettext("This routine cannot be given now. %(problem)s") % {"problem": appointment.plan_problem},
            code="plan_not_possible",
        )
    outcome = ScreeningOutcome.from_dict(appointment.plan.outcome) if appointment.plan else ScreeningOutcome()
    if outcome.needs_review and appointment.review_acknowledged_at is None:
        raise Conflict(
            gettext("Read and acknowledge the findings that need review before starting."), code="review_required"
        )
    appointment_transition_check(appointment=appointment, to_status=Appointment.Status.IN_PROGRESS)


@transaction.atomic
def session_pressure_record(
    *, appointment: Appointment, verdict: str, step: int | None = None, area: str = ""
) -> PressureFeedback:
    """What the client says about the pressure, while the session runs."""
    if appointment.status != Appointment.Status.IN_PROGRESS:
        raise Conflict(gettext("Pressure feedback is recorded while the session runs."), code="invalid_transition")
    # Without a plan (booked online before a review) nothing names a step.
    steps = {entry["order"]: entry for entry in appointment.plan.plan["steps"]} if appointment.plan else {}
    if step is not None and step not in steps:
        raise InvalidInput(
            gettext("The plan has no such step."), code="invalid", fields={"step": [gettext("Unknown step.")]}
        )
    if area and step is not None and area not in steps[step]["areas"]:
        raise InvalidInput(
            gettext("That step does not work this area."), code="invalid", fields={"area": [gettext("Not in step.")]}
        )
    feedback = PressureFeedback(appointment=appointment, verdict=verdict, step=step, area=area)
    validate(feedback)
    feedback.save()
    return feedback


@transaction.atomic
def session_notes_save(*, appointment: Appointment, by, **fields) -> SessionNote:
    unknown = set(fields) - set(NOTE_FIELDS)
    if unknown:
        raise InvalidInput(
            gettext("Unknown note fields."), code="invalid", fields={name: [gettext("Unknown.")] for name in unknown}
        )
    note, _ = SessionNote.objects.get_or_create(appointment=appointment, defaults={"written_by": by})
    for name, value in fields.items():
        setattr(note, name, value.strip())
    note.written_by = by
    validate(note)
    note.save()
    return note


@transaction.atomic
def session_complete(*, appointment: Appointment, by, **notes) -> Appointment:
    """Finish a running session with its structured notes."""
    if not any(value.strip() for value in notes.values()):
        raise InvalidInput(
            gettext("Write at least one note before completing."),
            code="invalid",
            fields={"advice": [gettext("Empty.")]},
        )
    session_notes_save(appointment=appointment, by=by, **notes)
    return appointment_transition(appointment=appointment, to_status=Appointment.Status.COMPLETED, by=by)
