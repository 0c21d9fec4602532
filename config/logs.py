"""Log lines for people (plain) or for log collectors (JSON), each carrying
the id of the request or task it belongs to.

One configuration serves Django, gunicorn (its ``logconfig_dict``) and Celery
(which is told not to set up its own), so web, worker and beat write alike.
This module imports nothing from Django: gunicorn's master reads it before
Django is set up.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging

from salon.redaction import scrub_path

LOG_FORMATS = ("plain", "json")
NO_REQUEST = "-"

# The id of the request (web) or task (worker) being handled in this thread.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request or task id, and keeps
    client links' tokens out of Django's lines about refused requests
    ("Not Found: /forms/intake/<token>/")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        if record.name == "django.request" and isinstance(record.args, tuple):
            record.args = tuple(scrub_path(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id,
    and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            # gunicorn hands the access line's parts over as the record's args.
            atoms = record.args
            entry.update(
                method=atoms.get("m"),
                path=atoms.get("U"),
                status=_int_or_none(atoms.get("s")),
                duration_ms=_int_or_none(atoms.get("M")),
                request_id=atoms.get("{x-request-id}o") or NO_REQUEST,
            )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def logging_config(*, level: str, log_format: str) -> dict:
    """A ``logging.config.dictConfig`` dictionary.

    Celery's two lines per task ("received", "succeeded") cost the worker
    about a sixth of its time and say less than the outbox, which keeps each
    message's status, tries, error and sending time; beat's line a minute
    ("Sending due task") says only that the clock ticks. They show at DEBUG.
    gunicorn's loggers hand their records to the root handler, so its error
    and access lines come out in the same format.
    """
    level = level.upper()
    quiet_unless_debugging = "DEBUG" if level == "DEBUG" else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "celery.app.trace": {"level": quiet_unless_debugging},
            "celery.worker.strategy": {"level": quiet_unless_debugging},
            "celery.beat": {"level": quiet_unless_debugging},
            # Axes writes four lines per sign-in; salon.security writes one.
            "axes": {"level": quiet_unless_debugging},
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
        },
    }
