"""Error reporting: with SENTRY_DSN set, a crash reaches Sentry without the
health data or personal details of the request; unset, nothing is sent.

A Django process of its own posts an intake-like form to a view that fails;
its Sentry client sends to a stand-in ingest server on loopback, and the test
reads exactly what would have left the building."""

import gzip
import http.server
import json
import subprocess
import sys
import threading

import pytest

from tests.helpers import ROOT, child_env

pytestmark = pytest.mark.integration

FAILING_REQUEST = """
import sys, threading, types, urllib.error, urllib.request
from wsgiref.simple_server import WSGIRequestHandler, make_server
import django
django.setup()
import sentry_sdk
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

@csrf_exempt  # as the real intake form is
def intake(request, token):
    screening_answers = request.POST["conditions"]
    raise RuntimeError("intake form broke")

urls = types.ModuleType("failing_urls")
urls.urlpatterns = [path("forms/intake/<str:token>/", intake)]
sys.modules["failing_urls"] = urls

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

with override_settings(ROOT_URLCONF="failing_urls", ALLOWED_HOSTS=["127.0.0.1"]):
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.server_port}/forms/intake/link-secret-0815/?ref=mail-secret",
        data=b"conditions=pregnant%2C+24+weeks&given_name=Hannelore",
        headers={"Cookie": "sessionid=cookie-secret-4711", "Authorization": "Token header-secret-99"},
    )
    try:
        urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        status, request_id = error.code, error.headers["X-Request-ID"]
    server.shutdown()
sentry_sdk.flush(timeout=10)
print(status, request_id, sentry_sdk.get_client().is_active())
"""
SECRETS = ["pregnant", "Hannelore", "cookie-secret-4711", "link-secret-0815", "mail-secret", "header-secret-99"]


class Ingest(http.server.BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        Ingest.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def ingest():
    Ingest.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def fail_a_request(**settings: str) -> list[str]:
    env = child_env(**settings)
    if "SENTRY_DSN" not in settings:
        env.pop("SENTRY_DSN", None)
    result = subprocess.run(
        [sys.executable, "-c", FAILING_REQUEST], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()[-1].split()


def events(received: list[bytes]) -> list[dict]:
    """The error events in Sentry envelopes (a header line, then item header and payload pairs)."""
    found = []
    for envelope in received:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def test_a_crash_is_reported_without_health_or_personal_data(transactional_db, ingest):
    dsn = f"http://publickey@127.0.0.1:{ingest.server_address[1]}/1"

    status, request_id, active = fail_a_request(SENTRY_DSN=dsn, SENTRY_ENVIRONMENT="smoke")

    assert (status, active) == ("500", "True")
    [event] = events(Ingest.received)
    everything = b"".join(Ingest.received).decode()
    assert event["exception"]["values"][-1]["value"] == "intake form broke"
    assert event["environment"] == "smoke"
    assert event["request"]["url"].endswith("/forms/intake/[redacted]/")
    assert event["request"]["method"] == "POST"
    assert event["tags"]["request_id"] == request_id
    assert "user" not in event
    assert [secret for secret in SECRETS if secret in everything] == []
    assert "screening_answers" not in everything  # no local variables


def test_nothing_is_sent_without_a_dsn(transactional_db, ingest):
    status, _, active = fail_a_request()

    assert (status, active) == ("500", "False")
    assert Ingest.received == []
