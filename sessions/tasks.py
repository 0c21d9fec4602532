"""Celery tasks of sessions: thin, state-guarded wrappers around the outbox."""

from celery import shared_task

from sessions import outbox

MAX_TRIES = 5


@shared_task
def notifications_dispatch() -> int:
    """Every minute (beat): hand each due message to its own send task."""
    ids = outbox.notifications_claim_due()
    for notification_id in ids:
        notification_send.delay(notification_id)
    return len(ids)


@shared_task(bind=True, max_retries=MAX_TRIES - 1)
def notification_send(self, notification_id: int) -> None:
    """Send one message once. A row that is no longer pending (sent, being
    sent by another worker, cancelled) is left alone, so reruns are harmless."""
    notification = outbox.notification_start_sending(notification_id=notification_id)
    if notification is None:
        return
    try:
        outbox.notification_deliver(notification=notification)
    except Exception as error:  # any failure of the mail server or gateway
        final = self.request.retries >= self.max_retries
        outbox.notification_failed(notification=notification, error=f"{type(error).__name__}: {error}", final=final)
        if not final:
            raise self.retry(countdown=30 * 2**self.request.retries) from error
        return
    outbox.notification_sent(notification=notification)
