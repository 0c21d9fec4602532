"""Exactly once under faults: a real Celery worker (prefork, two processes)
killed with SIGKILL in the middle of a send batch, then started again, with
beat and an SMTP server on loopback.

The kill lands while sends are in flight but not yet accepted by the mail
server, which holds every message from the tenth on until the worker is dead.
The other unlucky moment, after the server accepted a message and before its
row was marked sent, cannot be closed by any sender; there the message goes
out again with the same Message-ID (tests/sessions/test_outbox.py).
"""

import asyncio
import datetime
import os
import signal
import threading
import time

import pytest

from sessions.models import Notification
from sessions.services.booking import appointment_book
from sessions.tasks import notification_send
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
from tests.helpers import Inbox, child_env, serve_smtp, start_celery, wait_for, wait_until_ready

pytestmark = pytest.mark.integration

BOOKINGS = 40
HOLD_FROM = 10
LEASE_SECONDS = 3


class HoldingInbox(Inbox):
    """Accepts messages until the ``hold_from``-th, then answers none until
    released. A held sender that dies drops its connection, which cancels the
    handler: the message was never accepted, as with a real server."""

    def __init__(self, hold_from: int):
        super().__init__()
        self.hold_from = hold_from
        self.holding = threading.Event()
        self.held = 0
        self.released = False

    async def handle_DATA(self, server, session, envelope):
        if not self.released and len(self.messages) + 1 >= self.hold_from:
            self.holding.set()
            self.held += 1
            try:
                while not self.released:
                    await asyncio.sleep(0.05)
            finally:
                self.held -= 1
        self.accept(envelope)
        return "250 OK"


@pytest.fixture
def holding_sink(unused_tcp_port):
    inbox = HoldingInbox(hold_from=HOLD_FROM)
    controller = serve_smtp(inbox, unused_tcp_port)
    yield inbox, unused_tcp_port
    inbox.released = True
    controller.stop()


def book_many(count: int) -> list[int]:
    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=0)
    open_every_day(salon)
    therapist = TherapistFactory(salon=salon)
    works_every_day(therapist, datetime.time(0), datetime.time(23, 59))
    RoomFactory(salon=salon)
    routine = short_routine(minutes=15, turnover=0)
    first = datetime.datetime.combine(
        datetime.datetime.now(salon.zone).date() + datetime.timedelta(days=2), datetime.time(8), tzinfo=salon.zone
    )
    ids = []
    for n in range(count):
        person = ClientFactory(salon=salon)
        screening_for(person)
        booking = appointment_book(client=person, routine=routine, start=first + datetime.timedelta(minutes=15 * n))
        ids.append(booking.pk)
    return ids


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    transactional_db, holding_sink, stop_process_group, tmp_path
):
    inbox, port = holding_sink
    queue = f"crash-{time.monotonic_ns()}"
    env = child_env(
        TEST_EMAIL_URL=f"smtp://127.0.0.1:{port}",
        TEST_CELERY_QUEUE=queue,
        TEST_NOTIFICATION_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    log = tmp_path / "celery.log"
    worker_command = ["worker", "-Q", queue, "--concurrency", "2"]
    stop_process_group(start_celery(["beat", "--schedule", str(tmp_path / "beat-schedule")], env=env, log=log))
    worker = start_celery(worker_command, env=env, log=log)
    stop_process_group(worker)
    wait_until_ready(worker, log)

    # Given forty confirmations due now, and a worker part-way through them
    book_many(BOOKINGS)
    assert inbox.holding.wait(timeout=60), "the worker never reached the tenth message"
    confirmations = Notification.objects.filter(kind="confirmation")
    # (every message the server accepted is marked sent: no send is half done)
    wait_for(
        lambda: confirmations.filter(status="sent").count() == len(inbox.messages),
        timeout=10,
        what="accepted messages to be marked sent",
    )
    assert confirmations.filter(status="sending").exists()
    assert len(inbox.messages) == HOLD_FROM - 1

    # When the worker is killed outright and started again
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    wait_for(lambda: inbox.held == 0, timeout=10, what="the dead worker's connections to drop")
    inbox.released = True
    time.sleep(LEASE_SECONDS + 1)  # restarted after the lease: its rows are handed out again
    restarted = start_celery(worker_command, env=env, log=log)
    stop_process_group(restarted)
    wait_until_ready(restarted, log, after=1)

    # Then every message arrives, and none twice
    wait_for(lambda: len(inbox.messages) >= BOOKINGS, timeout=90, what="all forty confirmations")
    # (and when the broker hands every send task out once more, nothing changes)
    for notification_id in confirmations.values_list("pk", flat=True):
        notification_send.apply_async(args=[notification_id], queue=queue)
    time.sleep(LEASE_SECONDS + 2)  # another lease and several beats: nothing more may come
    assert len(inbox.messages) == BOOKINGS
    assert len({message["Message-ID"] for message in inbox.messages}) == BOOKINGS
    assert set(confirmations.values_list("status", flat=True)) == {"sent"}
    recipients = sorted(str(message["To"]) for message in inbox.messages)
    assert recipients == sorted(confirmations.values_list("client__email", flat=True))
