"""A mixed load of staff against the whole system: gunicorn (the production
settings of ``config.gunicorn``), the configured database, Redis, one
Celery worker and beat, which sends the due messages every second (targets:
no errors, no double bookings, p95 under 150 ms for every page and
endpoint).

The data is ``bench.availability``'s (Berlin and London, 20 therapists
granted both, 2,400 bookings over 30 days) with 2,000 clients to search and,
for each therapist, today's sessions already checked in. Each simulated
member of staff is a thread that waits a think time between requests
(uniform between half and one and a half times ``BENCH_THINK_MS``) and stops
at the deadline:

- receptionists open the desk of a day, search clients, ask for the free
  times of a day at one location and book one of them for a client found;
  now and then they move one of their bookings to another day's free time,
  or cancel one (API calls with a token, pages with a session);
- therapists open "my day" (the page, and the API every other turn), open
  their next checked-in session, start it and complete it with notes;
- managers read the reports of this week and this month, the access log,
  the staff page, the rotas and a day's appointments.

A 409 from a booking or a move whose time was taken a moment before by
another receptionist is the right answer and counted as ``conflicts``;
every other answer that is not the expected one (a 5xx, a redirect to the
login, a refusal, no answer) is an error. After the run a query looks for
overlapping appointments that hold time, per therapist and per room.

Prints one JSON line per page or endpoint (``requests_per_second``,
``p50_ms``, ``p95_ms``, ``p99_ms``, ``errors``) and a summary line. Only
loopback is called; the run is bounded by ``BENCH_SECONDS`` and by a cap on
requests per member of staff. Settings (environment): ``BENCH_USERS`` (30),
``BENCH_SECONDS`` (120), ``BENCH_THINK_MS`` (1000; 0 for no think time),
``BENCH_WORKERS`` (gunicorn's workers; production's number by default), and
``BENCH_CACHE_URL`` (default: the broker's Redis when it is Redis, else each
web worker its own memory). Run with ``scripts/testenv.py -m bench.load``.
"""

import datetime
import json
import logging
import math
import os
import platform
import random
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote

from bench.client_search import FAMILY, GIVEN
from bench.dispatch import start_worker
from bench.harness import group_cpu_seconds, scratch_database, serving
from config import gunicorn as gunicorn_config
from config.env import database_url_for
from tests.helpers import start_celery

USERS = int(os.environ.get("BENCH_USERS", "30"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "120"))
THINK_MS = float(os.environ.get("BENCH_THINK_MS", "1000"))
WORKERS = int(os.environ.get("BENCH_WORKERS") or gunicorn_config.workers)
CLIENTS = 2000
BOOKABLE_DAYS = 14
# A full day's work: a therapist runs them all in the first minute or so,
# then reads their day and sessions back.
SESSIONS_PER_THERAPIST = 8
TARGET_P95_MS = 150
# A member of staff who never waits sends at most a few requests a second.
MAX_REQUESTS_PER_USER = int(SECONDS * 20)


def staff_mix(users: int, therapists: int) -> dict[str, int]:
    """A tenth managers, three tenths receptionists, the rest therapists (as
    many as there are); anyone left over works at the desk."""
    managers = max(1, round(users / 10))
    receptionists = max(1, round(users * 3 / 10))
    working = max(0, min(therapists, users - managers - receptionists))
    return {"manager": managers, "receptionist": users - managers - working, "therapist": working}


def fill(mix: dict[str, int]) -> dict:
    """The locations, clients, today's checked-in sessions and the staff with
    what they sign in with (a session cookie for the pages, a token for the
    API; managers, who owe a second factor, use their session for both)."""
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.test import Client as Browser
    from django.test import RequestFactory

    from bench.availability import fill as fill_locations
    from clients.models import Client
    from clients.search import name_keys
    from salon.models import Room, Therapist
    from salon.roles import Role
    from salon.services import auth_token_obtain
    from sessions.models import Appointment
    from tests.factories import TEST_PASSWORD, UserFactory, screening_for
    from tests.helpers import sign_in

    locations, routine, first, counts = fill_locations()
    berlin = locations[0]
    rng = random.Random(20)
    clients = Client.objects.bulk_create(
        Client(business=berlin.business, given_name=given, family_name=family, email=f"load{number}@example.com",
               **name_keys(given, family))
        for number, (given, family) in enumerate((rng.choice(GIVEN), rng.choice(FAMILY)) for _ in range(CLIENTS))
    )  # fmt: skip

    # Today's sessions, back to back from 8:00 in Berlin, each therapist in a
    # room of their own; written as rows, already checked in, since check-in
    # is the desk's and opens only shortly before the start.
    today = datetime.datetime.now(berlin.zone).date()
    eight = datetime.datetime.combine(today, datetime.time(8), tzinfo=berlin.zone)
    length, busy = datetime.timedelta(minutes=60), datetime.timedelta(minutes=75)  # as bench.availability books
    per_therapist = SESSIONS_PER_THERAPIST
    therapists = list(Therapist.objects.filter(business=berlin.business).select_related("user").order_by("pk"))
    rooms = list(Room.objects.filter(salon=berlin).order_by("pk"))
    todays = []
    for index, therapist in enumerate(therapists[: mix["therapist"]]):
        for turn in range(per_therapist):
            client = clients[index * per_therapist + turn]
            screening_for(client)  # a healthy client, so the plan allows the routine
            start = eight + turn * busy
            todays.append(
                Appointment(client=client, therapist=therapist, room=rooms[index], routine=routine, start=start,
                            end=start + length, busy_until=start + busy, status=Appointment.Status.CHECKED_IN)
            )  # fmt: skip
    Appointment.objects.bulk_create(todays)

    token_request = RequestFactory().post("/api/v1/auth/token/")
    logging.getLogger("salon.security").setLevel(logging.WARNING)  # sixty sign-in lines would bury the results
    therapist_role = Group.objects.get(name=Role.THERAPIST.value)

    def signed_in(user, *, token: bool) -> dict:
        browser = Browser()
        sign_in(browser, user)
        credentials = {
            "cookie": f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
        }
        if token:
            _, secret = auth_token_obtain(username=user.username, password=TEST_PASSWORD, request=token_request)
            credentials["token"] = secret
        return credentials

    staff = []
    for number in range(mix["receptionist"]):
        user = UserFactory(username=f"load-desk-{number}", roles=[Role.RECEPTIONIST])
        staff.append({"kind": "receptionist", **signed_in(user, token=True)})
    for therapist in therapists[: mix["therapist"]]:
        therapist.user.set_password(TEST_PASSWORD)
        therapist.user.save(update_fields=["password"])
        therapist.user.groups.add(therapist_role)
        sessions = [each.pk for each in todays if each.therapist_id == therapist.pk]
        staff.append({"kind": "therapist", "sessions": sessions, **signed_in(therapist.user, token=True)})
    for number in range(mix["manager"]):
        user = UserFactory(username=f"load-manager-{number}", roles=[Role.MANAGER])
        staff.append({"kind": "manager", **signed_in(user, token=False)})
    return {
        "locations": [location.pk for location in locations],
        "routine": routine.pk,
        "first": first,
        "bookings": counts["Berlin"] + counts["London"],
        "clients": [client.pk for client in clients],
        "therapists": [therapist.pk for therapist in therapists],
        "sessions_today": len(todays),
        "staff": staff,
    }


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to measure (to the login it is an error), not
    something to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Staff:
    """One member of staff: sends requests, records each one's time and
    outcome, and thinks in between."""

    def __init__(self, base: str, credentials: dict, deadline: float, seed: int):
        self.base = base
        self.credentials = credentials
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.records: list[tuple[str, float, int, str]] = []  # endpoint, ms, status, outcome
        self.problems: list[str] = []
        self.done = defaultdict(int)

    def busy(self) -> bool:
        return time.monotonic() < self.deadline and len(self.records) < MAX_REQUESTS_PER_USER

    def think(self) -> None:
        if THINK_MS:
            pause = THINK_MS / 1000 * self.rng.uniform(0.5, 1.5)
            time.sleep(max(0.0, min(pause, self.deadline - time.monotonic())))

    def call(self, endpoint: str, path: str, *, body: dict | None = None, ok=(200,), conflict_ok: bool = False):
        """The answer's JSON (or None) when it was an expected one."""
        api = path.startswith("/api/")
        headers = {"Accept": "application/json" if api else "text/html"}
        if api and "token" in self.credentials:
            headers["Authorization"] = f"Token {self.credentials['token']}"
        else:
            headers["Cookie"] = self.credentials["cookie"]
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        began = time.perf_counter()
        try:
            with OPENER.open(request, timeout=30) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        except OSError as error:
            status, content = 0, str(error).encode()
        elapsed = (time.perf_counter() - began) * 1000
        if status in ok:
            outcome = "ok"
        elif status == 409 and conflict_ok:
            outcome = "conflict"
        else:
            outcome = "error"
            if len(self.problems) < 3:
                self.problems.append(f"{endpoint} {status}: {content[:200].decode(errors='replace')}")
        self.records.append((endpoint, elapsed, status, outcome))
        if outcome == "ok" and api:
            return json.loads(content) if content else {}
        return None


def receptionist(member: Staff, data: dict) -> None:
    routine, own = data["routine"], []
    while member.busy():
        day = data["first"] + datetime.timedelta(days=member.rng.randrange(BOOKABLE_DAYS))
        location = member.rng.choice(data["locations"])
        member.call("desk_page", f"/desk/?date={day}&service={routine}")
        member.think()
        prefix = quote(member.rng.choice(FAMILY)[:4])
        found = member.call("api_clients_search", f"/api/v1/clients/?q={prefix}&location={location}")
        results = (found or {}).get("results", [])
        client = results[0]["id"] if results else member.rng.choice(data["clients"])
        member.think()
        slots = free_times(member, location, routine, day)
        member.think()
        if slots and member.busy():
            slot = member.rng.choice(slots)
            booked = member.call(
                "api_book", f"/api/v1/appointments/?location={location}", ok=(201,), conflict_ok=True,
                body={"client": client, "routine": routine, "start": slot["start"], "therapist": slot["therapist"],
                      "room": slot["room"]},
            )  # fmt: skip
            if booked:
                own.append((booked["id"], location))
                member.done["booked"] += 1
            member.think()
        if own and member.rng.random() < 1 / 3 and member.busy():
            pk, where = member.rng.choice(own)
            other = data["first"] + datetime.timedelta(days=member.rng.randrange(BOOKABLE_DAYS))
            slots = free_times(member, where, routine, other)
            member.think()
            if slots and member.busy():
                slot = member.rng.choice(slots)
                moved = member.call(
                    "api_move", f"/api/v1/appointments/{pk}/reschedule/", conflict_ok=True,
                    body={"start": slot["start"], "therapist": slot["therapist"], "room": slot["room"]},
                )  # fmt: skip
                member.done["moved"] += moved is not None
                member.think()
        if own and member.rng.random() < 1 / 4 and member.busy():
            pk, _ = own.pop(member.rng.randrange(len(own)))
            cancelled = member.call(
                "api_cancel", f"/api/v1/appointments/{pk}/cancel/", body={"reason": "Client called"}
            )
            member.done["cancelled"] += cancelled is not None
            member.think()


def free_times(member: Staff, location: int, routine: int, day: datetime.date) -> list[dict]:
    answer = member.call(
        "api_availability", f"/api/v1/availability/?routine={routine}&start={day}&end={day}&location={location}"
    )
    return (answer or {}).get("slots", [])


def therapist(member: Staff, data: dict) -> None:
    waiting, last, turn = list(member.credentials["sessions"]), None, 0
    while member.busy():
        member.call("my_day_page", "/my-day/")
        member.think()
        if turn % 2 and member.busy():
            member.call("api_day", "/api/v1/day/")
            member.think()
        turn += 1
        if not member.busy():
            break
        if not waiting:  # the day's work done: reading back the last session
            member.call("session_page", f"/sessions/{last}/")
            member.think()
            continue
        last = waiting.pop(0)
        member.call("session_page", f"/sessions/{last}/")
        member.think()
        if member.call("api_session_start", f"/api/v1/appointments/{last}/start/", body={}) is None:
            continue
        member.think()
        notes = {"work_done": "Classic back massage as planned.", "advice": "Stretch the shoulders daily."}
        if member.call("api_session_complete", f"/api/v1/appointments/{last}/complete/", body=notes) is not None:
            member.done["sessions_run"] += 1
        member.think()


def manager(member: Staff, data: dict) -> None:
    pages = [
        ("reports_page_this_week", lambda: "/reports/"),
        ("reports_page_this_month", lambda: "/reports/?period=this_month"),
        ("manage_access_log_page", lambda: "/manage/access-log/"),
        ("manage_staff_page", lambda: "/manage/staff/"),
        ("manage_rotas_page", lambda: "/manage/rotas/"),
        (
            "api_appointments_of_a_day",
            lambda: f"/api/v1/appointments/?date={data['first']}&location={member.rng.choice(data['locations'])}",
        ),
    ]
    while member.busy():
        endpoint, path = member.rng.choice(pages)
        member.call(endpoint, path())
        member.think()


ROLES = {"receptionist": receptionist, "therapist": therapist, "manager": manager}


def work(member: Staff, data: dict) -> None:
    """A member of staff's day; a failure in the simulation itself ends it
    as an error, not as a quietly shorter run."""
    try:
        ROLES[member.credentials["kind"]](member, data)
    except Exception as error:
        member.records.append(("simulation_failed", 0.0, 0, "error"))
        member.problems.append(f"simulation failed: {type(error).__name__}: {error}")


def nearest_rank(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def double_bookings() -> dict[str, int]:
    """Appointments that hold time and overlap another of the same therapist
    (or room): what the exclusion constraints and the booking service's
    checks must never let through."""
    from django.db.models import Exists, OuterRef

    from sessions.models import Appointment

    holding = Appointment.objects.filter(status__in=Appointment.HOLDS_TIME)
    found = {}
    for column in ("therapist", "room"):
        overlapping = holding.filter(
            **{column: OuterRef(column)}, start__lt=OuterRef("busy_until"), busy_until__gt=OuterRef("start")
        ).exclude(pk=OuterRef("pk"))
        found[column] = holding.filter(Exists(overlapping)).count()
    return found


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch, scratch_database():
        from django.conf import settings
        from django.db import connection

        from bench.availability import THERAPISTS
        from sessions.models import Notification

        mix = staff_mix(USERS, THERAPISTS)
        data = fill(mix)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        broker = settings.CELERY_BROKER_URL
        cache = os.environ.get("BENCH_CACHE_URL", broker if broker.startswith("redis") else "")
        queue = f"bench-load-{os.getpid()}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url_for(connection.settings_dict),
            "CACHE_URL": cache,
            "TEST_CELERY_QUEUE": queue,  # the web's tasks go to this run's worker
            "WEB_CONCURRENCY": str(WORKERS),
            "LOG_LEVEL": "WARNING",
        }
        worker = start_worker(queue, Path(scratch) / "worker.log")
        # Beat sends the due messages (confirmations, reminders) every second with this run's queue.
        beat = start_celery(["beat", "--schedule", f"{scratch}/beat-schedule"], env=env, log=Path(scratch) / "beat.log")
        try:
            with serving(env, Path(scratch) / "gunicorn.log") as (base, web):
                for _ in range(WORKERS * 2):  # every web worker's first request loads the code
                    urllib.request.urlopen(f"{base}/accounts/login/", timeout=30).read()
                cpu_before = {"web": group_cpu_seconds(web), "worker": group_cpu_seconds(worker.pid)}
                deadline = time.monotonic() + SECONDS
                members = [Staff(base, credentials, deadline, seed) for seed, credentials in enumerate(data["staff"])]
                threads = [threading.Thread(target=work, args=(member, data), daemon=True) for member in members]
                began = time.perf_counter()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=SECONDS + 60)
                elapsed = time.perf_counter() - began
                cpu = {
                    name: None if before is None else round(group_cpu_seconds(group) - before, 1)
                    for (name, before), group in zip(cpu_before.items(), (web, worker.pid), strict=True)
                }
                load_average = [round(value, 2) for value in os.getloadavg()]
        finally:
            for process in (beat, worker):
                process.terminate()
                process.wait(timeout=60)

        report(members, elapsed, data, mix, broker=broker, cache=cache)
        notifications = defaultdict(int)
        for status in Notification.objects.values_list("status", flat=True):
            notifications[status] += 1
        overlaps = double_bookings()
        summary(
            members,
            elapsed,
            data,
            mix,
            overlaps,
            dict(notifications),
            broker=broker,
            cache=cache,
            cpu=cpu,
            load_average=load_average,
        )


def report(members: list[Staff], elapsed: float, data: dict, mix: dict, **extra) -> None:
    by_endpoint = defaultdict(list)
    for member in members:
        for endpoint, ms, status, outcome in member.records:
            by_endpoint[endpoint].append((ms, status, outcome))
    for endpoint, rows in sorted(by_endpoint.items()):
        latencies = sorted(ms for ms, _, _ in rows)
        print(
            json.dumps(
                {
                    "case": f"load-{endpoint}",
                    "requests": len(rows),
                    "requests_per_second": round(len(rows) / elapsed, 2),
                    "p50_ms": round(nearest_rank(latencies, 0.5), 1),
                    "p95_ms": round(nearest_rank(latencies, 0.95), 1),
                    "p99_ms": round(nearest_rank(latencies, 0.99), 1),
                    "max_ms": round(latencies[-1], 1),
                    "errors": sum(1 for _, _, outcome in rows if outcome == "error"),
                    "conflicts": sum(1 for _, _, outcome in rows if outcome == "conflict"),
                    "statuses": sorted({status for _, status, _ in rows}),
                }
            ),
            flush=True,
        )


def summary(members, elapsed, data, mix, overlaps, notifications, *, broker, cache, cpu, load_average) -> None:
    from django.db import connection

    rows = [record for member in members for record in member.records]
    latencies = sorted(ms for _, ms, _, _ in rows)
    worst = defaultdict(list)
    for endpoint, ms, _, _ in rows:
        worst[endpoint].append(ms)
    p95 = {endpoint: nearest_rank(sorted(values), 0.95) for endpoint, values in worst.items()}
    slowest = max(p95, key=p95.get) if p95 else None
    errors = sum(1 for *_, outcome in rows if outcome == "error")
    done = defaultdict(int)
    for member in members:
        for name, count in member.done.items():
            done[name] += count
    print(
        json.dumps(
            {
                "case": f"load-mixed-{USERS}-staff-{SECONDS:g}s-{connection.vendor}",
                "requests": len(rows),
                "requests_per_second": round(len(rows) / elapsed, 1),
                "p50_ms": round(nearest_rank(latencies, 0.5), 1) if rows else None,
                "p95_ms": round(nearest_rank(latencies, 0.95), 1) if rows else None,
                "p99_ms": round(nearest_rank(latencies, 0.99), 1) if rows else None,
                "slowest_endpoint": slowest,
                "slowest_p95_ms": round(p95[slowest], 1) if slowest else None,
                "errors": errors,
                "conflicts": sum(1 for *_, outcome in rows if outcome == "conflict"),
                "double_bookings": overlaps,
                "target_met": errors == 0
                and not any(overlaps.values())
                and bool(p95)
                and max(p95.values()) < TARGET_P95_MS,
                "first_errors": [problem for member in members for problem in member.problems][:5],
                "staff": mix,
                "booked": done["booked"],
                "moved": done["moved"],
                "cancelled": done["cancelled"],
                "sessions_run": done["sessions_run"],
                "sessions_today": data["sessions_today"],
                "notifications": notifications,
                "seconds": round(elapsed, 1),
                "web_cpu_seconds": cpu["web"],
                "web_cpu_ms_per_request": round(cpu["web"] * 1000 / len(rows), 1) if cpu["web"] and rows else None,
                "worker_cpu_seconds": cpu["worker"],
                "load_average_1_5_15": load_average,
                "think_ms": THINK_MS,
                "gunicorn_workers": WORKERS,
                "gunicorn_threads": gunicorn_config.threads,
                "celery_worker": f"prefork, {os.cpu_count()} processes",
                "broker": broker.split("://", 1)[0],
                "cache": cache.split("://", 1)[0] if cache else "memory per worker",
                "bookings_before": data["bookings"],
                "therapists": len(data["therapists"]),
                "clients": CLIENTS,
                "database": connection.vendor,
                "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
