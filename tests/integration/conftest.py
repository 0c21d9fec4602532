"""Real parts for integration tests: a private Redis server, a Celery worker
process, an SMTP sink, Chromium driven by Playwright (helpers in tests/helpers.py).

A part that is missing skips its tests with the reason shown in the summary,
except where CI asks for it (REQUIRE_SERVICES=1, REQUIRE_BROWSER=1): there a
missing part fails the run.
"""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import ARTIFACTS, Inbox, RedisServer, child_env, missing, serve_smtp, start_celery, wait_until_ready

CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome"]


def pytest_collection_modifyitems(items):
    """Integration tests commit for real (other processes must see the data),
    so the database is flushed after each; serialized rollback puts back what
    the migrations loaded (roles, the guide's routines) for the next one.
    (Under pytest-xdist they all run in one test process: tests/conftest.py.)"""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


@pytest.fixture
def private_redis(unused_tcp_port):
    """A Redis server of this test's own, so stopping it disturbs nothing else."""
    binary = shutil.which("redis-server")
    if not binary:
        missing("redis-server", "REQUIRE_SERVICES")
    server = RedisServer(binary=binary, port=unused_tcp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stop_process_group():
    """Stops (SIGTERM, then SIGKILL) every process group a test started."""
    groups: list[subprocess.Popen] = []
    yield groups.append
    for process in groups:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def celery_worker_process(transactional_db, stop_process_group, tmp_path):
    """Start a real Celery worker on the configured broker, consuming a queue of
    this test's own. Returns the queue name."""
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    log = tmp_path / "worker.log"
    process = start_celery(["worker", "-Q", queue, "--pool", "solo"], env=child_env(), log=log)
    stop_process_group(process)
    wait_until_ready(process, log)
    return queue


@pytest.fixture
def smtp_sink(unused_tcp_port):
    """An aiosmtpd server on loopback; yields its inbox and port."""
    inbox = Inbox()
    controller = serve_smtp(inbox, unused_tcp_port)
    yield inbox, unused_tcp_port
    controller.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    for name in [os.environ.get("CHROMIUM_PATH", ""), *CHROMIUM_NAMES]:
        path = shutil.which(name) if name else None
        if path:
            return path
    missing("Chromium (apt-get install chromium)", "REQUIRE_BROWSER")


@pytest.fixture(scope="session")
def browser(chromium_path, django_db_setup):
    """Debian's Chromium through Playwright (Playwright's own download does not
    work on these machines)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    snapshots = {alias: getattr(connections[alias], "_test_serialized_contents", None) for alias in connections}
    # Playwright's sync API runs an event loop in this thread; Django would
    # otherwise refuse database access from the test body.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # From here on Django sees new connection objects (its connections
        # live in context variables, which Playwright's start replaces); give
        # them the snapshot that serialized rollback restores after a flush.
        for alias, contents in snapshots.items():
            if contents is not None:
                connections[alias]._test_serialized_contents = contents
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
        # Closed while still in Playwright's context, where every test since its start had them: pytest-django
        # closes only the original ones before it drops the test databases, which PostgreSQL refused while
        # these were open ("is being accessed by other users").
        connections.close_all()


CSP_VIOLATION_WORDS = ("Content Security Policy", "Content-Security-Policy")


@pytest.fixture(autouse=True)
def no_csp_violations(request, monkeypatch):
    """Every browser context a test opens reports Chromium's console errors
    about the Content-Security-Policy ("Executing inline script violates the
    following Content Security Policy directive ..."); the test fails if
    there was one, so a page the policy breaks is noticed even where the
    test does not look at that part of it."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    violations: list[str] = []
    open_context = browser.new_context

    def new_context(*args, **kwargs):
        context = open_context(*args, **kwargs)

        def on_console(message):
            if message.type == "error" and any(word in message.text for word in CSP_VIOLATION_WORDS):
                violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", on_console)
        return context

    monkeypatch.setattr(browser, "new_context", new_context)
    yield violations
    assert violations == [], "The Content-Security-Policy blocked something:\n" + "\n".join(violations)


@pytest.fixture
def page(browser, request, no_csp_violations):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
