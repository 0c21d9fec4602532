"""What the sessions app does when the apps below it report a change.

A changed screening changes the plans of sessions that have not started. The
clients app cannot call this app (it sits below it), so it sends
``screening_changed`` inside the transaction that stored the change, and the
plans are rebuilt in that same transaction. In the same way a location's new
time zone is refused here while sessions are booked ahead there, the waiting
messages follow a client's changed consents, the intake link the desk
sends goes into the outbox, today's pain from the intake step is kept with
the next session, an erased client's data goes from her sessions, and time
that frees up is offered to the waitlist.
"""

from functools import partial

from django.db import transaction
from django.dispatch import receiver
from django.utils.functional import Promise

from clients.signals import (
    client_erasing,
    consents_changed,
    intake_link_requested,
    pain_reported,
    screening_changed,
)
from salon.services import location_settings_changing
from sessions.services.closures import time_zone_change_check
from sessions.services.erasure import client_session_data_erase
from sessions.services.outbox import notification_intake_link_send, notifications_follow_consent
from sessions.services.pain import pain_before_record
from sessions.services.plans import session_plans_rebuild
from sessions.services.waitlist import waitlist_may_want
from sessions.signals import time_freed


@receiver(screening_changed, dispatch_uid="sessions.rebuild_plans_after_screening")
def rebuild_plans_after_screening(sender, *, client, reason: str | Promise, **kwargs) -> None:
    session_plans_rebuild(client=client, reason=reason)


@receiver(consents_changed, dispatch_uid="sessions.messages_follow_consent")
def messages_follow_consent(sender, *, client, **kwargs) -> None:
    notifications_follow_consent(client=client)


@receiver(intake_link_requested, dispatch_uid="sessions.queue_intake_link")
def queue_intake_link(sender, *, client, channel: str, **kwargs):
    return notification_intake_link_send(client=client, channel=channel)


@receiver(pain_reported, dispatch_uid="sessions.keep_pain_with_next_session")
def keep_pain_with_next_session(sender, *, client, pain_before: int, areas: list[str], **kwargs):
    return pain_before_record(client=client, pain_before=pain_before, areas=areas)


@receiver(client_erasing, dispatch_uid="sessions.erase_client_session_data")
def erase_client_session_data(sender, *, client, by=None, **kwargs) -> None:
    client_session_data_erase(client=client, by=by)


@receiver(location_settings_changing, dispatch_uid="sessions.keep_booked_sessions_in_their_zone")
def refuse_new_time_zone_under_bookings(sender, *, salon, changes: dict, **kwargs) -> None:
    if "time_zone" in changes:
        time_zone_change_check(salon=salon)


@receiver(time_freed, dispatch_uid="sessions.offer_freed_time_to_waitlist")
def offer_freed_time_to_waitlist(sender, *, salon, start, end, **kwargs) -> None:
    """Offered after commit: the time is free only if the change is kept.
    The task is sent (as ``delay_on_commit`` would) only when someone waits
    who could be offered the time: most moves and cancellations cost a
    message to the broker for nothing. Asked after commit, as the task
    would ask: whoever joined meanwhile counts, and an erasure freeing many
    ranges adds no queries to its transaction."""
    transaction.on_commit(partial(_offer_if_anyone_waits, salon=salon, start=start, end=end))


def _offer_if_anyone_waits(*, salon, start, end) -> None:
    if waitlist_may_want(salon=salon, start=start, end=end):
        from sessions.tasks import waitlist_offer_freed

        waitlist_offer_freed.delay(salon.pk, start.isoformat(), end.isoformat())
