"""Online booking under load: 20 concurrent visitors ask the public API for
one service's free times over 14 days (``GET /api/v1/public/availability/``;
target: p95 under 50 ms), then open the booking page of a day
(``/book/<location>/?service=...&date=...``; target: p95 under 100 ms).

The server is gunicorn with the production settings (``config.gunicorn``:
plain workers, two per core and one more, access log on), as ``bench.load`` runs it, warmed
up first (each worker's first requests load code and fill caches). Each
visitor is a thread that asks again as soon as it has its answer (no time
to think: the harshest case), on a new connection each time.

The data is ``bench.availability``'s: 20 therapists at Berlin and London,
2,400 bookings over 30 days, therapists' sessions at the other location
widening theirs by the travel time; the classic back massage is on Berlin's
menu for online booking at 60 and 90 minutes. Every simulated visitor
calls from 127.0.0.1, so the server runs with ``bench.settings_public``,
which lifts the per-address limits. The workers share a Redis cache
(``BENCH_CACHE_URL``, default ``redis://127.0.0.1:6379/15``; empty: each
worker its own memory), as a deployment with several workers should
(README, "Configuration": ``CACHE_URL``)."""

import datetime
import http.client
import json
import os
import secrets
import statistics
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

from bench.harness import group_cpu_seconds, scratch_database, serving
from config import gunicorn as gunicorn_config
from config.env import database_url_for

CLIENTS = 20
REQUESTS_PER_CLIENT = 25
DAYS = 14
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")


def fill():
    from bench.availability import fill as fill_locations
    from routines.services import service_set
    from salon.models import Therapist

    locations, routine, first, counts = fill_locations()
    berlin = locations[0]
    therapists = list(Therapist.objects.filter(business=berlin.business).order_by("pk").values_list("pk", flat=True))
    service_set(salon=berlin, routine=routine, lengths=[(60, 7000), (90, 9500)], online=True,
                description="The classic.")  # fmt: skip
    return berlin, routine, therapists, first, counts


def timed_get(url: str) -> tuple[float, int]:
    """One GET on a new connection, closed after the answer, as visitors
    arrive one after another. Kept connections were tried: gunicorn's
    threaded workers each take several at once and serve them unevenly,
    which gave a worse p95 (93 ms for the API) than connecting anew (57 ms)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    began = time.perf_counter()
    try:
        connection.request("GET", f"{parts.path}?{parts.query}", headers={"Connection": "close"})
        with connection.getresponse() as response:
            response.read()
            status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        connection.close()
    return (time.perf_counter() - began) * 1000, status


def load(urls: list[str], *, server: int, distinct: bool = False) -> tuple[list[tuple[float, int]], float, dict]:
    """Every client asks for the URLs in turn, ``REQUESTS_PER_CLIENT`` times;
    ``distinct``: no URL twice (each client its own share of them). Also
    the CPU time the server's processes (group ``server``) and the clients
    spent, per request."""

    def client(number: int) -> list[tuple[float, int]]:
        if distinct:
            return [timed_get(urls[number * REQUESTS_PER_CLIENT + turn]) for turn in range(REQUESTS_PER_CLIENT)]
        return [timed_get(urls[(number + turn) % len(urls)]) for turn in range(REQUESTS_PER_CLIENT)]

    server_before, clients_before = group_cpu_seconds(server), time.process_time()
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = [item for lane in pool.map(client, range(CLIENTS)) for item in lane]
    elapsed = time.perf_counter() - began
    cpu = {
        "server_cpu_ms_per_request": round((group_cpu_seconds(server) - server_before) * 1000 / len(results), 2),
        "clients_cpu_ms_per_request": round((time.process_time() - clients_before) * 1000 / len(results), 2),
    }
    return results, elapsed, cpu


def report(case: str, results: list[tuple[float, int]], elapsed: float, ok: int, **extra) -> None:
    latencies = sorted(latency for latency, _ in results)
    errors = sum(1 for _, status in results if status != ok)
    print(
        json.dumps(
            {
                "case": case,
                "p50_ms": round(statistics.median(latencies), 2),
                "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2),
                "requests": len(results),
                "errors": errors,
                "statuses": sorted({status for _, status in results}),
                "requests_per_second": round(len(results) / elapsed, 1),
                "concurrent_clients": CLIENTS,
                "server": "gunicorn, config.gunicorn",
                "gunicorn_workers": gunicorn_config.workers,
                "gunicorn_threads": gunicorn_config.threads,
                "cache": CACHE_URL.split(":")[0] if CACHE_URL else "memory per worker",
                **extra,
            }
        ),
        flush=True,
    )


def main() -> None:
    # The machine's load before the run (the bench's own threads then raise it): a busy machine
    # lengthens the queue for a core, which is most of the p95.
    load_at_start = round(os.getloadavg()[0], 2)
    with scratch_database():
        from django.db import connection
        from django.db.models import F

        from sessions.models import AvailabilityStamp

        berlin, routine, therapists, first, counts = fill()
        # Every run's scratch database counts its stamps from the same start, and the shared cache
        # outlives it: from a random start, a run within a minute of the last is not answered from it.
        AvailabilityStamp.objects.update(version=F("version") + secrets.randbelow(2**40))
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings_public",
            "DATABASE_URL": database_url_for(connection.settings_dict),
            "CACHE_URL": CACHE_URL,
        }
        with tempfile.TemporaryDirectory() as scratch, serving(env, Path(scratch) / "gunicorn.log") as (base, server):
            common = {
                "therapists": 20,
                "days": DAYS,
                "bookings": counts["Berlin"] + counts["London"],
                "load_average_at_start": load_at_start,
            }
            url = (
                f"{base}/api/v1/public/availability/?location={berlin.pk}&service={routine.slug}&minutes=60"
                f"&days={DAYS}&from={{first}}{{one}}"
            )
            # What a website's visitors ask: two weeks from three first days, anyone or one therapist.
            usual = [
                url.format(first=first + datetime.timedelta(days=offset), one=one)
                for offset in (0, 3, 7)
                for one in ("", f"&therapist={therapists[0]}")
            ]
            # Every request a different question (first day x therapist): the cost of computing it.
            distinct = [
                url.format(first=first + datetime.timedelta(days=offset), one=one)
                for one in ("", *(f"&therapist={pk}" for pk in therapists))
                for offset in range(25)
            ]
            for each in usual * 10:
                timed_get(each)  # every worker's first requests load code and fill caches: not measured
            results, elapsed, cpu = load(usual, server=server)
            slots = json.loads(urllib.request.urlopen(usual[0]).read())
            starts = sum(len(day["starts"]) for day in slots["days"])
            report("public-availability-api-14-days", results, elapsed, 200, starts=starts, **cpu, **common)
            results, elapsed, cpu = load(distinct, server=server, distinct=True)
            report("public-availability-api-14-days-distinct-questions", results, elapsed, 200, **cpu, **common)

            page = [
                f"{base}/book/{berlin.pk}/?service={routine.slug}&minutes=60&therapist=any"
                f"&date={first + datetime.timedelta(days=offset)}"
                for offset in range(7)
            ]
            probe = timed_get(page[0])[1]
            for each in page * 5:
                timed_get(each)  # as above
            if probe == 200:
                results, elapsed, cpu = load(page, server=server)
                report("public-booking-day-page", results, elapsed, 200, **cpu, **common)
            else:
                print(json.dumps({"case": "public-booking-day-page", "skipped": f"the page answered {probe}"}))


if __name__ == "__main__":
    main()
