"""Periodic housekeeping for the salon app. Tasks are thin: they call a service."""

from celery import shared_task

from salon import services


@shared_task
def login_sessions_clear_expired() -> None:
    services.login_sessions_clear_expired()
