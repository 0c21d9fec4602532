"""Bookings per second through the HTTP API: gunicorn on the configured
database, 4 concurrent clients, non-conflicting bookings (target: p95 under
100 ms)."""

import datetime
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.harness import scratch_database
from config.env import database_url_for

CLIENTS = 4
BOOKINGS_PER_CLIENT = 50
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fill():
    from routines.models import RoutineTemplate
    from salon.roles import Role
    from salon.services import auth_token_obtain
    from tests.factories import TEST_PASSWORD, UserFactory
    from tests.scenario import salon_scenario

    all_day = (datetime.time(0), datetime.time(23, 59))
    scene = salon_scenario(
        name="Bench",
        min_notice_minutes=0,
        opens=all_day[0],
        closes=all_day[1],
        works=all_day,
        therapists=[f"Therapist {number}" for number in range(CLIENTS)],
        rooms=[f"Room {number}" for number in range(CLIENTS)],
        clients=[f"Client {number}" for number in range(CLIENTS)],
    )
    salon = scene.salon
    lanes = [
        (therapist.pk, room.pk, client.pk)
        for therapist, room, client in zip(scene.therapists, scene.rooms, scene.clients, strict=True)
    ]
    UserFactory(username="bench-desk", roles=[Role.RECEPTIONIST])
    token = auth_token_obtain(username="bench-desk", password=TEST_PASSWORD).key
    routine = RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True)
    return salon, routine.pk, lanes, token


def main() -> None:
    with scratch_database():
        from django.db import connection

        salon, routine, lanes, token = fill()
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url_for(connection.settings_dict),
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "4", "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            first_day = datetime.date.today() + datetime.timedelta(days=2)

            def book(lane: int) -> list[tuple[float, int]]:
                therapist, room, client = lanes[lane]
                results = []
                for number in range(BOOKINGS_PER_CLIENT):
                    day = first_day + datetime.timedelta(days=number // 8)
                    start = datetime.datetime.combine(day, datetime.time(1 + 3 * (number % 8)), tzinfo=salon.zone)
                    body = json.dumps(
                        {"client": client, "routine": routine, "start": start.isoformat(), "therapist": therapist,
                         "room": room}
                    ).encode()  # fmt: skip
                    request = urllib.request.Request(
                        f"{base}/api/v1/appointments/",
                        data=body,
                        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
                    )
                    began = time.perf_counter()
                    try:
                        with urllib.request.urlopen(request, timeout=30) as response:
                            status = response.status
                    except urllib.error.HTTPError as error:
                        status = error.code
                    results.append(((time.perf_counter() - began) * 1000, status))
                return results

            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                results = [item for lane in pool.map(book, range(CLIENTS)) for item in lane]
            elapsed = time.perf_counter() - began
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

        latencies = sorted(latency for latency, _ in results)
        created = sum(1 for _, status in results if status == 201)
        print(
            json.dumps(
                {
                    "case": f"booking-api-{connection.vendor}",
                    "median_ms": round(statistics.median(latencies), 2),
                    "p50_ms": round(statistics.median(latencies), 2),
                    "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 2),
                    "bookings_per_second": round(created / elapsed, 1),
                    "requests": len(results),
                    "created": created,
                    "concurrent_clients": CLIENTS,
                    "gunicorn_workers": 4,
                    "database": connection.vendor,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
