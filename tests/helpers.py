"""Helpers the tests import (fixtures stay in the conftest files)."""

import datetime
import email
import email.policy
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from config.env import database_url_for

BERLIN = ZoneInfo("Europe/Berlin")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "var" / "test-artifacts"


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A wall-clock time in Berlin, where the test salons are."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BERLIN)


def openapi_schema() -> dict:
    """The API's OpenAPI schema as /api/schema/ serves it, as plain JSON data."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), cls=JSONEncoder))


def sign_in(client, user) -> None:
    """Sign a staff member in to the pages of a Django test client, as past any
    second factor; tests that are about signing in go through the login page."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from salon.roles import Role, has_role
    from salon.signin import SECOND_FACTOR_KEY, VERIFY

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None and has_role(user, Role.MANAGER):
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    client.force_login(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[SECOND_FACTOR_KEY] = VERIFY
        session.save()


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


def axe_violations(page, impacts: tuple[str, ...] = ("critical", "serious")) -> list[dict]:
    """What axe-core (bundled with axe-playwright-python) finds on the page,
    of the given impacts, as {id, impact, help, targets}."""
    from importlib.resources import files

    # Evaluated, not added as an inline <script>: the page's
    # Content-Security-Policy would refuse that (and the test would fail).
    page.evaluate((files("axe_playwright_python") / "axe.min.js").read_text())
    result = page.evaluate("async () => await axe.run()")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]


def sign_in_with_code(page, live_server, *, password: str, secret: str, next_path: str, username: str = "petra"):
    """Sign in through the login page and the code page, as a manager with an
    authenticator app (``secret``, base32) does; lands where ``next_path`` says."""
    from base64 import b32decode

    from django_otp.oath import totp

    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Continue").click()


def move_to_now(appointment, *, minutes_ago: int = 5):
    """The appointment moved (its row only: no service, no messages) to have
    started at least ``minutes_ago`` minutes ago, on the salon's slot grid,
    today in its zone (never before today's midnight there), keeping its
    length and turnover: for a page or API call that acts at the real time,
    like a check-in, whose window is around the start."""
    from django.utils import timezone

    from sessions.models import Appointment

    salon = appointment.room.salon
    now = timezone.now().astimezone(salon.zone)
    midnight = datetime.datetime.combine(now.date(), datetime.time(0), tzinfo=salon.zone)
    earlier = max(now - datetime.timedelta(minutes=minutes_ago), midnight)
    start = earlier.replace(minute=earlier.minute - earlier.minute % salon.slot_minutes, second=0, microsecond=0)
    Appointment.objects.filter(pk=appointment.pk).update(
        start=start,
        end=start + (appointment.end - appointment.start),
        busy_until=start + (appointment.busy_until - appointment.start),
    )
    return Appointment.objects.select_related("client", "therapist", "room__salon", "routine").get(pk=appointment.pk)


# Signed values in addresses are opaque: a random-looking text may hold "ada" by chance. What they carry
# (a hold's id, a waitlist summary) is checked where they are read.
SIGNED_PARAMETERS = ("held", "joined")


def readable_part(address: str) -> str:
    """The address without the values of its signed parameters, for checking it names no one."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(address)
    query = [(name, value) for name, value in parse_qsl(parts.query) if name not in SIGNED_PARAMETERS]
    return urlunsplit(parts._replace(query=urlencode(query)))


def visible_text(html: str) -> str:
    """What a reader sees of a page: its text without scripts, styles,
    templates and tags, the spaces run together."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def words_left(text: str, words) -> list[str]:
    """Those of ``words`` that stand in ``text`` as whole words: English
    left on a page that should be German."""
    return [word for word in words if re.search(rf"\b{re.escape(word)}\b", text)]


def demo_counts() -> tuple[int, int, int, int, int]:
    """Locations, accounts, therapists, rooms and clients: what seeding the demo adds."""
    from clients.models import Client
    from salon.models import Room, Salon, Therapist, User

    return (Salon.objects.count(), User.objects.count(), Therapist.objects.count(), Room.objects.count(),
            Client.objects.count())  # fmt: skip
