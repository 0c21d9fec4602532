"""Backups of the embedded database a salon owner can make and restore.

The scenario runs as the owner would: separate processes on an SQLite file
of its own (whichever database the rest of the suite uses), a booking
process that keeps writing while ``manage.py backup`` runs, and
``manage.py restore`` into a fresh database."""

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from config.tasks import database_back_up
from tests.helpers import wait_for

ROOT = Path(__file__).resolve().parents[2]

BOOK_UNTIL_STOPPED = """
import datetime, django
django.setup()
from django.utils import timezone
from clients.models import Client
from routines.models import RoutineTemplate
from salon.errors import DomainError
from salon.models import Room, Salon, Therapist
from sessions.availability import from_minutes
from sessions.selectors import availability
from sessions.services.booking import appointment_book

salon = Salon.objects.get()
routine = RoutineTemplate.objects.filter(is_current=True, slug="classic-back").first() or \\
    RoutineTemplate.objects.filter(is_current=True).first()
clients = list(Client.objects.filter(archived=False))
first = timezone.localdate() + datetime.timedelta(days=1)
slots, _ = availability(salon=salon, routine=routine, first_day=first, last_day=first + datetime.timedelta(days=40))
for number, slot in enumerate(slots):
    try:
        appointment = appointment_book(
            client=clients[number % len(clients)], routine=routine, start=from_minutes(slot.start),
            therapist=Therapist.objects.get(pk=slot.therapist), room=Room.objects.get(pk=slot.room),
        )
    except DomainError:
        continue
    print(appointment.pk, flush=True)
"""


def owner_env(database: Path) -> dict:
    ignored = settings.ENVIRONMENT_VARIABLES | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in ignored}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"sqlite:///{database}",
        BACKUP_DIR=str(database.parent / "backups"),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(database: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=owner_env(database),
        input=stdin, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def appointment_ids(database: Path) -> set[int]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return {row[0] for row in connection.execute("SELECT id FROM treatments_appointment")}


class Bookings:
    """A process booking appointment after appointment; remembers when each
    booking was reported committed."""

    def __init__(self, database: Path):
        self.committed: list[tuple[float, int]] = []
        self.process = subprocess.Popen(
            [sys.executable, "-c", BOOK_UNTIL_STOPPED], cwd=ROOT, env=owner_env(database),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.committed.append((time.monotonic(), int(line)))

    def before(self, moment: float) -> set[int]:
        return {pk for at, pk in self.committed if at < moment}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def salon_database(tmp_path_factory) -> Path:
    """An embedded database with the demo salon, made once for this module."""
    database = tmp_path_factory.mktemp("owner") / "salon.sqlite3"
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        result = manage(database, *command)
        assert result.returncode == 0, result.stderr[-3000:]
    return database


def test_a_backup_taken_while_bookings_go_on_restores_every_committed_booking(salon_database, tmp_path):
    folder = tmp_path / "backups"
    bookings = Bookings(salon_database)
    try:
        wait_for(lambda: len(bookings.committed) >= 5, timeout=60, what="the first bookings")
        backup_started = time.monotonic()
        result = manage(salon_database, "backup", "--folder", str(folder))
        backup_done = time.monotonic()
        # Reported a second after the copy was done: committed after it, too.
        wait_for(lambda: bookings.committed[-1][0] > backup_done + 1, timeout=30, what="bookings to go on")
    finally:
        bookings.stop()
    assert result.returncode == 0, result.stderr
    [backup] = folder.glob("salon-*.sqlite3")
    assert f"Backup written: {backup}" in result.stdout
    assert (backup.stat().st_mode & 0o777, folder.stat().st_mode & 0o777) == (0o600, 0o700)  # health data

    committed_before = bookings.before(backup_started)
    in_backup = appointment_ids(backup)
    assert committed_before <= in_backup
    assert bookings.committed[-1][1] not in in_backup
    with sqlite3.connect(backup) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    fresh = tmp_path / "restored.sqlite3"
    restored = manage(fresh, "restore", "--noinput", str(backup))
    assert restored.returncode == 0, restored.stderr
    listed = manage(fresh, "shell", "-c", "from sessions.models import Appointment as A; print(A.objects.count())")
    assert listed.stdout.split()[-1] == str(len(in_backup))
    assert appointment_ids(fresh) == in_backup


def test_restore_asks_first_and_keeps_the_database_it_replaces(salon_database, tmp_path):
    folder = tmp_path / "copies"
    assert manage(salon_database, "backup", "--folder", str(folder)).returncode == 0
    [backup] = folder.glob("salon-*.sqlite3")
    live = tmp_path / "live" / "salon.sqlite3"
    live.parent.mkdir()
    assert manage(live, "restore", "--noinput", str(backup)).returncode == 0
    with sqlite3.connect(live) as connection:
        connection.execute("DELETE FROM treatments_appointmentchange")
        connection.execute("DELETE FROM treatments_notification")
        connection.execute("DELETE FROM treatments_appointment")

    declined = manage(live, "restore", str(backup), stdin="no\n")

    assert declined.returncode != 0
    assert "Restore cancelled; nothing was changed." in declined.stderr
    assert appointment_ids(live) == set()

    accepted = manage(live, "restore", str(backup), stdin="yes\n")

    assert accepted.returncode == 0, accepted.stderr
    assert appointment_ids(live) == appointment_ids(backup) != set()
    [kept] = (live.parent / "backups").glob("before-restore-*.sqlite3")
    assert f"The database as it was is saved as {kept}" in accepted.stdout
    assert appointment_ids(kept) == set()


def test_old_backups_are_pruned_to_the_number_kept(salon_database, tmp_path):
    folder = tmp_path / "backups"
    for _ in range(3):
        assert manage(salon_database, "backup", "--folder", str(folder), "--keep", "2").returncode == 0

    assert len(list(folder.glob("salon-*.sqlite3"))) == 2


def test_a_file_that_is_no_backup_is_refused_and_nothing_changes(salon_database, tmp_path):
    not_a_backup = tmp_path / "notes.sqlite3"
    not_a_backup.write_text("shopping list")
    before = appointment_ids(salon_database)

    result = manage(salon_database, "restore", "--noinput", str(not_a_backup))

    assert result.returncode != 0
    assert "is not an SQLite database" in result.stderr
    assert appointment_ids(salon_database) == before


def test_postgresql_installations_are_pointed_to_pg_dump(tmp_path):
    env = owner_env(tmp_path / "unused.sqlite3") | {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/salon"}

    result = subprocess.run(
        [sys.executable, "manage.py", "backup"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "back it up with pg_dump" in result.stderr


def test_the_daily_beat_entry_backs_up_the_embedded_database_only(db, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path
    entry = settings.CELERY_BEAT_SCHEDULE["back-up-the-database"]
    assert (entry["task"], entry["schedule"]) == ("config.tasks.database_back_up", 24 * 60 * 60)

    database_back_up()

    written = list(tmp_path.glob("salon-*.sqlite3"))
    from django.db import connection

    assert len(written) == (1 if connection.vendor == "sqlite" else 0)
