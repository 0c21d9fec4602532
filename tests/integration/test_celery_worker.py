"""A real Celery worker process takes a task from the configured broker (Redis
in CI's first run, the filesystem broker in the second) and runs it against
the test database."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from salon.tasks import login_sessions_clear_expired
from tests.helpers import ROOT, child_env, wait_for

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


PUBLISH_AND_TAKE = """
import django
django.setup()
from config.celery import app
with app.connection_for_write() as connection:
    queue = connection.SimpleQueue("placement-check")
    queue.put({"hello": "broker"})
    queue.get(timeout=5).ack()
    queue.close()
"""


def test_the_filesystem_broker_keeps_its_files_under_var(tmp_path):
    """Given the embedded broker, when a process started in another folder
    publishes and consumes, then kombu's exchange tables land under var/ and
    nothing is written to that folder."""
    env = child_env(PYTHONPATH=str(ROOT))
    env.pop("CELERY_BROKER_URL", None)

    subprocess.run([sys.executable, "-c", PUBLISH_AND_TAKE], cwd=tmp_path, env=env, check=True, timeout=60)

    assert list(tmp_path.iterdir()) == []
    assert (ROOT / "var" / "celery" / "control" / "placement-check.exchange").exists()
