"""gunicorn's settings, the same wherever the site is served: the Dockerfile,
docker compose, the production smoke test and ``manage.py serve`` (which
only binds to its own host and port).

``PORT`` and ``WEB_CONCURRENCY`` follow the convention of hosting platforms;
logging follows ``LOG_LEVEL`` and ``LOG_FORMAT`` like the rest of the site.

The workers are gunicorn's plain (sync) processes, one request at a time each,
two per core and one more. Our requests are short and spend most of their time
in Python: threads in one process take turns on the GIL, and a threaded worker
accepts several connections at once and serves them unevenly, so under load
some requests waited several times longer than the rest (``bench.load``'s p95
fell from 167 to 118 ms and ``bench.public_availability``'s from 90 to under
50 ms on two cores when threads were dropped). A plain worker reads a slow
client's request itself, so the site belongs behind a buffering proxy, which
it needs anyway for TLS (README, "Docker compose").
"""

import gc
import logging
import os

from gunicorn.glogging import Logger

from config.env import Env
from config.logs import LOG_FORMATS, logging_config
from salon.redaction import scrub_path

env = Env()


class AccessLogger(Logger):
    """Access lines without the tokens of client links and calendar feeds,
    and without query strings (a client search's words can be a name)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = scrub_path(atoms["U"])
        atoms.update(U=path, q="", r=f"{atoms['m']} {path} {atoms['H']}")
        return atoms


logger_class = AccessLogger

wsgi_app = "config.wsgi:application"
bind = [f"0.0.0.0:{env.int('PORT', default=8000)}"]


def default_workers() -> int:
    """Two per core this process may run on, and one more, at most 9: each
    worker holds a database connection and its own memory."""
    # sched_getaffinity follows a container's cpuset; macOS has only cpu_count.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(2 * cores + 1, 9)


workers = env.int("WEB_CONCURRENCY", default=default_workers())
threads = 1
# A booking takes milliseconds; a request still running after this is stuck.
timeout = 30
graceful_timeout = 30
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
logconfig_dict = logging_config(
    level=env.str("LOG_LEVEL", default="INFO"),
    log_format=env.choice("LOG_FORMAT", LOG_FORMATS, default="plain"),
)


def post_worker_init(worker) -> None:
    """Import the views, compile the URL patterns and templates before the
    worker takes its first request (``config.warmup``). A failure is logged
    and the worker serves anyway: warming only saves time.

    Then what the worker has loaded, which lives as long as it does, is
    moved out of the garbage collector's sight (``gc.freeze``): a full
    collection walked all of it again, one pass of 130 ms every few hundred
    requests, 5-6 % of a booking's CPU in ``bench.booking``."""
    from config.warmup import process_warm

    try:
        process_warm()
    except Exception:
        logging.getLogger("config.warmup").exception("Warming the worker failed; it serves without")
    gc.freeze()
