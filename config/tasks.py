"""Housekeeping of the installation. Tasks are thin: they call a service."""

import logging

from celery import shared_task
from django.db import connection

from config import backups

logger = logging.getLogger(__name__)


@shared_task
def database_back_up() -> None:
    """The daily backup of the embedded database; PostgreSQL has pg_dump."""
    if connection.vendor != "sqlite":
        return
    path = backups.database_back_up()
    logger.info("Daily backup written to %s", path)
