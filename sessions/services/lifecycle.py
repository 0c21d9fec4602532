"""An appointment's life: booked → checked in → in progress → completed, or
cancelled / no-show before it starts. Each change applies only to the row
still in the status it was read in, so two desks cannot both move it."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clients.links import LinkInvalid
from clients.models import ClientLink
from clients.services import client_link_spend
from salon.errors import Conflict, InvalidInput
from salon.roles import signed_in_or_none
from sessions.models import Appointment, AppointmentChange
from sessions.selectors import client_cancel_deadline
from sessions.services import outbox

Status = Appointment.Status
TRANSITIONS = {
    Status.BOOKED: {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW},
    Status.CHECKED_IN: {Status.IN_PROGRESS, Status.CANCELLED, Status.NO_SHOW},
    Status.IN_PROGRESS: {Status.COMPLETED},
}


@transaction.atomic
def appointment_transition(*, appointment: Appointment, to_status: str, by=None, reason: str = "") -> Appointment:
    """Move an appointment to ``to_status`` if its life allows it from the
    status it was read in; cancelling needs a reason."""
    current = appointment.status
    if to_status not in TRANSITIONS.get(current, set()):
        raise Conflict(
            f"A {Status(current).label.lower()} appointment cannot become {Status(to_status).label.lower()}.",
            code="invalid_transition",
        )
    if to_status == Status.CANCELLED and not reason.strip():
        raise InvalidInput("Say why it is cancelled.", code="invalid", fields={"reason": ["Required."]})
    if len(reason.strip()) > Appointment.REASON_LENGTH:
        message = f"Keep the reason under {Appointment.REASON_LENGTH} characters."
        raise InvalidInput(message, code="too_long", fields={"reason": [message]})
    fields = {"status": to_status, "updated_at": timezone.now()}
    if to_status == Status.CANCELLED:
        fields["cancellation_reason"] = reason.strip()
        fields["calendar_sequence"] = F("calendar_sequence") + 1
    changed = Appointment.objects.filter(pk=appointment.pk, status=current).update(**fields)
    if not changed:
        raise Conflict("Someone changed this appointment a moment ago; reload it.", code="invalid_transition")
    AppointmentChange.objects.create(
        appointment=appointment,
        kind=AppointmentChange.Kind.STATUS,
        from_status=current,
        to_status=to_status,
        reason=reason.strip(),
        by=signed_in_or_none(by),
    )
    appointment.refresh_from_db()
    if to_status in {Status.CANCELLED, Status.NO_SHOW}:
        outbox.notifications_for_cancellation(appointment=appointment)
    elif to_status == Status.COMPLETED:
        outbox.notifications_for_completion(appointment=appointment)
    return appointment


@transaction.atomic
def appointment_cancel_by_client(
    *, link: ClientLink, reason: str = "", now: datetime.datetime | None = None
) -> Appointment:
    """The client cancels through the link in a confirmation, reminder or
    reschedule notice: a booked appointment, until the salon's
    ``client_cancel_hours`` before it. The link is spent, and the usual
    cancellation notice (with ``METHOD:CANCEL``) goes out."""
    now = now or timezone.now()
    # Locked, as a reschedule locks it: a move into the cut-off cannot slip in between.
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("room__salon")
        .filter(pk=link.reference, client_id=link.client_id)
        .first()
    )
    if appointment is None:
        raise LinkInvalid()
    if appointment.status != Status.BOOKED:
        raise Conflict(
            f"This appointment is {appointment.get_status_display().lower()} and can no longer be cancelled online.",
            code="invalid_transition",
        )
    if now > client_cancel_deadline(appointment):
        salon = appointment.room.salon
        raise Conflict(
            f"Online cancelling ends {salon.client_cancel_hours} hours before the appointment; "
            f"please call us{' on ' + salon.phone if salon.phone else ''}.",
            code="too_late_to_cancel",
        )
    client_link_spend(link)
    note = "Cancelled by the client online" + (f": {reason.strip()}" if reason.strip() else ".")
    return appointment_transition(
        appointment=appointment, to_status=Status.CANCELLED, reason=note[: Appointment.REASON_LENGTH]
    )
