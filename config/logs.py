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

from salon.redaction import scrub_text

LOG_FORMATS = ("plain", "json")
NO_REQUEST = "-"

# The id of the request (web) or task (worker) being handled in this thread.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Stamps every record with the current request or task id, and keeps
    the tokens of client links and calendar feeds out of every line: Django's
    about refused requests ("Not Found: /forms/intake/<token>/"), an SMS
    written to the log, an error that quotes a message, and a traceback.

    The record itself is changed (its message made final, its traceback
    formatted once), so every handler after this one writes the same, and
    it works whatever the format."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        _redact(record)
        return True


def _redact(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit: logging reports it
        return
    redacted = scrub_text(message)
    # Unchanged records keep their arguments: gunicorn's access line hands
    # its parts to JsonFormatter in them (and has scrubbed them itself).
    if redacted != message:
        record.msg, record.args = redacted, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = scrub_text(record.exc_text)


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
        if record.exc_text or record.exc_info:
            # The filter's redacted text where it ran (config.logs.RequestIdFilter).
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
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
            # runserver's request lines, through the redacting handler rather than Django's own.
            "django.server": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }
