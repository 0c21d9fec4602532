"""What the sessions app does when the apps below it report a change.

A changed screening changes the plans of sessions that have not started. The
clients app cannot call this app (it sits below it), so it sends
``screening_changed`` inside the transaction that stored the change, and the
plans are rebuilt in that same transaction. In the same way a location's new
time zone is refused here while sessions are booked ahead there, the waiting
messages follow a client's changed consents, the intake link the desk
sends goes into the outbox, and time that frees up is offered to the
waitlist.
"""

from django.dispatch import receiver
from django.utils import timezone

from clients.signals import consents_changed, intake_link_requested, screening_changed
from salon.errors import Conflict
from salon.services import location_settings_changing
from sessions.models import Appointment
from sessions.services.outbox import notification_intake_link_send, notifications_follow_consent
from sessions.services.plans import session_plans_rebuild
from sessions.signals import time_freed


@receiver(screening_changed, dispatch_uid="sessions.rebuild_plans_after_screening")
def rebuild_plans_after_screening(sender, *, client, reason: str, **kwargs) -> None:
    session_plans_rebuild(client=client, reason=reason)


@receiver(consents_changed, dispatch_uid="sessions.messages_follow_consent")
def messages_follow_consent(sender, *, client, **kwargs) -> None:
    notifications_follow_consent(client=client)


@receiver(intake_link_requested, dispatch_uid="sessions.queue_intake_link")
def queue_intake_link(sender, *, client, channel: str, **kwargs):
    return notification_intake_link_send(client=client, channel=channel)


@receiver(location_settings_changing, dispatch_uid="sessions.keep_booked_sessions_in_their_zone")
def refuse_new_time_zone_under_bookings(sender, *, salon, changes: dict, **kwargs) -> None:
    """Opening hours, rotas and closures are wall-clock times in the
    location's zone, and clients were told their session's local time: in
    another zone all of them would move under the sessions booked there. So
    the zone changes only while no session there is booked ahead or running
    (409 ``time_zone_in_use``, naming how many and the first)."""
    if "time_zone" not in changes:
        return
    ahead = (
        Appointment.objects.filter(
            room__salon=salon,
            status__in=[*Appointment.NOT_STARTED, Appointment.Status.IN_PROGRESS],
            busy_until__gt=timezone.now(),
        )
        .select_related("client", "therapist")
        .order_by("start")
    )
    first = ahead.first()
    if first is None:
        return
    count = ahead.count()
    when = f"{first.start.astimezone(salon.zone):%a %d %b %Y %H:%M}"
    sessions = "1 session is" if count == 1 else f"{count} sessions are"
    raise Conflict(
        f"{sessions} booked ahead at {salon.name}, the first on {when} ({first.client} with {first.therapist}). "
        "Opening hours and rotas are local times and would move under them in another zone: "
        "change the time zone when no session is booked ahead.",
        code="time_zone_in_use",
        fields={"time_zone": [f"{sessions} booked ahead, the first on {when}."]},
    )


@receiver(time_freed, dispatch_uid="sessions.offer_freed_time_to_waitlist")
def offer_freed_time_to_waitlist(sender, *, salon, start, end, **kwargs) -> None:
    """Offered after commit: the time is free only if the change is kept."""
    from sessions.tasks import waitlist_offer_freed

    waitlist_offer_freed.delay_on_commit(salon.pk, start.isoformat(), end.isoformat())
