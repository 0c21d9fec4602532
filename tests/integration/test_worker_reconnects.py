"""A worker whose broker is down keeps trying, says so, and starts working
as soon as the broker is back, however long that takes."""

import shutil

import pytest
from django.conf import settings

from tests.helpers import RedisServer, child_env, missing, start_celery, wait_for, wait_until_ready

pytestmark = pytest.mark.integration


def test_the_worker_retries_for_ever_and_works_once_redis_is_back(
    transactional_db, stop_process_group, unused_tcp_port, tmp_path
):
    binary = shutil.which("redis-server") or missing("redis-server", "REQUIRE_SERVICES")
    down = RedisServer(binary=binary, port=unused_tcp_port)
    log = tmp_path / "worker.log"
    worker = start_celery(["worker", "--pool", "solo"], env=child_env(CELERY_BROKER_URL=down.url), log=log)
    stop_process_group(worker)

    wait_for(lambda: log.read_text().count("keeps trying until the broker answers") >= 2, timeout=30, what="retries")
    assert worker.poll() is None
    down.start()
    try:
        wait_until_ready(worker, log)
    finally:
        down.stop()

    assert "Cannot connect to redis://" in log.read_text()
    assert settings.CELERY_BROKER_CONNECTION_MAX_RETRIES is None
