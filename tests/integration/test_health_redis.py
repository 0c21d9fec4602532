"""/healthz against a real Redis server that is stopped and started again."""

import pytest

from config.celery import app

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_healthz_follows_redis_down_and_back(client, private_redis, monkeypatch):
    monkeypatch.setattr(app.conf, "broker_write_url", private_redis.url)
    assert client.get("/healthz").status_code == 200

    private_redis.stop()
    down = client.get("/healthz")

    assert down.status_code == 503
    assert down.json() == {"database": "ok", "broker": "unavailable"}

    private_redis.start()
    back = client.get("/healthz")

    assert back.status_code == 200
    assert back.json() == {"database": "ok", "broker": "ok"}
