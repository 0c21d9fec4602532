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
    """Every minute (beat): hand the due messages out in chunks, one send
    task each, batch after batch until none is due."""
    deadline = time.monotonic() + DISPATCH_SECONDS
    handed_out = 0
    while True:
        ids = outbox.notifications_claim_due()
        for first in range(0, len(ids), outbox.CHUNK):
            notifications_send.delay(ids[first : first + outbox.CHUNK])
        handed_out += len(ids)
        if len(ids) < outbox.BATCH or time.monotonic() > deadline:
            return handed_out


@shared_task
def notifications_send(notification_ids: list[int]) -> int:
    """Send a chunk of messages, each once; rows that are no longer pending
    and due are left alone, so reruns and duplicate deliveries are harmless
    (outbox.notifications_send)."""
    return outbox.notifications_send(notification_ids=notification_ids)


@shared_task
def notification_send(notification_id: int) -> None:
    """One message, as ``notifications_send`` sends a chunk (for tasks
    queued one by one, as before chunks)."""
    outbox.notifications_send(notification_ids=[notification_id])


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def time_off_decision_notify(time_off_id: int) -> bool:
    """Email a therapist the decision on their time-off request, as the row
    stands when the task runs (enqueued once per decision, after commit).
    A mail server that does not answer (OSError, SMTP errors among them) is
    tried again later; a retry after a lost acknowledgement may send twice."""
    return time_off.time_off_decision_send(time_off_id=time_off_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def booking_hold_send_confirmation(hold_id: int) -> None:
    """Send the link that confirms an online booking (by email, or by SMS
    for a phone number alone), while its time is still held (a hold
    confirmed or run out meanwhile gets nothing). A mail server or SMS
    gateway that does not answer (OSError) is tried again later."""
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
