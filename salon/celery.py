"""The Celery application. Configuration lives in Django settings under the
CELERY_ prefix; tasks are found in each app's ``tasks.py``."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salon.settings")

app = Celery("salon")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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

    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()
