"""Reminders end to end: a real Celery worker and beat on the configured
broker, a real SMTP server (aiosmtpd) on loopback."""

import datetime
import time
from urllib.parse import urlsplit

import pytest

from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book, appointment_reschedule
from sessions.services.lifecycle import appointment_transition
from tests.factories import (
    ClientFactory,
    RoomFactory,
    SalonFactory,
    TherapistFactory,
    open_every_day,
    screening_for,
    short_routine,
    works_every_day,
)
from tests.helpers import child_env, start_celery, wait_for, wait_until_ready

pytestmark = pytest.mark.integration


@pytest.fixture
def beats() -> int:
    return 1


@pytest.fixture
def worker_and_beat(transactional_db, smtp_sink, stop_process_group, tmp_path, beats):
    _, port = smtp_sink
    queue = f"notify-{time.monotonic_ns()}"
    env = child_env(TEST_EMAIL_URL=f"smtp://127.0.0.1:{port}", TEST_CELERY_QUEUE=queue)
    log = tmp_path / "celery.log"
    worker = start_celery(["worker", "-Q", queue, "--pool", "solo"], env=env, log=log)
    stop_process_group(worker)
    for n in range(beats):
        stop_process_group(start_celery(["beat", "--schedule", str(tmp_path / f"beat-schedule-{n}")], env=env, log=log))
    wait_until_ready(worker, log)
    return log


def test_confirmation_reminders_reschedule_and_cancel_arrive_once(smtp_sink, worker_and_beat):
    inbox, _ = smtp_sink
    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=0, slot_minutes=5)
    open_every_day(salon)
    therapist = TherapistFactory(salon=salon, display_name="Anna")
    works_every_day(therapist, datetime.time(0), datetime.time(23, 59))
    RoomFactory(salon=salon)
    client = ClientFactory(salon=salon, given_name="Sabine", consent_reminders=True, consent_feedback=True)
    screening_for(client)
    now = datetime.datetime.now(datetime.UTC)
    start = (now + datetime.timedelta(minutes=6)).replace(second=0, microsecond=0)
    start -= datetime.timedelta(minutes=start.minute % 5)
    # Reminders due 4 and 10 seconds from now.
    salon.reminder_lead_hours = [(start - now).total_seconds() / 3600 - seconds / 3600 for seconds in (4, 10)]
    salon.save()
    routine = short_routine(minutes=15, turnover=0)

    appointment = appointment_book(client=client, routine=routine, start=start)
    wait_for(lambda: inbox.subjects().count("Reminder: your massage") == 2, timeout=60, what="two reminders")
    assert inbox.subjects().count("Your massage is booked") == 1
    # At their time: never early, and within a few beats of being due.
    due = sorted(n.due_at.timestamp() for n in Notification.objects.filter(appointment=appointment, kind="reminder"))
    for due_at, arrived_at in zip(due, sorted(inbox.arrivals("Reminder: your massage")), strict=True):
        assert due_at <= arrived_at < due_at + 20

    appointment_reschedule(appointment=appointment, start=start + datetime.timedelta(minutes=30))
    wait_for(lambda: "Your massage has moved" in inbox.subjects(), timeout=30, what="the reschedule notice")
    moved = inbox.calendar("Your massage has moved")
    booked = inbox.calendar("Your massage is booked")
    assert moved["uid"] == booked["uid"]
    assert int(moved["sequence"]) == int(booked["sequence"]) + 1

    appointment_transition(appointment=Appointment.objects.get(pk=appointment.pk), to_status="cancelled", reason="Ill")
    wait_for(lambda: "Your massage is cancelled" in inbox.subjects(), timeout=30, what="the cancellation")
    time.sleep(3)  # a few more beats: nothing else may arrive
    assert inbox.subjects().count("Reminder: your massage") == 2
    assert sorted(inbox.subjects()) == sorted(
        ["Your massage is booked", "Reminder: your massage", "Reminder: your massage", "Your massage has moved",
         "Your massage is cancelled"]
    )  # fmt: skip
    assert len({message["Message-ID"] for message in inbox.messages}) == 5


def test_completing_sends_a_feedback_request_whose_link_opens_the_form(smtp_sink, worker_and_beat, client):
    inbox, _ = smtp_sink
    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=0, feedback_delay_minutes=0)
    open_every_day(salon)
    therapist = TherapistFactory(salon=salon)
    works_every_day(therapist, datetime.time(0), datetime.time(23, 59))
    RoomFactory(salon=salon)
    person = ClientFactory(salon=salon, consent_feedback=True)
    screening_for(person)
    tomorrow = datetime.datetime.now(salon.zone).date() + datetime.timedelta(days=1)
    appointment = appointment_book(
        client=person,
        routine=short_routine(minutes=15, turnover=0),
        start=datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=salon.zone),
    )
    for status in ("checked_in", "in_progress", "completed"):
        appointment = appointment_transition(appointment=appointment, to_status=status, now=appointment.start)

    wait_for(lambda: "How was your massage?" in inbox.subjects(), timeout=60, what="the feedback request")
    message = next(m for m in inbox.messages if str(m["Subject"]).startswith("How was your massage?"))
    text = message.get_body(preferencelist=("plain",)).get_content()
    link = next(line.strip() for line in text.splitlines() if "/forms/feedback/" in line)
    opened = client.get(urlsplit(link).path, follow=True)
    assert opened.status_code == 200
    assert "How was your massage?" in opened.content.decode()


@pytest.mark.parametrize("beats", [2])
def test_two_beats_at_once_still_send_each_message_once(smtp_sink, worker_and_beat, beats):
    inbox, _ = smtp_sink
    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=0)
    open_every_day(salon)
    therapist = TherapistFactory(salon=salon)
    works_every_day(therapist, datetime.time(0), datetime.time(23, 59))
    RoomFactory(salon=salon)
    routine = short_routine(minutes=15, turnover=0)
    tomorrow = datetime.datetime.now(salon.zone).date() + datetime.timedelta(days=1)
    for hour in range(8, 14):
        person = ClientFactory(salon=salon)
        screening_for(person)
        appointment_book(
            client=person,
            routine=routine,
            start=datetime.datetime.combine(tomorrow, datetime.time(hour), tzinfo=salon.zone),
        )

    wait_for(lambda: len(inbox.messages) >= 6, timeout=60, what="six confirmations")
    time.sleep(4)  # several more beats from both

    assert inbox.subjects().count("Your massage is booked") == 6
    assert len({message["Message-ID"] for message in inbox.messages}) == len(inbox.messages) == 6
