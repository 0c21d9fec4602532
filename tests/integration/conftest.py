"""Real parts for integration tests: a private Redis server, a Celery worker
process, Chromium driven by Playwright.

A part that is missing skips its tests with the reason shown in the summary,
except where CI asks for it (REQUIRE_SERVICES=1, REQUIRE_BROWSER=1): there a
missing part fails the run.
"""

import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from config.env import database_url_for

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts"
CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome"]


def pytest_collection_modifyitems(items):
    """Integration tests commit for real (other processes must see the data),
    so the database is flushed after each; serialized rollback puts back what
    the migrations loaded (roles, the guide's routines) for the next one."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


def missing(what: str, requirement: str) -> None:
    if os.environ.get(requirement) == "1":
        pytest.fail(f"{what} is required ({requirement}=1) but not available.")
    pytest.skip(f"{what} is not available; set {requirement}=1 to make this a failure.")


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}.")


def child_env(**overrides: str) -> dict:
    env = dict(os.environ)
    database_url = database_url_for(connection.settings_dict)
    env.update(DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_URL=database_url, PYTHONUNBUFFERED="1")
    env.update(overrides)
    return env


@dataclass
class RedisServer:
    binary: str
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def answers():
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        wait_for(answers, timeout=10, what="the private Redis server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


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


def start_celery(arguments: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    """Start ``celery -A config <arguments>`` in a process group of its own
    (so the group can be signalled), appending its output to ``log``."""
    with log.open("a") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *arguments, "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def wait_until_ready(process: subprocess.Popen, log: Path, *, after: int = 0) -> None:
    """Wait for a worker's "ready." line (the ``after``-th one onwards)."""
    wait_for(
        lambda: log.read_text().count("ready.") > after or process.poll() is not None, timeout=60, what="the worker"
    )
    assert process.poll() is None, log.read_text()


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


class Inbox:
    """What a real SMTP server on loopback received, with the time each
    message was accepted."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.arrived_at: list[float] = []

    async def handle_DATA(self, server, session, envelope):
        self.accept(envelope)
        return "250 OK"

    def accept(self, envelope) -> None:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.arrived_at.append(time.time())

    def subjects(self) -> list[str]:
        return [str(message["Subject"]).split(" · ")[0] for message in self.messages]

    def arrivals(self, subject: str) -> list[float]:
        return [at for message, at in zip(self.messages, self.arrived_at, strict=True)
                if str(message["Subject"]).startswith(subject)]  # fmt: skip

    def calendar(self, subject: str):
        import icalendar

        message = next(m for m in self.messages if str(m["Subject"]).startswith(subject))
        part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        return icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]


def serve_smtp(inbox, port: int):
    from aiosmtpd.controller import Controller

    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


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


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
