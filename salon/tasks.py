"""Tasks of the salon app: housekeeping, and staff invitations. Tasks are
thin: they call a service."""

import smtplib

from celery import shared_task

from salon import services
from salon.models import User


@shared_task
def login_sessions_clear_expired() -> None:
    services.login_sessions_clear_expired()


@shared_task(
    autoretry_for=(smtplib.SMTPException, OSError),
    # A refused address will not be accepted on a later try.
    dont_autoretry_for=(smtplib.SMTPRecipientsRefused,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=8,
)
def staff_invitation_send(user_id: int) -> None:
    """Email a new member of staff their invitation. State-guarded: nothing
    is sent to someone who has set a password meanwhile or was deactivated,
    so a rerun (a retry, a redelivery) is harmless."""
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        services.staff_invitation_deliver(user=user)
