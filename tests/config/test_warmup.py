"""A web process warms itself before its first request (config.warmup),
without touching the database or failing on a template that does not compile."""

import gc
import logging
from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver

from config import gunicorn as gunicorn_config
from config.warmup import process_warm


def project_template_names() -> set[str]:
    root = Path(settings.BASE_DIR)
    return {
        path.relative_to(folder).as_posix()
        for folder in root.glob("*/templates")
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in {".html", ".txt", ".ics", ".xml"}
    }


def cached_template_names() -> set[str]:
    loader = engines["django"].engine.template_loaders[0]
    # The cached loader also remembers names it did not find, as TemplateDoesNotExist.
    return {
        template.origin.template_name for template in loader.get_template_cache.values() if hasattr(template, "origin")
    }


def test_warming_compiles_every_project_template_and_each_languages_patterns_without_a_query():
    # Given: the templates the project's apps hold (the desk and "my day" among them)
    names = project_template_names()
    assert {"sessions/desk.html", "sessions/my_day.html"} <= names

    # When: the process warms (this test has no database: a query would fail it)
    warmed = process_warm()

    # Then: each was compiled once and kept by the cached loader, and reverse() is ready in every language
    assert warmed["templates"] == len(names)
    assert names <= cached_template_names()
    assert {code for code, _ in settings.LANGUAGES} <= set(get_resolver()._reverse_dict)
    assert warmed["patterns"] > 100


def test_a_template_that_does_not_compile_is_logged_and_the_rest_still_warm(monkeypatch, caplog):
    # Given: one template that no longer compiles
    engine = engines["django"].engine
    compile_template = engine.get_template

    def get_template(name):
        if name == "sessions/desk.html":
            raise TemplateSyntaxError("Invalid block tag")
        return compile_template(name)

    monkeypatch.setattr(engine, "get_template", get_template)

    # When: the process warms
    with caplog.at_level(logging.WARNING, logger="config.warmup"):
        warmed = process_warm()

    # Then: it names that template and warms every other one
    assert "Not warmed: template sessions/desk.html" in caplog.text
    assert warmed["templates"] == len(project_template_names()) - 1


@pytest.fixture
def unfrozen():
    """gunicorn's worker set-up freezes what is loaded; this test process must not keep it frozen."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_gunicorn_warms_each_worker_before_it_serves(monkeypatch, unfrozen):
    # Given: gunicorn's settings, which the Docker image, compose, `serve` and the smoke test use
    calls = []
    monkeypatch.setattr("config.warmup.process_warm", lambda: calls.append("warmed"))

    # When: gunicorn has loaded the application in a worker
    gunicorn_config.post_worker_init(worker=None)

    # Then: the worker warmed itself, what it loaded is left out of garbage collections,
    # and plain workers serve one request at a time
    assert calls == ["warmed"]
    assert gc.get_freeze_count() > 0
    assert gunicorn_config.threads == 1
    assert 3 <= gunicorn_config.default_workers() <= 9


def test_a_worker_whose_warming_fails_logs_it_and_serves_anyway(monkeypatch, caplog, unfrozen):
    # Given a warm-up that fails (say, a view module that raises on import)
    def process_warm():
        raise ImportError("No module named 'missing'")

    monkeypatch.setattr("config.warmup.process_warm", process_warm)

    # When gunicorn has loaded the application in a worker
    with caplog.at_level(logging.ERROR, logger="config.warmup"):
        gunicorn_config.post_worker_init(worker=None)

    # Then the failure is logged, and the worker goes on to serve
    assert "Warming the worker failed" in caplog.text


def test_the_number_of_workers_follows_the_cores_where_affinity_is_unknown(monkeypatch):
    # Given a system without sched_getaffinity (macOS) and three cores
    monkeypatch.delattr("os.sched_getaffinity", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 3)

    # Then two per core and one more
    assert gunicorn_config.default_workers() == 7
