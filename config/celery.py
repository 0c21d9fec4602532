"""The Celery application. Configuration lives in Django settings under the
CELERY_ prefix; tasks are found in each app's ``tasks.py``."""

import logging
import os
import warnings

from celery import Celery, signals
from celery.exceptions import SecurityWarning
from celery.worker.consumer import consumer

from config.logs import NO_REQUEST, current_request_id

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("salon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's own wording counts tries against a limit ("3/None"); the worker
# retries for ever (CELERY_BROKER_CONNECTION_MAX_RETRIES = None), so say that.
consumer.CONNECTION_RETRY_STEP = (
    "Trying again {when} (try {retries}; the worker keeps trying until the broker answers)."
)


@signals.setup_logging.connect
def logging_from_django_settings(**kwargs) -> None:
    """Worker and beat log through the settings' LOGGING, like the web
    server, instead of Celery's own handlers (so LOG_FORMAT=json holds for
    them too)."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


@signals.celeryd_init.connect
def quiet_root_warning_in_development(conf=None, **kwargs) -> None:
    """A laptop often runs ``make run`` as root; the warning about it is for
    servers, whose image runs the worker as an unprivileged user."""
    from django.conf import settings

    if settings.DEBUG:
        warnings.filterwarnings("ignore", category=SecurityWarning)


@signals.beat_init.connect
def dispatch_at_start(sender=None, **kwargs) -> None:
    """Messages that came due while beat was down go out now rather than a
    minute later, at the schedule's first tick."""
    sender.app.send_task("sessions.tasks.notifications_dispatch")
    logger.info("Beat started: %d periodic tasks, messages due now are dispatched.", len(sender.app.conf.beat_schedule))


@signals.worker_ready.connect
def announce_worker(sender=None, **kwargs) -> None:
    logger.info("Worker connected to %s; it reconnects by itself if the broker goes away.", sender.connection.as_uri())


def _in_worker(task) -> bool:
    """False for a task run eagerly, inside its caller's request or transaction."""
    return task is not None and not getattr(task.request, "is_eager", False)


@signals.task_prerun.connect
def task_request_id(sender=None, task_id=None, **kwargs) -> None:
    """A task's log lines carry its id where a request's carry the request id."""
    if _in_worker(sender):
        current_request_id.set(task_id or NO_REQUEST)


@signals.task_postrun.connect
def task_request_id_done(sender=None, **kwargs) -> None:
    if _in_worker(sender):
        current_request_id.set(NO_REQUEST)


@signals.task_prerun.connect
@signals.task_postrun.connect
def database_connections_like_a_request(sender=None, **kwargs) -> None:
    """Give each task the connection handling Django gives a request: a
    connection is kept for ``CONN_MAX_AGE`` and checked before reuse
    (``CONN_HEALTH_CHECKS``), and dropped when broken or too old.

    Celery's Django fixup would otherwise close it around every task (unless
    ``CELERY_DB_REUSE_MAX`` is set, and then it never checks it), so each
    message sent paid for a new PostgreSQL connection. Eager tasks run inside
    the caller's transaction and are left alone.
    """
    from django.db import close_old_connections

    if _in_worker(sender):
        close_old_connections()
