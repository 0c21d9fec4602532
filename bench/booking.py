"""Bookings per second through the HTTP API: gunicorn on the configured
database, 4 concurrent clients, non-conflicting bookings (target: p95 under
100 ms).

Two locations of one business, Berlin and London; every therapist works at
both, and each client books alternately at one and the other (``?location=``
and a room there), so every booking checks the therapist's sessions at the
other location and the travel time between them."""

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
    from django.test import RequestFactory

    from routines.models import RoutineTemplate
    from salon.roles import Role
    from salon.services import auth_token_obtain
    from tests.factories import TEST_PASSWORD, UserFactory, works_every_day
    from tests.scenario import salon_scenario

    all_day = (datetime.time(0), datetime.time(23, 59))
    scene = salon_scenario(
        name="Berlin",
        min_notice_minutes=0,
        opens=all_day[0],
        closes=all_day[1],
        works=all_day,
        therapists=[f"Therapist {number}" for number in range(CLIENTS)],
        rooms=[f"Room {number}" for number in range(CLIENTS)],
        clients=[f"Client {number}" for number in range(CLIENTS)],
    )
    london, london_rooms = scene.location_add(
        name="London", time_zone="Europe/London", rooms=[f"Room {number}" for number in range(CLIENTS)],
        opens=all_day[0], closes=all_day[1], min_notice_minutes=0, booking_horizon_days=400, phone_region="GB",
    )  # fmt: skip
    for therapist in scene.therapists:
        therapist.user.locations.add(london)
        works_every_day(therapist, *all_day, salon=london)
    locations = [(scene.salon.pk, scene.salon.zone), (london.pk, london.zone)]
    lanes = [
        (therapist.pk, (room.pk, london_room.pk), client.pk)
        for therapist, room, london_room, client in zip(
            scene.therapists, scene.rooms, london_rooms, scene.clients, strict=True
        )
    ]
    UserFactory(username="bench-desk", roles=[Role.RECEPTIONIST])
    request = RequestFactory().post("/api/v1/auth/token/")
    _, token = auth_token_obtain(username="bench-desk", password=TEST_PASSWORD, request=request)
    routine = RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True)
    return locations, routine.pk, lanes, token


def main() -> None:
    with scratch_database():
        from django.db import connection

        locations, routine, lanes, token = fill()
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
                therapist, rooms, client = lanes[lane]
                results = []
                for number in range(BOOKINGS_PER_CLIENT):
                    # Every 3 hours, Berlin and London in turn: at least 2 hours apart, with the travel time.
                    location, zone = locations[number % 2]
                    day = first_day + datetime.timedelta(days=number // 8)
                    start = datetime.datetime.combine(day, datetime.time(1 + 3 * (number % 8)), tzinfo=zone)
                    body = json.dumps(
                        {"client": client, "routine": routine, "start": start.isoformat(), "therapist": therapist,
                         "room": rooms[number % 2]}
                    ).encode()  # fmt: skip
                    request = urllib.request.Request(
                        f"{base}/api/v1/appointments/?location={location}",
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
                    "locations": len(locations),
                    "database": connection.vendor,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
