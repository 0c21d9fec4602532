"""Bookings per second through the HTTP API: gunicorn on the configured
database, 4 concurrent clients, non-conflicting bookings (issue 20's target:
200 bookings/s, p95 under 40 ms). Timed after each client's first 8
bookings (``warm_up_bookings``; before 7 December 2026 the clock ran from the
first request): what a worker does once in its life, not once a booking.
Its first booking opens its database connection and prepares the
statements (one worker alone, one client: 42 ms, against 7 ms later), and
PostgreSQL plans each prepared statement afresh for its first five runs on
a connection (about 10 ms a booking until then).

First, in this process, the figures that do not depend on what else the
machine is doing: the queries one booking sends, by phase (auth, input,
locks, checks, plan, booking, history, outbox, render), and the CPU time
this process spends per booking (the database's own time not included;
``gc_ms_per_booking``: the part the garbage collector took),
both through the DRF test client (``--in-process``: only these); the same
for moving those bookings to another day (``reschedule/``) and cancelling
them (``cancel/``), as the desk does in the mixed load. ``BENCH_PROFILE=cpu``
prints a cProfile of one of them instead (``BENCH_CASE``: book, move or
cancel; book unless set; ``BENCH_CLOCK=cpu`` for CPU time alone),
``BENCH_PROFILE=sql`` each query counted with its phase.

Two locations of one business, Berlin and London; every therapist works at
both, and each client books alternately at one and the other (``?location=``
and a room there), so every booking checks the therapist's sessions at the
other location and the travel time between them."""

import datetime
import gc
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
# Booked by each client before the clock starts: 32 in all for the 4 workers (the kernel picks which worker
# takes each connection, so every worker is very likely, not certain, to have served some).
WARM_UP_PER_CLIENT = 8
IN_PROCESS_BOOKINGS = 200
ROOT = Path(__file__).resolve().parent.parent
# The services a request's writes go through: what they send is not the API's.
SERVICES = {"appointment_book", "appointment_reschedule", "appointment_transition"}
PHASES = ("auth", "input", "locks", "checks", "plan", "booking", "history", "outbox", "transaction", "render")


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


def booking_request(lanes, locations, routine, *, lane: int, number: int, first_day: datetime.date):
    """The location and body of client ``lane``'s ``number``th booking:
    every 3 hours, Berlin and London in turn (at least 2 hours apart, with
    the travel time)."""
    therapist, rooms, client = lanes[lane]
    location, zone = locations[number % 2]
    day = first_day + datetime.timedelta(days=number // 8)
    start = datetime.datetime.combine(day, datetime.time(1 + 3 * (number % 8)), tzinfo=zone)
    body = {"client": client, "routine": routine, "start": start.isoformat(), "therapist": therapist,
            "room": rooms[number % 2]}  # fmt: skip
    return location, body


def phase_of(sql: str) -> str:
    """Which part of a booking (move, cancel) request sent ``sql``, from the
    statement and the Python stack that sent it ("booking": the appointment's
    insert or update)."""
    if sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
        return "transaction"
    frames = []
    frame = sys._getframe(1)
    while frame is not None:
        frames.append((frame.f_code.co_filename, frame.f_code.co_name))
        frame = frame.f_back
    files = {name for name, _ in frames}
    functions = {function for _, function in frames}
    if not functions & SERVICES:
        if any(name.endswith(("salon/authentication.py", "salon/roles.py")) or "/knox/" in name for name in files):
            return "auth"
        rendering = {"prefetch_related_objects", "to_representation", "appointment_history_read"}
        return "render" if functions & rendering else "input"
    if " FOR UPDATE" in sql or " FOR SHARE" in sql:
        return "locks"
    if any(name.endswith("sessions/services/outbox.py") for name in files):
        return "outbox"
    if any(name.endswith("sessions/services/plans.py") for name in files) or "client_outcome" in functions:
        return "plan"
    if sql.startswith('INSERT INTO "treatments_appointmentchange"'):
        return "history"
    if sql.startswith(('INSERT INTO "treatments_appointment"', 'UPDATE "treatments_appointment"')):
        return "booking"
    return "checks"


def _counted(action, *, show: bool = False) -> dict:
    """The queries ``action`` sends, by phase (``show``: each printed with its phase)."""
    from django.db import connection

    phases = dict.fromkeys(PHASES, 0)

    def counter(execute, sql, params, many, context):
        phase = phase_of(sql)
        phases[phase] += 1
        if show:
            print(f"{phase:12} {sql[:300]}", flush=True)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        action()
    return phases


def _cpu_ms(action, items) -> tuple[float, float]:
    """This process's CPU time per call of ``action`` over ``items``, and the
    part of it Python's cyclic garbage collector took (a process-wide cost
    that falls on whichever call crosses its threshold)."""
    collecting = {"since": 0.0, "total": 0.0}

    def timed(phase, info):
        if phase == "start":
            collecting["since"] = time.process_time()
        else:
            collecting["total"] += time.process_time() - collecting["since"]

    gc.callbacks.append(timed)
    try:
        began = time.process_time()
        for item in items:
            action(*item)
        spent = time.process_time() - began
    finally:
        gc.callbacks.remove(timed)
    return round(spent * 1000 / len(items), 2), round(collecting["total"] * 1000 / len(items), 2)


def in_process(locations, routine, lanes, token) -> dict:
    """Queries per booking by phase, and this process's CPU time per booking,
    through the DRF test client (days after those the HTTP clients book);
    then the same for moving each of those bookings 60 days on (same time,
    therapist and room) and for cancelling it."""
    from django.db import connection
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    first_day = datetime.date.today() + datetime.timedelta(days=30)
    requests = [(lane, number) for number in range(IN_PROCESS_BOOKINGS // CLIENTS) for lane in range(CLIENTS)]
    booked = {}  # (lane, number) -> (appointment id, booking body)

    def post(address: str, body: dict, expected: int) -> dict:
        response = client.post(address, body, format="json")
        if response.status_code != expected:
            raise SystemExit(f"{address} refused: {response.status_code} {response.content[:300]!r}")
        return response.json()

    def book(lane: int, number: int) -> None:
        location, body = booking_request(lanes, locations, routine, lane=lane, number=number, first_day=first_day)
        booked[lane, number] = post(f"/api/v1/appointments/?location={location}", body, 201)["id"], body

    def move(lane: int, number: int) -> None:
        pk, body = booked[lane, number]
        later = datetime.datetime.fromisoformat(body["start"]) + datetime.timedelta(days=60)
        moved = {"start": later.isoformat(), "therapist": body["therapist"], "room": body["room"]}
        post(f"/api/v1/appointments/{pk}/reschedule/", moved, 200)

    def cancel(lane: int, number: int) -> None:
        post(f"/api/v1/appointments/{booked[lane, number][0]}/cancel/", {"reason": "Client called"}, 200)

    profile, case = os.environ.get("BENCH_PROFILE"), os.environ.get("BENCH_CASE", "book")
    warmup, counted, measured = requests[:CLIENTS], requests[CLIENTS], requests[CLIENTS + 1 :]
    figures = {"case": f"booking-api-in-process-{connection.vendor}"}
    for name, action in (("book", book), ("move", move), ("cancel", cancel)):
        for item in warmup:
            action(*item)
        if profile == "cpu" and name == case:
            from bench.harness import cpu_profile_print

            queue = iter(measured)
            cpu_profile_print(lambda action=action, queue=queue: action(*next(queue)), warm=0, runs=len(measured))
            raise SystemExit(0)
        phases = _counted(lambda action=action: action(*counted), show=profile == "sql")
        noun = {"book": "booking", "move": "move", "cancel": "cancel"}[name]
        figures[f"queries_per_{noun}"] = sum(phases.values())
        figures[f"queries_by_phase{'' if name == 'book' else '_' + name}"] = phases
        began_wall = time.perf_counter()
        figures[f"cpu_ms_per_{noun}"], figures[f"gc_ms_per_{noun}"] = _cpu_ms(action, measured)
        if name == "book":
            figures["wall_ms_per_booking"] = round((time.perf_counter() - began_wall) * 1000 / len(measured), 2)
    return figures | {"bookings": len(measured), "database": connection.vendor}


def main() -> None:
    with scratch_database():
        from django.db import connection

        locations, routine, lanes, token = fill()
        figures = in_process(locations, routine, lanes, token)
        print(json.dumps(figures), flush=True)
        if "--in-process" in sys.argv:
            return  # the query count and CPU time only, without the HTTP run
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url_for(connection.settings_dict),
        }
        # The project's gunicorn settings (plain workers, each warmed and frozen before it serves), with the
        # issue's 4 workers; the access lines, which production writes too, go nowhere.
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn", "--bind", f"127.0.0.1:{port}",
             "--workers", "4", "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
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

            def book(lane: int, numbers: range) -> list[tuple[float, int]]:
                results = []
                for number in numbers:
                    location, body = booking_request(
                        lanes, locations, routine, lane=lane, number=number, first_day=first_day
                    )
                    request = urllib.request.Request(
                        f"{base}/api/v1/appointments/?location={location}",
                        data=json.dumps(body).encode(),
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

            warm_up = range(WARM_UP_PER_CLIENT)
            measured = range(WARM_UP_PER_CLIENT, WARM_UP_PER_CLIENT + BOOKINGS_PER_CLIENT)
            with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                warmed = [item for lane in pool.map(book, range(CLIENTS), [warm_up] * CLIENTS) for item in lane]
                began = time.perf_counter()
                results = [item for lane in pool.map(book, range(CLIENTS), [measured] * CLIENTS) for item in lane]
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
                    "queries_per_booking": figures["queries_per_booking"],
                    "queries_by_phase": figures["queries_by_phase"],
                    "requests": len(results),
                    "created": created,
                    "warm_up_bookings": len(warmed),
                    "warm_up_created": sum(1 for _, status in warmed if status == 201),
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
