"""A real Celery worker process takes a task from the configured broker (Redis
in CI's first run, the filesystem broker in the second) and runs it against
the test database."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from salon.tasks import login_sessions_clear_expired
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def test_worker_clears_expired_login_sessions(celery_worker_process):
    now = timezone.now()
    Session.objects.create(session_key="expired" + "x" * 30, session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="current" + "x" * 30, session_data="", expire_date=now + timedelta(days=1))

    login_sessions_clear_expired.apply_async(queue=celery_worker_process)

    wait_for(
        lambda: not Session.objects.filter(session_key__startswith="expired").exists(),
        timeout=60,
        what="the worker to delete the expired session",
    )
    assert Session.objects.filter(session_key__startswith="current").exists()
