"""The managers' report for a year of a busy location: 20 therapists, 8
rooms, ~100,000 appointments and ~50,000 feedback rows (target: median under
300 ms, a fixed number of queries). Cases: the page for the whole year and
for one month, the therapists' CSV for the year, and the CPU a year's page
costs (Python's and PostgreSQL's, on PostgreSQL). Run it as
``DATABASE_URL=… scripts/testenv.py -m bench.reports``.

The appointments are written in bulk (the booking service would take an
hour): every day from 08:00, a 20-minute session a room every 20 minutes,
each slot's therapist different from the others at that time; 3,000
clients; statuses and prices vary, three in five completed sessions have
feedback.
``BENCH_REPORT_APPOINTMENTS`` sets how many (default 100,000);
``BENCH_PROFILE=1`` prints each query of one year's page with its time (and
the plan of any over 100 ms) instead of the figures; ``BENCH_PROFILE=explain``
the plan of every query and its server time (the least of five runs, a
steadier figure than the page's on a busy machine), ``BENCH_PROFILE=cpu`` a
cProfile of the page (sorted by ``BENCH_SORT``, cumulative time unless
told). ``BENCH_KEEP_DATABASE=1`` keeps the filled database (``test_`` and
DATABASE_URL's name, migrated anew each run) and fills it only when empty,
for runs one after another.

``BENCH_REPORT_SCALE=load`` times instead the managers' pages at
``bench.load``'s scale (its ``fill``: 20 therapists at two locations, a
month of bookings, 2,000 clients, and the health-data log its therapists
leave, ``BENCH_LOAD_LOG_VIEWS`` entries): this week's and this month's
report, the access log and the staff page, each with its queries and its
CPU (Python's and PostgreSQL's), rendered as in production; the mixed
load's target of a p95 under 150 ms leaves these pages a few tens of
milliseconds of CPU on a machine the whole load shares. There
``BENCH_PROFILE=cpu`` prints a cProfile of the page ``BENCH_CASE`` (0–3, in
that order; ``BENCH_CLOCK=cpu`` for CPU time), ``BENCH_SNAPSHOT=<folder>``
writes the pages in English and German to compare before and after a
change, and ``BENCH_KEEP_DATABASE=1`` keeps its own filled database
(``_load`` after the name).
"""

import datetime
import os
from contextlib import contextmanager

from bench.harness import cpu_profile_print, measure, scratch_database

APPOINTMENTS = int(os.environ.get("BENCH_REPORT_APPOINTMENTS", "100000"))
THERAPISTS, ROOMS, MINUTES, CLIENTS = 20, 8, 20, 3000
STATUSES = ("completed",) * 14 + ("cancelled", "no_show", "booked")


@contextmanager
def _database(kept_as: str = ""):
    """The scratch database, or with BENCH_KEEP_DATABASE the kept one
    (``kept_as`` ends its name, for a scale of its own)."""
    if not os.environ.get("BENCH_KEEP_DATABASE"):
        with scratch_database():
            yield
        return
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    if kept_as:
        test = connection.settings_dict["TEST"]
        test["NAME"] = f"{test.get('NAME') or 'test_' + connection.settings_dict['NAME']}_{kept_as}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=True)
    yield


def _fill(first_day: datetime.date) -> None:
    from clients.models import Client
    from routines.models import RoutineTemplate
    from sessions.models import Appointment, Feedback
    from tests.scenario import salon_scenario

    scene = salon_scenario(
        therapists=[f"Therapist {number:02d}" for number in range(THERAPISTS)],
        rooms=[f"Room {number}" for number in range(ROOMS)],
        works=(datetime.time(8), datetime.time(20)),
        currency="EUR",
    )
    routine = RoutineTemplate.objects.filter(is_current=True).order_by("slug").first()
    # Clients written in bulk too: the report reads only who came when.
    clients = Client.objects.bulk_create(
        [
            Client(
                business=scene.salon.business,
                given_name="Client",
                family_name=f"{number:05d}",
                email=f"client{number}@example.com",
            )
            for number in range(CLIENTS)
        ]
    )
    per_day = ROOMS * (12 * 60 // MINUTES)
    rows = []
    for number in range(APPOINTMENTS):
        day = first_day + datetime.timedelta(days=number // per_day)
        slot = number % per_day
        start = scene.at(day, 8) + datetime.timedelta(minutes=MINUTES * (slot // ROOMS))
        end = start + datetime.timedelta(minutes=MINUTES)
        status = STATUSES[number % len(STATUSES)]
        rows.append(
            Appointment(
                client=clients[number * 7919 % CLIENTS], therapist=scene.therapists[slot % THERAPISTS],
                room=scene.rooms[slot % ROOMS], routine=routine, start=start, end=end, busy_until=end,
                status=status, price_minor=6500 + 500 * (number % 3), currency="EUR",
                cancelled_late=number % 2 == 0,
            )
        )  # fmt: skip
    made = Appointment.objects.bulk_create(rows, batch_size=5000)
    completed = [appointment for appointment in made if appointment.status == "completed"]
    Feedback.objects.bulk_create(
        [
            Feedback(appointment=appointment, overall=1 + index % 5)
            for index, appointment in enumerate(completed)
            if index % 5 < 3  # three in five: about 50,000 of the year's 82,000 completed sessions
        ],
        batch_size=5000,
    )


# Viewed screening answers a therapist's session page logs during bench.load's
# two minutes (18 therapists, a session page every few seconds), written
# before the pages are timed: the log the access-log page reads by then.
LOAD_LOG_VIEWS = int(os.environ.get("BENCH_LOAD_LOG_VIEWS", "800"))
LOAD_PAGES = {
    "reports_page_this_week_load": "/reports/",
    "reports_page_this_month_load": "/reports/?period=this_month",
    "manage_access_log_page_load": "/manage/access-log/",
    "manage_staff_page_load": "/manage/staff/",
}


def _log_views(views: int) -> None:
    """``views`` entries of therapists viewing screening answers, spread over
    the last hours, as bench.load's therapists leave them."""
    from django.utils import timezone

    from clients.models import HealthDataAccess
    from sessions.models import Appointment

    seen = list(
        Appointment.objects.filter(status=Appointment.Status.CHECKED_IN)
        .order_by("pk")
        .values_list("client_id", "therapist__user_id", "therapist__user__username")
    )
    now = timezone.now()
    entries = HealthDataAccess.objects.bulk_create(
        HealthDataAccess(client_id=client, client_label=str(client), user_id=user, actor=username,
                         action=HealthDataAccess.Action.VIEW)
        for client, user, username in (seen[number % len(seen)] for number in range(views))
    )  # fmt: skip
    for number, entry in enumerate(entries):  # auto_now_add wrote one time for all
        entry.at = now - datetime.timedelta(seconds=7 * (views - number))
    HealthDataAccess.objects.bulk_update(entries, ["at"], batch_size=1000)


def load_scale() -> None:
    """The managers' pages at bench.load's scale: each page's time, queries
    and CPU (Python's and PostgreSQL's), rendered without the test
    environment's template instrumentation, as in production.
    ``BENCH_PROFILE=cpu`` prints a cProfile of the page ``BENCH_CASE`` (an
    index into LOAD_PAGES, 0 unless told) instead; ``BENCH_SNAPSHOT=<folder>``
    writes the pages in English and German there, to compare before and after."""
    with _database(kept_as="load"):
        from pathlib import Path

        from django.db import connection
        from django.test import Client as Browser

        from bench.availability import THERAPISTS
        from bench.day_view import templates_uninstrumented
        from bench.harness import without_csrf
        from bench.load import fill, staff_mix
        from salon.models import User
        from tests.helpers import sign_in

        if not User.objects.filter(username="load-manager-0").exists():
            fill(staff_mix(30, THERAPISTS))
            _log_views(LOAD_LOG_VIEWS)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        manager = User.objects.get(username="load-manager-0")
        page = Browser()
        sign_in(page, manager)
        for path in LOAD_PAGES.values():
            assert page.get(path).status_code == 200, path
        with templates_uninstrumented():
            snapshot = os.environ.get("BENCH_SNAPSHOT")
            if snapshot:
                spoken = manager.language
                for language in ("en", "de"):
                    manager.language = language
                    manager.save(update_fields=["language"])
                    for case, path in LOAD_PAGES.items():
                        Path(snapshot, f"{case}_{language}.html").write_bytes(without_csrf(page.get(path).content))
                manager.language = spoken
                manager.save(update_fields=["language"])
                return
            if os.environ.get("BENCH_PROFILE") == "cpu":
                path = list(LOAD_PAGES.values())[int(os.environ.get("BENCH_CASE", 0))]
                cpu_profile_print(lambda: page.get(path))
                return
            for case, path in LOAD_PAGES.items():
                measure(case, lambda path=path: page.get(path), repeat=30, warmup=3)
                if connection.vendor == "postgresql":
                    cpu_per_page(f"{case}_cpu", lambda path=path: page.get(path), repeat=20)


def main() -> None:
    if os.environ.get("BENCH_REPORT_SCALE") == "load":
        load_scale()
        return
    with _database():
        from django.db import connection
        from django.test import Client as Browser

        from salon.roles import Role
        from sessions.models import Appointment, Feedback
        from tests.factories import UserFactory
        from tests.helpers import sign_in

        per_day = ROOMS * (12 * 60 // MINUTES)
        first_day = datetime.date.today().replace(month=1, day=1) - datetime.timedelta(days=365)
        days = -(-APPOINTMENTS // per_day)
        if not Appointment.objects.exists():
            _fill(first_day)
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: without statistics the planner takes the tables for empty.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        manager = UserFactory(roles=[Role.MANAGER])
        page = Browser()
        sign_in(page, manager)
        last_day = first_day + datetime.timedelta(days=days - 1)
        year = {"period": "custom", "first_day": first_day.isoformat(), "last_day": last_day.isoformat()}
        month_end = first_day + datetime.timedelta(days=30)
        month = {"period": "custom", "first_day": first_day.isoformat(), "last_day": month_end.isoformat()}
        assert page.get("/reports/", year).status_code == 200
        extra = {"appointments": APPOINTMENTS, "feedback": Feedback.objects.count(), "days": days}
        profile = os.environ.get("BENCH_PROFILE")
        if profile == "cpu":
            cpu_profile_print(lambda: page.get("/reports/", year), warm=0, runs=1)
            return
        if profile:
            import time

            def timed(execute, sql, params, many, context):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    elapsed = (time.perf_counter() - started) * 1000
                    print(f"{elapsed:8.1f} ms  {sql[:150]}")
                    if (elapsed > 100 or profile == "explain") and sql.lstrip("(").startswith("SELECT"):
                        with connection.cursor() as cursor:
                            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                            print("\n".join(row[0] for row in cursor.fetchall()))
                            # The server's time without the clock reads of each row: the least of five.
                            times = []
                            for _ in range(5):
                                cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, params)
                                times.append(cursor.fetchone()[0][0]["Execution Time"])
                            print(f"server time, least of five: {min(times):.1f} ms")

            with connection.execute_wrapper(timed):
                page.get("/reports/", year)
            return
        measure("reports_page_year", lambda: page.get("/reports/", year), repeat=5, warmup=1, **extra)
        measure("reports_page_month", lambda: page.get("/reports/", month), repeat=10, warmup=1, **extra)
        measure("reports_csv_therapists_year", lambda: page.get("/reports/therapists.csv", year), repeat=5, warmup=1)
        if connection.vendor == "postgresql":
            cpu_per_page("reports_page_year_cpu", lambda: page.get("/reports/", year))


def cpu_per_page(case: str, action, repeat: int = 5) -> None:
    """CPU a page costs, Python's (this process) and PostgreSQL's (its
    backend, with parallel query off so that no worker takes a share): on
    a busy machine a steadier figure than the latency, which waits for the
    cores."""
    import json
    import time
    from pathlib import Path

    from django.db import connection

    ticks = os.sysconf("SC_CLK_TCK")

    def backend_seconds(pid: int) -> float:
        # /proc/<pid>/stat: utime and stime are fields 11 and 12 after the command's closing bracket.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    action()
    server, python = backend_seconds(backend), time.process_time()
    for _ in range(repeat):
        action()
    server, python = backend_seconds(backend) - server, time.process_time() - python
    with connection.cursor() as cursor:
        cursor.execute("RESET max_parallel_workers_per_gather")
    per_page = lambda seconds: round(seconds / repeat * 1000, 1)  # noqa: E731
    print(json.dumps({"case": case, "python_cpu_ms": per_page(python), "postgresql_cpu_ms": per_page(server),
                      "runs": repeat}), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
