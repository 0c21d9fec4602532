"""The settings as a deployment sees them: each case starts a fresh Python so
the environment is read from scratch."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    ignored = settings.ENVIRONMENT_VARIABLES | {"DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser tests
    clean = {key: value for key, value in os.environ.items() if key not in ignored}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def production_env(**overrides: str) -> dict:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "salon.example",
        "SITE_URL": "https://salon.example",
        **overrides,
    }


def test_deploy_check_passes_for_a_production_configuration():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]

    result = manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_database_url_stops_start_up_with_a_message_naming_it():
    result = manage("check", **production_env(DATABASE_URL="mysql://root@localhost/salon"))

    assert result.returncode != 0
    assert "DATABASE_URL must start with postgres:// or sqlite://" in result.stderr


def test_embedded_default_is_sqlite_and_filesystem_broker_under_var():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['NAME']); print(s.CELERY_BROKER_URL); "
        "print(s.DATABASES['default']['OPTIONS']['transaction_mode'])",
        DEBUG="1",
    )

    assert result.returncode == 0, result.stderr
    database, broker, mode = result.stdout.split()[-3:]
    assert database == str(ROOT / "var" / "salon.sqlite3")
    assert broker == "filesystem://localhost/"
    assert mode == "IMMEDIATE"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("task_acks_late", True), ("task_reject_on_worker_lost", True), ("task_serializer", "json")],
)
def test_celery_delivery_guarantees(name, expected):
    from config.celery import app

    assert app.conf[name] == expected


def test_celery_accepts_only_json_and_keeps_no_results():
    from config.celery import app

    assert list(app.conf.accept_content) == ["json"]
    assert app.conf.result_backend is None
    assert app.conf.task_ignore_result is True


def test_every_beat_entry_names_a_registered_task():
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry


def test_passwords_are_hashed_with_argon2():
    result = manage("shell", "-c", "from django.conf import settings as s; print(s.PASSWORD_HASHERS[0])", DEBUG="1")
    assert result.stdout.split()[-1] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_production_configuration_sends_the_security_headers(tmp_path):
    """What check --deploy does not look at: the policy and the no-store
    rule are on in production, not only under the test settings. (A page
    that names static files needs collectstatic's manifest first; the
    health check and the API answer without.)"""
    result = manage(
        "shell",
        "-c",
        "from django.test import Client; "
        "page = Client(SERVER_NAME='salon.example').get('/healthz', secure=True); "
        "api = Client(SERVER_NAME='salon.example').get('/api/v1/clients/', secure=True); "
        "print(page.status_code, api.status_code); "
        "print(page['Content-Security-Policy']); print(api['Cache-Control'])",
        **production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'salon.sqlite3'}"),
    )

    assert result.returncode == 0, result.stderr
    statuses, policy, api_cache = result.stdout.strip().splitlines()[-3:]
    assert statuses == "200 401"
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in [directive.strip() for directive in policy.split(";")]
    assert api_cache == "no-store"


def test_two_deployments_sharing_a_redis_never_share_cache_keys():
    # Given two deployments, one cache server, two databases
    shown = "from django.core.cache import cache; print(cache.make_key('free-times'))"

    # When each names the key of the same remembered answer
    keys = [
        manage("shell", "-c", shown, DEBUG="1", CACHE_URL="redis://127.0.0.1:6379/1", DATABASE_URL=url)
        for url in ("postgres://salon@db.example:5432/production", "postgres://salon@db.example:5432/staging")
    ]
    chosen = manage("shell", "-c", shown, DEBUG="1", CACHE_URL="redis://127.0.0.1:6379/1", CACHE_KEY_PREFIX="berlin")

    # Then the keys differ, and a prefix set by hand is used as given
    assert all(key.returncode == 0 for key in keys), [key.stderr for key in keys]
    production, staging = (key.stdout.split()[-1] for key in keys)
    assert production != staging
    assert production.endswith(":1:free-times")
    assert staging.endswith(":1:free-times")
    assert chosen.stdout.split()[-1] == "berlin:1:free-times"
