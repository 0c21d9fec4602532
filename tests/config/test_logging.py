"""Log lines an operator can follow: each carries the id of its request, the
id comes back in the response, and LOG_FORMAT=json writes one object a line."""

import datetime
import io
import json
import logging
import subprocess
import sys

import pytest

from config.logs import JsonFormatter, RequestIdFilter, current_request_id, logging_config
from tests.config.test_settings import ROOT


@pytest.fixture
def captured():
    """What the `django.request` logger writes through the JSON handler."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def test_each_response_names_its_request_and_the_log_lines_carry_it(client, db, captured):
    response = client.get("/no-such-page/")

    request_id = response["X-Request-ID"]
    entry = json.loads(captured.getvalue().splitlines()[-1])
    assert response.status_code == 404
    assert len(request_id) == 32
    assert entry["request_id"] == request_id
    assert entry["message"] == "Not Found: /no-such-page/"
    assert (entry["level"], entry["logger"]) == ("WARNING", "django.request")
    assert current_request_id.get() == "-"  # nothing leaks into the next request


def test_two_requests_get_two_ids(client, db):
    assert client.get("/healthz")["X-Request-ID"] != client.get("/healthz")["X-Request-ID"]


def test_a_proxys_request_id_is_kept(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-4f1c2a9e-77"})

    assert response["X-Request-ID"] == "lb-4f1c2a9e-77"


@pytest.mark.parametrize("sent", ["short", "x" * 65, "id with spaces", 'ab"}\n{"level": "CRITICAL"'])
def test_an_unusable_request_id_is_replaced_not_logged(client, db, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent})

    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32


def test_a_json_line_holds_the_traceback_and_stays_on_one_line():
    try:
        raise ValueError("wrong\nvalue")
    except ValueError:
        record = logging.LogRecord("salon", logging.ERROR, __file__, 1, "failed: %s", ("ümlaut",), sys.exc_info())
    RequestIdFilter().filter(record)

    line = JsonFormatter().format(record)

    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "failed: ümlaut"
    assert "ValueError: wrong" in entry["exception"]
    assert set(entry) == {"time", "level", "logger", "message", "request_id", "exception"}
    assert entry["time"].endswith("+00:00")


def test_gunicorns_access_line_becomes_fields():
    atoms = {"m": "GET", "U": "/desk/", "s": "200", "M": "12", "{x-request-id}o": "abc123abc123"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(m)s %(U)s", (atoms,), None)

    entry = json.loads(JsonFormatter().format(record))

    assert entry["message"] == "GET /desk/"
    assert (entry["method"], entry["path"], entry["status"], entry["duration_ms"]) == ("GET", "/desk/", 200, 12)
    assert entry["request_id"] == "abc123abc123"


def test_per_task_lines_show_only_when_debugging():
    assert logging_config(level="INFO", log_format="plain")["loggers"]["celery.app.trace"]["level"] == "WARNING"
    assert logging_config(level="debug", log_format="json")["loggers"]["celery.app.trace"]["level"] == "DEBUG"


def test_a_wrong_log_format_stops_start_up_naming_the_variable():
    from tests.config.test_settings import manage

    result = manage("check", DEBUG="1", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT must be one of plain, json" in result.stderr


def test_management_commands_log_json_when_asked():
    """A process of its own reads LOG_FORMAT from scratch."""
    code = (
        "import logging, django; django.setup(); "
        "logging.getLogger('salon.check').warning('stock of %s is low', 'towels')"
    )
    env = {"DEBUG": "1", "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"}

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    entry = json.loads(result.stdout.strip().splitlines()[-1])
    assert (entry["logger"], entry["message"], entry["level"]) == ("salon.check", "stock of towels is low", "WARNING")


def test_favicon_is_served_at_the_root(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_access_lines_leave_out_link_tokens_and_query_strings():
    from types import SimpleNamespace

    from config.gunicorn import AccessLogger

    request = SimpleNamespace(
        method="GET",
        path="/forms/intake/Ik5vbmNlIg:1x:sig/",
        query="",
        version=(1, 1),
        headers=[],
        uri="",
        remote_addr="",
    )
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/forms/intake/Ik5vbmNlIg:1x:sig/?ref=mail",
        "QUERY_STRING": "q=Müller",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "PATH_INFO": "/forms/intake/Ik5vbmNlIg:1x:sig/",
    }
    response = SimpleNamespace(status="200 OK", headers=[], response_length=10, sent=10)
    logger = AccessLogger.__new__(AccessLogger)
    logger.cfg = SimpleNamespace(access_log_format="", logconfig_dict={})

    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))

    assert atoms["r"] == "GET /forms/intake/[redacted]/ HTTP/1.1"
    assert atoms["U"] == "/forms/intake/[redacted]/"
    assert atoms["q"] == ""


def test_django_request_lines_leave_out_link_tokens(client, db, captured):
    client.get("/forms/feedback/not-a-real-token/x/")

    assert "Not Found: /forms/feedback/[redacted]/x/" in captured.getvalue()
    assert "not-a-real-token" not in captured.getvalue()


def test_error_reports_lose_database_details_log_messages_and_link_tokens():
    from config.observability import scrub_event

    event = {
        "exception": {"values": [{"value": 'new row violates check\nDETAIL: Failing row contains (7, "pregnant")'}]},
        "logentry": {"message": "Opened %s", "params": ["/forms/intake/tok3n/"]},
        "breadcrumbs": {"values": [
            {"type": "log", "category": "sessions.messages", "message": "SMS to +4917012345678: Hello Sabine"},
            {"category": "query", "message": "SELECT 1 WHERE id = %s", "data": {"params": [7]}},
        ]},
    }  # fmt: skip

    scrubbed = json.dumps(scrub_event(event))

    assert "pregnant" not in scrubbed
    assert "tok3n" not in scrubbed
    assert "Sabine" not in scrubbed
    assert "+4917012345678" not in scrubbed
    assert "new row violates check" in scrubbed
    assert "SELECT 1 WHERE id = %s" in scrubbed


@pytest.mark.parametrize(("value", "expected"), [("7", 7), ("", None), (None, None)])
def test_ids_in_query_strings_are_plain_digits(value, expected):
    from salon.inputs import parse_id

    assert parse_id(value, field="therapist") == expected


@pytest.mark.parametrize("value", ["²", "-1", "abc", "9" * 30])
def test_anything_else_in_an_id_parameter_is_refused_naming_it(value):
    from salon.errors import InvalidInput
    from salon.inputs import parse_id

    with pytest.raises(InvalidInput) as refused:
        parse_id(value, field="therapist")
    assert refused.value.fields == {"therapist": ["Give a number."]}


TOKEN = "Ik5vbmNlIg:1uZ2Xy:s1gnatur3"
LINK = f"https://salon.example/forms/intake/{TOKEN}/"


@pytest.mark.parametrize("formatter", [logging.Formatter("%(message)s"), JsonFormatter()], ids=["plain", "json"])
def test_no_log_line_shows_a_links_token_whatever_logged_it(formatter):
    try:
        raise RuntimeError(f"could not send {LINK}")
    except RuntimeError:
        record = logging.LogRecord(
            "any.where", logging.ERROR, __file__, 1, "sent %s to %s", (LINK, "Sabine"), sys.exc_info()
        )
    RequestIdFilter().filter(record)

    line = formatter.format(record)

    assert TOKEN not in line
    assert "sent https://salon.example/forms/intake/[redacted]/ to Sabine" in line
    assert "could not send https://salon.example/forms/intake/[redacted]/" in line  # the traceback too


def test_a_line_without_a_link_keeps_its_arguments():
    record = logging.LogRecord("any.where", logging.INFO, __file__, 1, "%s towels left", (12,), None)

    RequestIdFilter().filter(record)

    assert (record.msg, record.args) == ("%s towels left", (12,))


def test_the_configured_log_and_the_console_mail_show_no_links_token():
    """A process of its own, set up as `make run` sets it up (DEBUG, console
    mail): what it writes to its output has no token."""
    code = (
        "import logging, django; django.setup(); "
        "from django.core.mail import EmailMultiAlternatives; "
        f"logging.getLogger('sessions.messages').info('SMS to %s: %s', '+49170', 'Cancel: {LINK}'); "
        f"logging.getLogger('django.server').info('\"GET /forms/intake/{TOKEN}/ HTTP/1.1\" 302 0'); "
        f"mail = EmailMultiAlternatives('Your link {LINK}', 'Open {LINK} ' + 'x' * 1200, to=['sabine@example.com']); "
        f"mail.attach_alternative('<a href=\"{LINK}\">open</a>' + 'y' * 1200, 'text/html'); "
        "mail.send()"
    )
    env = {
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PATH": "/usr/bin:/bin",
        "EMAIL_URL": "consolemail://",
    }

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert TOKEN not in output
    assert "Cancel: https://salon.example/forms/intake/[redacted]/" in output
    assert "GET /forms/intake/[redacted]/" in output
    assert output.count("/forms/intake/[redacted]/") >= 5  # the subject, the text, the HTML


def test_the_console_mail_backend_masks_the_token_and_leaves_the_message_alone(capsys):
    from django.core.mail import EmailMultiAlternatives

    from config.mail import ConsoleEmailBackend

    mail = EmailMultiAlternatives("Hello", f"Open {LINK}", to=["sabine@example.com"])
    mail.attach_alternative(f'<a href="{LINK}">open</a>', "text/html")

    ConsoleEmailBackend().send_messages([mail])

    shown = capsys.readouterr().out
    assert TOKEN not in shown
    assert 'href="https://salon.example/forms/intake/[redacted]/"' in shown
    assert LINK in mail.body  # what is sent keeps the link
    assert LINK in mail.alternatives[0].content
