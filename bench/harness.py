"""Shared plumbing for the benchmarks: a throw-away database the script fills
itself, and one JSON line per case.

Run a benchmark as a module from the project root, e.g.
``.venv/bin/python -m bench.api_basics``. It uses DATABASE_URL when set (a
``test_`` copy is created and dropped) and SQLite otherwise.
"""

import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


@contextmanager
def scratch_database():
    """Create a test database with all migrations applied; drop it afterwards."""
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def count_queries(action: Callable[[], object]) -> int:
    """Queries one call of ``action`` sends (an execute wrapper sees them even
    when a request resets Django's query log)."""
    executed = 0

    def counter(execute, sql, params, many, context):
        nonlocal executed
        executed += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        action()
    return executed


def measure(case: str, action: Callable[[], object], *, repeat: int = 200, warmup: int = 10, **extra) -> dict:
    """Time ``action`` ``repeat`` times and print one JSON line."""
    for _ in range(warmup):
        action()
    queries = count_queries(action)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    result = {
        "case": case,
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 3),
        "queries": queries,
        "runs": repeat,
        "database": connection.vendor,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        **extra,
    }
    print(json.dumps(result), flush=True)
    return result


def group_cpu_seconds(group: int) -> float | None:
    """CPU time used so far by the live processes of a process group (from
    /proc; None where there is none): with the two cores shared, it tells
    what a request costs, which the latencies alone do not."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        entries = list(Path("/proc").iterdir())
    except OSError:
        return None
    for entry in entries:
        try:
            # The command may hold spaces; the fields after its closing bracket are fixed.
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / ticks


@contextmanager
def serving(env: dict, log: Path):
    """gunicorn with the production settings on a free loopback port; yields
    the base URL once /healthz answers, and its process group's id."""
    from bench.booking import ROOT, free_port

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield base, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def cpu_profile_print(action: Callable[[], object], *, warm: int = 5, runs: int = 10) -> None:
    """Print a cProfile of ``runs`` calls of ``action`` after ``warm`` unprofiled
    ones (templates compiled, translations loaded), sorted by ``BENCH_SORT``
    (cumulative unless set), ``BENCH_LINES`` lines (60 unless set). Timed by
    the wall clock, unless ``BENCH_CLOCK=cpu``: this process's CPU time, without
    the waits for the database."""
    import cProfile
    import pstats

    for _ in range(warm):
        action()
    profiler = cProfile.Profile(time.process_time) if os.environ.get("BENCH_CLOCK") == "cpu" else cProfile.Profile()
    for _ in range(runs):
        profiler.runcall(action)
    lines = int(os.environ.get("BENCH_LINES", 60))
    pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(lines)


def without_csrf(body: bytes) -> bytes:
    """A page with its CSRF tokens blanked (they differ on every request), for comparing snapshots."""
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b'name="csrfmiddlewaretoken"', body)
    return re.sub(rb'"X-CSRFToken": "[^"]*"', b'"X-CSRFToken": ""', body)
