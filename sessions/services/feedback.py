"""The client's feedback after a completed session."""

from django.db import transaction
from django.utils.translation import gettext

from clients.links import LinkInvalid
from clients.models import ClientLink
from clients.services import client_link_spend
from salon.errors import Conflict, InvalidInput, validate
from sessions.models import Appointment, Feedback

FEEDBACK_FIELDS = ["overall", "pain_before", "pain_after", "pressure", "would_book_again", "comment"]


@transaction.atomic
def feedback_submit(*, link: ClientLink, answers: dict) -> Feedback:
    """The client's feedback through their link: stored with the appointment,
    the link spent, in one transaction."""
    appointment = Appointment.objects.filter(pk=link.reference, client_id=link.client_id).first()
    if appointment is None:
        raise LinkInvalid(gettext("The appointment of this link no longer exists."))
    client_link_spend(link)
    return feedback_record(appointment=appointment, **answers)


@transaction.atomic
def feedback_record(*, appointment: Appointment, **answers) -> Feedback:
    if appointment.status != Appointment.Status.COMPLETED:
        raise Conflict(gettext("Feedback is for completed sessions."), code="invalid_transition")
    unknown = set(answers) - set(FEEDBACK_FIELDS)
    if unknown:
        raise InvalidInput(
            gettext("Unknown feedback fields."),
            code="invalid",
            fields={name: [gettext("Unknown.")] for name in unknown},
        )
    if Feedback.objects.filter(appointment=appointment).exists():
        raise Conflict(gettext("Feedback for this session is in already."), code="feedback_exists")
    feedback = Feedback(appointment=appointment, **answers)
    validate(feedback)
    feedback.save()
    return feedback
