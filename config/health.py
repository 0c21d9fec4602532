"""Liveness of the parts the salon cannot work without."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not usable", whatever the driver
        logger.warning("Health check: database unavailable: %s", error)
        return "unavailable"
    return "ok"


def broker_status() -> str:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        logger.warning("Health check: broker unavailable: %s", error)
        return "unavailable"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker both answer, else 503 naming the
    part that does not. No login: load balancers and compose call it."""
    report = {"database": database_status(), "broker": broker_status()}
    healthy = all(state == "ok" for state in report.values())
    return JsonResponse(report, status=200 if healthy else 503)
