"""What the sessions app holds about a client whose data is erased
(``clients.services.client_erase``), removed in the erasing transaction.

Deleted: the plans (their snapshot of the screening's outcome), the
therapist's notes, the pain reported before a session, what the client said
about the pressure during it, her online holds and her places on the
waitlist (name, address, message). Emptied: the pain levels and the comment
of her feedback, the reasons written on her appointments and in their
history (a client's own words when she cancelled online), the last errors of
her messages (they may name her address). Kept, anonymous, for the reports:
the appointments (times, therapist, room, routine, price, status), their
history, the feedback's rating, pressure and "would book again", the
courses, and the messages' kinds and statuses.

Her sessions not yet started are cancelled, with no notice (there is no
address left to send it to), and their time is offered to the waitlist;
her messages not yet sent never go out. They are marked as cancelled at the
erasure: neither she nor the salon chose it, so the reports count them
neither as bookings nor as cancellations."""

import datetime

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from clients.models import Client
from clients.search import name_keys
from salon.roles import signed_in_or_none
from sessions.models import (
    Appointment,
    AppointmentChange,
    BookingHold,
    Feedback,
    Notification,
    PainReport,
    PressureFeedback,
    SessionNote,
    SessionPlan,
    WaitlistEntry,
)
from sessions.signals import time_freed

Status = Appointment.Status


@transaction.atomic
def client_session_data_erase(*, client: Client, by=None, now: datetime.datetime | None = None) -> None:
    """Remove the client's health and personal data from her sessions, holds,
    waitlist places and messages (see the module's docstring for what goes and
    what stays). Called while the client still has her name and address, which
    find her online holds and waitlist places; a fixed number of queries
    whatever she has."""
    now = now or timezone.now()
    appointments = Appointment.objects.filter(client=client)
    plans = list(appointments.exclude(plan=None).values_list("plan_id", flat=True))
    appointments.update(plan=None, plan_problem="", cancellation_reason="")
    SessionPlan.objects.filter(pk__in=plans).delete()
    AppointmentChange.objects.filter(appointment__client=client).exclude(reason="").update(reason="")
    _sessions_ahead_cancel(appointments, by=by, now=now)
    SessionNote.objects.filter(appointment__client=client).delete()
    PainReport.objects.filter(appointment__client=client).delete()
    PressureFeedback.objects.filter(appointment__client=client).delete()
    Feedback.objects.filter(appointment__client=client).update(pain_before=None, pain_after=None, comment="")
    Notification.objects.filter(
        client=client, status__in=[Notification.Status.PENDING, Notification.Status.SENDING]
    ).update(status=Notification.Status.CANCELLED)
    Notification.objects.filter(client=client).exclude(last_error="").update(last_error="")
    _holds_remove(client, now=now)
    waiting = _typed_by(client, WaitlistEntry.objects.all(), owner="client_id")
    WaitlistEntry.objects.filter(pk__in=[entry.pk for entry in waiting]).delete()


def _sessions_ahead_cancel(appointments, *, by, now: datetime.datetime) -> None:
    """Cancel the sessions booked (or checked in) that have not started: no
    one could be expected, greeted or reminded by name. One update, one
    insert; no cancellation notice."""
    ahead = list(appointments.filter(status__in=Appointment.NOT_STARTED, start__gt=now).select_related("room__salon"))
    if not ahead:
        return
    reason = gettext("The client's data was erased.")
    Appointment.objects.filter(pk__in=[appointment.pk for appointment in ahead]).update(
        status=Status.CANCELLED,
        cancellation_reason=reason,
        cancelled_late=False,
        cancelled_at_erasure=True,
        calendar_sequence=F("calendar_sequence") + 1,
        updated_at=now,
    )
    AppointmentChange.objects.bulk_create(
        AppointmentChange(
            appointment=appointment,
            kind=AppointmentChange.Kind.STATUS,
            from_status=appointment.status,
            to_status=Status.CANCELLED,
            reason=reason,
            by=signed_in_or_none(by),
        )
        for appointment in ahead
    )
    for appointment in ahead:
        time_freed.send(
            sender=Appointment, salon=appointment.room.salon, start=appointment.start, end=appointment.busy_until
        )


def _holds_remove(client: Client, *, now: datetime.datetime) -> None:
    """Her online holds: those that became her bookings, and those her
    address and name still wait on or once did. A hold still holding its
    time frees it."""
    hers = _typed_by(client, BookingHold.objects.select_related("salon"), owner="appointment__client_id")
    BookingHold.objects.filter(pk__in=[hold.pk for hold in hers]).delete()
    for hold in hers:
        if hold.status == BookingHold.Status.HELD and hold.expires_at > now:
            time_freed.send(sender=BookingHold, salon=hold.salon, start=hold.start, end=hold.busy_until)


def _typed_by(client: Client, rows: QuerySet, *, owner: str) -> list:
    """The rows (holds, waitlist entries: a name and an address typed
    online) that are the client's: those whose ``owner`` (the path to their
    client id) is her, and those of no client yet at her address in her
    business with her name, as ``client_for_contact`` would find her for
    them (a family sharing the address keeps the others'). One query."""
    typed_here = Q(salon__business_id=client.business_id, **{owner: None})
    addresses = [Q(email__iexact=client.email)] if client.email else []
    addresses += [Q(phone=client.phone)] if client.phone else []
    wanted = Q(**{owner: client.pk})
    for address in addresses:
        wanted |= typed_here & address
    name_key = name_keys(client.given_name, client.family_name)["name_key"]
    return [
        row
        for row in rows.filter(wanted).annotate(owner_id=F(owner))
        if row.owner_id == client.pk or name_keys(row.given_name, row.family_name)["name_key"] == name_key
    ]
