"""Celery tasks of sessions: thin, state-guarded wrappers around the outbox."""

import time

from celery import shared_task

from sessions import messages
from sessions.services import online, outbox, time_off, waitlist

# Beat runs dispatch every minute; one run stops handing out batches before
# the next begins.
DISPATCH_SECONDS = 45


@shared_task
def notifications_dispatch() -> int:
    """Every minute (beat): hand each due message to its own send task, batch
    after batch until none is due."""
    deadline = time.monotonic() + DISPATCH_SECONDS
    handed_out = 0
    while True:
        ids = outbox.notifications_claim_due()
        for notification_id in ids:
            notification_send.delay(notification_id)
        handed_out += len(ids)
        if len(ids) < outbox.BATCH or time.monotonic() > deadline:
            return handed_out


@shared_task
def notification_send(notification_id: int) -> None:
    """Send one message once. A row that is no longer pending and due (sent,
    being sent by another worker, cancelled, waiting for its retry) is left
    alone, so reruns and duplicate deliveries are harmless."""
    notification = outbox.notification_start_sending(notification_id=notification_id)
    if notification is None:
        return
    try:
        outbox.notification_deliver(notification=notification)
    except Exception as error:  # any failure of the mail server or the gateway
        outbox.notification_failed(
            notification=notification,
            error=f"{type(error).__name__}: {error}",
            permanent=messages.is_permanent_failure(error),
        )
        return
    outbox.notification_sent(notification=notification)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def time_off_decision_notify(time_off_id: int) -> bool:
    """Email a therapist the decision on their time-off request, as the row
    stands when the task runs (enqueued once per decision, after commit).
    A mail server that does not answer (OSError, SMTP errors among them) is
    tried again later; a retry after a lost acknowledgement may send twice."""
    return time_off.time_off_decision_send(time_off_id=time_off_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def booking_hold_send_confirmation(hold_id: int) -> None:
    """Email the link that confirms an online booking, while its time is
    still held (a hold confirmed or run out meanwhile gets nothing)."""
    messages.hold_confirmation_send(hold_id=hold_id)


@shared_task
def booking_holds_expire() -> int:
    """Every minute (beat): mark the holds that ran out."""
    return online.booking_holds_expire()


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def waitlist_offer_freed(salon_id: int, start_iso: str, end_iso: str) -> int:
    """Offer time that freed up (after the commit that freed it) to the
    waitlist; a rerun offers nothing twice."""
    return waitlist.waitlist_offer_freed_time(salon_id=salon_id, start_iso=start_iso, end_iso=end_iso)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def waitlist_offer_send(offer_id: int) -> None:
    """Tell a waiting client about a time offered to them, while the offer is open."""
    messages.waitlist_offer_message_send(offer_id=offer_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def waitlist_offer_gone_send(offer_id: int) -> None:
    """Tell a waiting client that the time offered to them was taken."""
    messages.waitlist_gone_message_send(offer_id=offer_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def waitlist_joined_send(entry_id: int) -> None:
    """Tell someone they are on the waitlist, with the link to leave it."""
    messages.waitlist_joined_message_send(entry_id=entry_id)


@shared_task
def waitlist_expire() -> int:
    """Every few minutes (beat): close offers and entries past their time."""
    return waitlist.waitlist_expire()
