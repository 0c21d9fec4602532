"""SMS texts stay within two parts, whatever the salon is called, and a link
in them always arrives whole."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clients.models import Client
from salon.models import Room, Salon
from sessions.messages import sms_segments, sms_text
from sessions.models import Appointment, Notification

LINK = "http://127.0.0.1:8000/forms/cancel/" + "t" * 90 + "/"
START = datetime.datetime(2027, 3, 9, 9, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 160, 1),  # GSM 7-bit: 160 in one message
        ("a" * 161, 2),  # then 153 per part
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("ä" * 160, 1),  # German umlauts are in the GSM alphabet
        ("€" * 80, 1),  # an extension character takes two units
        ("€" * 81, 2),
        ("a" * 151 + "€" + "a" * 153, 2),  # the euro fills part one's last two units
        ("a" * 152 + "€" + "a" * 152, 3),  # 306 units, but the euro cannot be split: it starts part two
        ("ł" * 70, 1),  # a Polish letter switches the whole text to UCS-2: 70
        ("ł" * 71, 2),  # then 67 per part
        ("ł" * 134, 2),
        ("…" + "a" * 69, 1),  # the ellipsis is not GSM either
        ("🌿" * 35, 1),  # an emoji is a surrogate pair: two units
        ("🌿" * 36, 2),
        ("a" * 65 + "🌿" + "a" * 67, 2),
        ("a" * 66 + "🌿" + "a" * 66, 3),  # 134 units, but the pair is not split: part one ends a unit early
    ],
)
def test_counting_parts(text, parts):
    assert sms_segments(text) == parts


def message(kind: str, salon_name: str, phone: str = "+49 30 1234567") -> Notification:
    """Unsaved rows: rendering needs no database."""
    salon = Salon(name=salon_name, time_zone="Europe/Berlin", phone=phone, client_cancel_hours=24)
    client = Client(given_name="Sabine", phone="+491701234567")
    room = Room(salon=salon, name="Linde")
    appointment = Appointment(client=client, room=room, start=START, end=START + datetime.timedelta(hours=1))
    return Notification(kind=kind, appointment=appointment, client=client, channel="sms", due_at=START)


def test_a_reminder_with_a_move_or_cancel_link_in_the_salons_local_time():
    text = sms_text(message("reminder", "Salon am Park"), link=LINK)

    assert text == (
        "Salon am Park: reminder, your massage Tue 9 Mar 10:30. Tell your therapist at once if pain grows. "
        f"Move or cancel until Mon 8 Mar 10:30: {LINK} Tel +49 30 1234567"
    )
    assert sms_segments(text) == 2


def test_a_long_salon_name_is_shortened_and_the_link_kept_whole():
    name = "Massagepraxis am Stadtpark für Rücken, Nacken und Schultern, Sportmassage und Entspannung, Inh. A. Weber"
    text = sms_text(message("reminder", name), link=LINK)

    assert text.startswith("Massagepraxis am Stadtpark für.: reminder, your massage Tue 9 Mar 10:30.")
    assert LINK in text
    assert sms_segments(text) == 2


def test_a_name_outside_the_gsm_alphabet_is_left_out_rather_than_tripling_the_cost():
    text = sms_text(message("feedback_request", "Łódź Masaż"), link=LINK)

    assert text.startswith("how was your massage?")
    assert LINK in text
    assert sms_segments(text) == 2


@given(
    kind=st.sampled_from([kind for kind, _ in Notification.Kind.choices]),
    salon_name=st.text(min_size=1, max_size=120),
    phone=st.from_regex(r"\+[0-9 ]{6,20}", fullmatch=True),
    with_link=st.booleans(),
)
def test_any_message_fits_in_two_parts_with_its_link_whole(kind, salon_name, phone, with_link):
    link = LINK if with_link else ""
    text = sms_text(message(kind, salon_name, phone), link=link)

    assert sms_segments(text) <= 2
    if link and kind not in {"confirmation", "reminder", "reschedule"}:
        assert link in text  # the intake and feedback links are the point of their messages
    assert link in text or "/forms/" not in text  # a link is whole or left out, never cut
    assert "Tel " + " ".join(phone.split()) in text or not phone.strip()


class Gateway:
    """A generic SMS gateway on loopback: records each JSON post, answers ``status``."""

    def __init__(self, status: int = 202):
        import http.server
        import json
        import threading

        gateway = self
        self.status = status
        self.received: list[dict] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                gateway.received.append(
                    {"content_type": self.headers["Content-Type"], "body": json.loads(self.rfile.read(length))}
                )
                self.send_response(gateway.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    running = Gateway()
    settings.SMS_URL = running.url
    yield running
    running.close()


def test_the_http_backend_posts_json_to_the_gateway(gateway):
    from sessions.messages import send_sms

    send_sms(message("feedback_request", "Salon am Park"), link=LINK)

    (post,) = gateway.received
    assert post["content_type"] == "application/json"
    assert post["body"]["to"] == "+491701234567"
    assert LINK in post["body"]["text"]


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (404, True), (429, False), (503, False)])
def test_a_gateway_refusal_is_final_but_a_busy_gateway_is_retried(gateway, status, permanent):
    import urllib.error

    from sessions.messages import is_permanent_failure, send_sms

    gateway.status = status

    with pytest.raises(urllib.error.HTTPError) as refused:
        send_sms(message("reminder", "Salon am Park"), link="")

    assert refused.value.code == status
    assert is_permanent_failure(refused.value) is permanent


@pytest.mark.parametrize("debug", [False, True])
def test_the_console_backend_logs_the_sms_without_the_links_token(settings, caplog, debug):
    """Also in development: a log keeps no credentials (issue 14, point 16)."""
    from sessions.messages import send_sms

    settings.SMS_URL = "console://"
    settings.DEBUG = debug

    with caplog.at_level("INFO", logger="sessions.messages"):
        send_sms(message("reminder", "Salon am Park"), link=LINK)

    (line,) = [record.getMessage() for record in caplog.records if record.name == "sessions.messages"]
    assert "http://127.0.0.1:8000/forms/cancel/[redacted]/" in line
    assert "t" * 90 not in line
    assert "+491701234567" in line  # the rest is as sent


def test_an_sms_too_long_to_send_names_its_text_without_the_links_token():
    """The error is kept on the notification and written to the log."""
    from sessions.messages import Undeliverable

    with pytest.raises(Undeliverable) as refused:
        sms_text(message("feedback_request", "Salon"), link="http://127.0.0.1:8000/forms/feedback/" + "t" * 400 + "/")

    assert "/forms/feedback/[redacted]/" in str(refused.value)
    assert "t" * 400 not in str(refused.value)
