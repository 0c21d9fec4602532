"""Periodic housekeeping for the salon app. Tasks are thin: they call a service."""

import logging

from celery import shared_task

from salon import backups, services

logger = logging.getLogger(__name__)


@shared_task
def login_sessions_clear_expired() -> None:
    services.login_sessions_clear_expired()


@shared_task
def database_back_up() -> None:
    """The daily backup of the embedded database; PostgreSQL has pg_dump."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    path = backups.database_back_up()
    logger.info("Daily backup written to %s", path)
