"""`make test` picks its services with scripts/testenv.py: real ones when they
answer, the embedded default otherwise, and a failure under REQUIRE_SERVICES."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def testenv():
    spec = importlib.util.spec_from_file_location("testenv", ROOT / "scripts" / "testenv.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_unreachable_services_fall_back_to_the_embedded_default(testenv, unused_tcp_port):
    env, problems = testenv.choose(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{unused_tcp_port}/salon",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{unused_tcp_port}/0",
        }
    )

    assert "DATABASE_URL" not in env
    assert "CELERY_BROKER_URL" not in env
    assert [problem.split(" at ")[0] for problem in problems] == ["PostgreSQL", "Redis"]


def test_require_services_turns_an_unreachable_service_into_a_failure(testenv, unused_tcp_port, monkeypatch, capsys):
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{unused_tcp_port}/0")
    monkeypatch.setenv("SALON_EMBEDDED", "1")
    monkeypatch.delenv("DATABASE_URL", raising=False)

    assert testenv.main(["-c", "pass"]) == 2
    assert "Redis at" in capsys.readouterr().err


def test_embedded_mode_ignores_the_local_default_ports(testenv):
    env, problems = testenv.choose({"SALON_EMBEDDED": "1"})

    assert problems == []
    assert "DATABASE_URL" not in env
    assert "CELERY_BROKER_URL" not in env
    assert env["DJANGO_SETTINGS_MODULE"] == "tests.settings"


def test_the_projects_own_database_options_are_not_passed_to_the_driver(testenv):
    url = "postgres://salon:secret@db.example:6432/salon?sslmode=require&prepared_statements=0&conn_max_age=0"

    assert testenv.maintenance_url(url) == "postgresql://salon:secret@db.example:6432/postgres?sslmode=require"
