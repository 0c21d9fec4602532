"""10,000 due reminders dispatched and sent by one Celery worker (target:
at least 500 messages a second on PostgreSQL + Redis, 100 on the embedded
default, and about one query per message).

The worker is a real ``celery worker`` process (prefork, one process per
core) on the configured broker, with Django's locmem email backend, started
against the scratch database. Dispatch is one ``notifications_dispatch``
task, as beat would send it, which hands the rows out in chunks of
``outbox.CHUNK``; the clock runs from that task's publication until the last
row is marked sent. Queries are counted in this process on one chunk of
``SAMPLE`` messages sent the same way (``queries_per_chunk``, and divided by
the chunk, ``queries_per_message``); on PostgreSQL the database's own count
of committed transactions during the worker's run is reported too.
``median_ms`` and ``p95_ms`` are how long after dispatch began a message
was sent (its wait in the queue included). ``worker_cpu_ms_per_message`` is
all the CPU the worker and its pool used, divided by the messages;
``worker_cpu_ms_per_message_after_start`` leaves out what it spent starting
(``worker_start_cpu_s``, read from /proc when it is ready; Linux only).

Run it with ``scripts/testenv.py -m bench.dispatch [messages]`` for
PostgreSQL + Redis, and with ``SALON_EMBEDDED=1`` in front for the embedded
default (SQLite + the filesystem broker; the scratch SQLite file is made in a
temporary directory, not the test suite's).
"""

import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import count_queries, scratch_database
from config.env import database_url_for

MESSAGES = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
SAMPLE = 100  # one chunk (outbox.CHUNK), sent in this process to count queries
THERAPISTS = 20
ROOT = Path(__file__).resolve().parent.parent


def fill() -> list[int]:
    """Appointments a fortnight ahead, each with one reminder due now."""
    from clients.models import Client
    from clients.search import name_keys
    from routines.models import RoutineTemplate
    from salon.models import Business, Room, Salon, Therapist, User
    from sessions.models import Appointment, Notification

    business = Business.objects.create(name="Bench", time_zone="Europe/Berlin")
    salon = Salon.objects.create(business=business, name="Bench", time_zone="Europe/Berlin", phone="+49301234567")
    rooms = Room.objects.bulk_create(Room(salon=salon, name=f"Room {n:02d}") for n in range(THERAPISTS))
    therapists = [
        Therapist.objects.create(
            business=business, user=User.objects.create(username=f"bench{n}"), display_name=f"T{n}"
        )
        for n in range(THERAPISTS)
    ]
    clients = Client.objects.bulk_create(
        Client(business=business, given_name=f"Client{n}", family_name="Bench", email=f"client{n}@example.com",
               consent_reminders=True, **name_keys(f"Client{n}", "Bench"))
        for n in range(1000)
    )  # fmt: skip
    routine = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)
    first = datetime.datetime.now(datetime.UTC).replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=14)
    total = MESSAGES + SAMPLE
    appointments = Appointment.objects.bulk_create(
        (
            Appointment(
                client=clients[n % len(clients)],
                therapist=therapists[n % THERAPISTS],
                room=rooms[n % THERAPISTS],
                routine=routine,
                start=first + datetime.timedelta(hours=n // THERAPISTS),
                end=first + datetime.timedelta(hours=n // THERAPISTS, minutes=60),
                busy_until=first + datetime.timedelta(hours=n // THERAPISTS, minutes=60),
            )
            for n in range(total)
        ),
        batch_size=2000,
    )
    due = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
    notifications = Notification.objects.bulk_create(
        (
            Notification(key=f"{appointment.pk}:reminder:24h", kind="reminder", appointment=appointment,
                         client=appointment.client, channel="email", due_at=due)
            for appointment in appointments
        ),
        batch_size=2000,
    )  # fmt: skip
    return [notification.pk for notification in notifications]


def queries_per_chunk(sample: list[int]) -> int:
    """Send ``sample`` here as one chunk, counting its queries."""
    from config.celery import app
    from sessions.tasks import notifications_send

    app.conf.task_always_eager = True
    try:
        return count_queries(lambda: notifications_send.apply(args=[sample]))
    finally:
        app.conf.task_always_eager = False


def committed_transactions() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    time.sleep(1.5)  # PostgreSQL flushes its statistics about once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def start_worker(queue: str, log: Path) -> subprocess.Popen:
    from django.db import connection

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # locmem email
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "TEST_CELERY_QUEUE": queue,
    }
    env.pop("TEST_EMAIL_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--concurrency", str(os.cpu_count()),
         "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise SystemExit(f"The worker did not start:\n{log.read_text()}")
        time.sleep(0.2)
    return worker


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU time (user and system) ``pid`` and its descendants have used so
    far, from /proc (None where there is none): what the worker spent
    starting, before the first message."""
    proc = Path("/proc")
    if not (proc / str(pid)).exists():
        return None
    parents, used = {}, {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()  # after the command's name
        except OSError:  # ended meanwhile
            continue
        parents[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = int(fields[11]) + int(fields[12])  # utime, stime (in clock ticks)
    tree, total = [pid], 0
    while tree:
        current = tree.pop()
        total += used.get(current, 0)
        tree += [child for child, parent in parents.items() if parent == current]
    return total / os.sysconf("SC_CLK_TCK")


def main() -> None:
    from django.db import connection

    with tempfile.TemporaryDirectory() as scratch:
        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = str(Path(scratch) / "bench.sqlite3")
        with scratch_database():
            run(scratch)


def run(scratch: str) -> None:
    """Fill the scratch database, count one chunk's queries, then time the worker."""
    from django.conf import settings
    from django.db import connection

    from sessions.models import Notification
    from sessions.tasks import notifications_dispatch

    ids = fill()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    chunk_queries = queries_per_chunk(ids[:SAMPLE])
    rows = Notification.objects.filter(pk__gt=ids[SAMPLE - 1])  # the worker's share (ids ascend)

    queue = f"bench-dispatch-{os.getpid()}"
    worker = start_worker(queue, Path(scratch) / "worker.log")
    start_cpu = tree_cpu_seconds(worker.pid)
    try:
        transactions_before = committed_transactions()
        published = time.time()
        notifications_dispatch.apply_async(queue=queue)
        deadline = time.monotonic() + 600
        while rows.filter(status="sent").count() < MESSAGES:
            if time.monotonic() > deadline or worker.poll() is not None:
                raise SystemExit("The worker did not send everything in ten minutes.")
            time.sleep(0.25)
        finished = time.time()
        transactions = committed_transactions()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    worker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker and its pool, once reaped

    latencies = sorted((sent - published) * 1000 for sent in
                       (moment.timestamp() for moment in rows.values_list("sent_at", flat=True)))  # fmt: skip
    seconds = finished - published
    result = {
        "case": f"dispatch-{MESSAGES}-{connection.vendor}",
        "messages": MESSAGES,
        "seconds": round(seconds, 2),
        "messages_per_s": round(MESSAGES / seconds, 1),
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "worker_cpu_ms_per_message": round((worker_cpu.ru_utime + worker_cpu.ru_stime) * 1000 / MESSAGES, 2),
        # The same without what the worker spent starting (importing Django, forking its pool)
        "worker_start_cpu_s": round(start_cpu, 2) if start_cpu is not None else None,
        "worker_cpu_ms_per_message_after_start": round(
            (worker_cpu.ru_utime + worker_cpu.ru_stime - start_cpu) * 1000 / MESSAGES, 2
        )
        if start_cpu is not None
        else None,
        "queries_per_chunk": chunk_queries,
        "chunk": SAMPLE,
        "queries_per_message": round(chunk_queries / SAMPLE, 2),
        "transactions_per_message": round((transactions - transactions_before) / MESSAGES, 2)
        if transactions is not None
        else None,
        "sent_each_once": rows.filter(status="sent", attempts=1).count() == MESSAGES,
        "worker": f"prefork, {os.cpu_count()} processes",
        "broker": settings.CELERY_BROKER_URL.split("://", 1)[0],
        "database": connection.vendor,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
