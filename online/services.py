"""What the booking pages do beyond the booking services they call:
confirming a held time (with an intake link for a client who owes a
screening) and moving a booking from the link in its messages."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.links import LinkInvalid
from clients.models import ClientLink
from clients.services import client_link_create, client_link_spend
from online.selectors import intake_needed
from salon.errors import Conflict
from salon.models import Therapist
from sessions.models import Appointment, BookingHold
from sessions.selectors import client_cancel_deadline
from sessions.services.booking import appointment_reschedule, booking_window_check
from sessions.services.online import booking_hold_confirm


@transaction.atomic
def online_booking_confirm(*, hold: BookingHold, now: datetime.datetime | None = None) -> tuple[Appointment, str]:
    """Book the held time (``booking_hold_confirm``) and, when the client has
    no valid screening, a link to the intake form to offer at once (its
    address without the site, for the page); "" when none is needed. The
    outbox sends the confirmation and its own intake request as usual."""
    appointment = booking_hold_confirm(hold=hold, now=now)
    if not intake_needed(appointment.client):
        return appointment, ""
    _, url = client_link_create(client=appointment.client, purpose=ClientLink.Purpose.INTAKE)
    return appointment, url.removeprefix(settings.SITE_URL)


@transaction.atomic
def appointment_reschedule_by_client(
    *,
    link: ClientLink,
    start: datetime.datetime,
    therapist: Therapist | None = None,
    now: datetime.datetime | None = None,
) -> Appointment:
    """The client moves a booked appointment through the reschedule link in
    a confirmation, reminder or reschedule notice: until the salon's cancel
    cut-off before it, to a start online bookings may take. The link is
    spent (the notice of the move carries a fresh one); the reschedule
    service keeps the history, sends the notice and re-times reminders."""
    now = now or timezone.now()
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("room__salon", "routine", "therapist")
        .filter(pk=link.reference, client_id=link.client_id)
        .first()
    )
    if appointment is None:
        raise LinkInvalid()
    salon = appointment.room.salon
    if appointment.status != Appointment.Status.BOOKED:
        raise Conflict(
            _("This appointment is %(status)s and can no longer be moved online.")
            % {"status": appointment.get_status_display().lower()},
            code="invalid_transition",
        )
    if now > client_cancel_deadline(appointment):
        hours = salon.client_cancel_hours
        if salon.phone:
            words = ngettext(
                "Online moving ends %(hours)s hour before the appointment; please call us on %(phone)s.",
                "Online moving ends %(hours)s hours before the appointment; please call us on %(phone)s.",
                hours,
            ) % {"hours": hours, "phone": salon.phone}
        else:
            words = ngettext(
                "Online moving ends %(hours)s hour before the appointment; please call us.",
                "Online moving ends %(hours)s hours before the appointment; please call us.",
                hours,
            ) % {"hours": hours}
        raise Conflict(words, code="too_late_to_reschedule")
    booking_window_check(
        start=start,
        salon=salon,
        now=now,
        notice_minutes=salon.online_notice_minutes,
        horizon_days=salon.online_horizon_days,
    )
    client_link_spend(link)
    return appointment_reschedule(appointment=appointment, start=start, therapist=therapist, now=now)
