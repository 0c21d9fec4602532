"""Reading configuration from the environment.

Settings read every variable through one :class:`Env` instance, which records
each name it was asked for. That record is how the tests check that the README,
``.env.example`` and ``docker-compose.yml`` only name variables the settings
actually read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


class Env:
    """Typed access to environment variables that remembers what was read."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        self.environ = os.environ if environ is None else environ
        self.names: set[str] = set()

    def raw(self, name: str) -> str | None:
        self.names.add(name)
        return self.environ.get(name)

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.raw(name)
        return default if value is None or value == "" else value

    def bool(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}.")

    def int(self, name: str, default: int) -> int:
        value = self.raw(name)
        if value is None or value.strip() == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}.") from None

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> str:
        value = (self.raw(name) or "").strip().lower() or default
        if value not in choices:
            raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {value!r}.")
        return value

    def list(self, name: str, default: list[str] | None = None) -> list[str]:
        value = self.raw(name)
        if value is None or value.strip() == "":
            return list(default or [])
        return [item.strip() for item in value.split(",") if item.strip()]


def sqlite_database(path: Path | str) -> dict:
    """An SQLite database tuned for several processes (web, worker, beat).

    WAL lets readers work while one writer writes; IMMEDIATE transactions take
    the write lock when the transaction starts, so two bookings cannot both read
    "free" and then both write; the timeout makes a second writer wait instead
    of failing with "database is locked".
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


def parse_database_url(url: str, *, name: str = "DATABASE_URL") -> dict:
    """Turn ``postgres://user:pass@host:port/db?sslmode=require`` or
    ``sqlite:///relative/or//absolute/path`` into a Django DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///var/db.sqlite3 is relative, sqlite:////srv/db.sqlite3 absolute.
        path = parts.path[1:] if parts.path.startswith("/") else parts.path
        if not path:
            raise ImproperlyConfigured(f"{name} names no SQLite file: {url!r}.")
        return sqlite_database(unquote(path))
    if scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ImproperlyConfigured(f"{name} names no database: add /<name> to {url!r}.")
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        conn_max_age = int(options.pop("conn_max_age", 60))
        # Not the driver's: read by salon.compiled.prepared_cursor (0 behind a pooler in transaction mode).
        prepared = options.pop("prepared_statements", "1").strip().lower() not in FALSE_WORDS
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "PREPARED_STATEMENTS": prepared,
        }
    raise ImproperlyConfigured(f"{name} must start with postgres:// or sqlite://; got {url!r}.")


def database_url_for(config: dict) -> str:
    """The URL of a DATABASES entry (the inverse of ``parse_database_url``),
    for pointing another process, such as a worker, at the same database."""
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(config['NAME']).resolve()}"
    user = quote(config["USER"], safe="")
    credentials = user + (f":{quote(config['PASSWORD'], safe='')}" if config["PASSWORD"] else "")
    port = f":{config['PORT']}" if config["PORT"] else ""
    options = {
        **config.get("OPTIONS", {}),
        **({} if config.get("PREPARED_STATEMENTS", True) else {"prepared_statements": 0}),
    }
    query = f"?{urlencode(options)}" if options else ""
    return f"postgres://{credentials}@{config['HOST']}{port}/{quote(config['NAME'], safe='')}{query}"


def parse_email_url(url: str, *, name: str = "EMAIL_URL") -> dict:
    """Turn an email URL into Django's EMAIL_* settings.

    ``smtp://user:pass@host:port`` (``?tls=1`` for STARTTLS), ``smtps://...``
    (implicit TLS), ``consolemail://``, ``filemail:///path``, ``memorymail://``
    and ``dummymail://`` are understood.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    simple_backends = {
        # Django's console backend, with client links' tokens masked.
        "consolemail": "config.mail.ConsoleEmailBackend",
        "memorymail": "django.core.mail.backends.locmem.EmailBackend",
        "dummymail": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple_backends:
        return {"EMAIL_BACKEND": simple_backends[scheme]}
    if scheme == "filemail":
        path = unquote(parts.path)
        if not path:
            raise ImproperlyConfigured(f"{name} names no folder: use filemail:///path/to/folder.")
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": path}
    if scheme in {"smtp", "smtps"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} names no host: {url!r}.")
        query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        implicit_tls = scheme == "smtps" or query.get("ssl") in TRUE_WORDS
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or (465 if implicit_tls else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": implicit_tls,
            "EMAIL_USE_TLS": not implicit_tls and query.get("tls") in TRUE_WORDS,
            "EMAIL_TIMEOUT": 10,
        }
    raise ImproperlyConfigured(
        f"{name} must start with smtp://, smtps://, consolemail://, filemail://, memorymail:// or dummymail://; "
        f"got {url!r}."
    )
