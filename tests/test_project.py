"""The project's files agree with each other and with the settings: what
docker compose, the README and .env.example name is what the code reads."""

import importlib
import re
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ["migrate", "web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def assert_command_runs_project_code(command: list[str]) -> None:
    """The module or management command a container starts must exist."""
    if command[0] == "gunicorn":
        module, attribute = command[1].split(":")
        assert callable(getattr(importlib.import_module(module), attribute))
    elif command[0] == "celery":
        assert command[1:3] == ["-A", "salon"]
        assert importlib.import_module("salon.celery").app.main == "salon"
        assert command[3] in {"worker", "beat"}
    elif command[:2] == ["python", "manage.py"]:
        assert command[2] in get_commands()
    else:
        pytest.fail(f"unexpected command {command}")


def test_compose_has_the_services_with_images_and_health_checks(compose):
    services = compose["services"]

    assert set(services) == {"db", "redis", *APP_SERVICES}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    for name in ["db", "redis", "web", "worker", "beat"]:
        assert services[name]["healthcheck"]["test"], name
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in services["db"]["volumes"])


def test_web_worker_and_beat_share_one_image_and_wait_for_migrations(compose):
    services = compose["services"]

    assert {services[name]["image"] for name in APP_SERVICES} == {"salon:latest"}
    assert {services[name]["build"] for name in APP_SERVICES} == {"."}
    for name in ["web", "worker", "beat"]:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_container_command_names_project_code(compose, service):
    assert_command_runs_project_code(compose["services"][service]["command"])


def test_dockerfile_default_command_names_project_code():
    cmd = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    assert_command_runs_project_code(yaml.safe_load(cmd.group(1)))


@pytest.mark.parametrize("service", APP_SERVICES)
def test_compose_sets_only_variables_the_settings_read(compose, service):
    names = set(compose["services"][service]["environment"])

    assert names <= settings.ENVIRONMENT_VARIABLES, names - settings.ENVIRONMENT_VARIABLES
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "DEBUG"} <= names


def test_env_example_lists_exactly_the_variables_the_settings_read():
    text = (ROOT / ".env.example").read_text()
    names = set(re.findall(r"^([A-Z_]+)=", text, re.MULTILINE))

    assert names == settings.ENVIRONMENT_VARIABLES


def test_readme_documents_every_variable():
    readme = (ROOT / "README.md").read_text()

    for name in settings.ENVIRONMENT_VARIABLES:
        assert f"| `{name}` |" in readme, name


def test_readme_starts_with_the_two_commands():
    first_lines = (ROOT / "README.md").read_text().splitlines()[:6]

    assert any(line.startswith("make run") for line in first_lines)
    assert any(line.startswith("make test") for line in first_lines)


def test_runtime_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", line.strip()), line


def test_every_tests_folder_is_a_package():
    """Without __init__.py, tests/sessions/ would shadow the sessions app."""
    folders = [path for path in (ROOT / "tests").rglob("*") if path.is_dir() and path.name != "__pycache__"]

    assert [folder for folder in folders if not (folder / "__init__.py").exists()] == []


def test_sessions_app_has_its_own_label_beside_django_sessions():
    assert apps.get_app_config("treatments").name == "sessions"
    assert apps.get_app_config("sessions").name == "django.contrib.sessions"
