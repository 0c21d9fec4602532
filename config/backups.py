"""Backing up and restoring the embedded SQLite database.

SQLite's online backup API copies the database page by page under one read
transaction, so the copy is consistent even while web and worker keep
writing (WAL lets them go on meanwhile); a plain file copy could catch a
half-written page or miss what still sits in the write-ahead log.
PostgreSQL installations use ``pg_dump`` instead (README, "Backups").
"""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from salon.errors import Conflict, InvalidInput

BACKUP_PREFIX = "salon-"
BACKUP_SUFFIX = ".sqlite3"
BEFORE_RESTORE_PREFIX = "before-restore-"


def embedded_database_path() -> Path:
    """The SQLite file in use, or a refusal naming what to use instead."""
    database = connections["default"].settings_dict
    if database["ENGINE"] != "django.db.backends.sqlite3":
        raise Conflict(
            _("This installation runs on PostgreSQL: back it up with pg_dump (see the README, Backups)."),
            code="not_embedded_database",
        )
    return Path(database["NAME"])


def _copy(source: Path, target: Path, *, source_read_only: bool = False) -> None:
    uri = f"file:{source}?mode=ro" if source_read_only else f"file:{source}"
    with (
        contextlib.closing(sqlite3.connect(uri, uri=True, timeout=20)) as reader,
        contextlib.closing(sqlite3.connect(target, timeout=20)) as writer,
    ):
        # All pages in one step: a step-wise copy would restart whenever
        # another process writes in between.
        reader.backup(writer, pages=-1)


def backups_in(folder: Path) -> list[Path]:
    """The regular backups in ``folder``, oldest first."""
    return sorted(folder.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}"), key=lambda path: (path.stat().st_mtime, path.name))


def database_back_up(
    *,
    folder: Path | None = None,
    keep: int | None = None,
    prefix: str = BACKUP_PREFIX,
    now: datetime.datetime | None = None,
) -> Path:
    """Write a consistent copy of the embedded database into ``folder``
    (``BACKUP_DIR``) named by the time, and delete the oldest regular backups
    beyond ``keep`` (``BACKUP_KEEP``). Returns the new file."""
    source = embedded_database_path()
    folder = Path(folder or settings.BACKUP_DIR)
    keep = settings.BACKUP_KEEP if keep is None else keep
    # Copies of health data: for the account that runs the salon only.
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{prefix}{stamp}{BACKUP_SUFFIX}"
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"{prefix}{stamp}-{counter}{BACKUP_SUFFIX}"
    partial = target.with_name(target.name + ".partial")
    try:
        partial.touch(mode=0o600)
        _copy(source, partial)
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    for old in backups_in(folder)[:-keep]:
        old.unlink(missing_ok=True)
    return target


def backup_problem(path: Path) -> str | None:
    """Why ``path`` cannot be restored, or None when it is a sound backup."""
    if not path.is_file():
        return f"{path} does not exist."
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as database:
            if database.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                return f"{path} is damaged (SQLite's check failed)."
            tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as error:
        return f"{path} is not an SQLite database ({error})."
    if "django_migrations" not in tables:
        return f"{path} is not a backup of this application (it has no migration history)."
    return None


def database_restore(*, source: Path, folder: Path | None = None) -> Path | None:
    """Replace the embedded database's content with the backup ``source``.

    What was there is first saved as ``before-restore-<time>.sqlite3`` in the
    backup folder, which the daily pruning leaves alone; that copy's path is
    returned (None when there was no database yet). Processes still connected see the restored data from their
    next transaction on.
    """
    target = embedded_database_path()
    source = Path(source)
    problem = backup_problem(source)
    if problem:
        raise InvalidInput(problem, code="invalid_backup", fields={"file": [problem]})
    if source.resolve() == target.resolve():
        raise InvalidInput(_("That is the database in use, not a backup."), code="invalid_backup")
    saved = None
    if target.exists():
        saved = database_back_up(folder=folder, keep=10**6, prefix=BEFORE_RESTORE_PREFIX)
    connections.close_all()
    _copy(source, target, source_read_only=True)
    return saved
