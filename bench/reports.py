"""The managers' report for a year of a busy location: 20 therapists, 8
rooms, ~100,000 appointments and ~50,000 feedback rows (target: median under
300 ms, a fixed number of queries). Cases: the page for the whole year and
for one month, and the therapists' CSV for the year.

The appointments are written in bulk (the booking service would take an
hour): every day from 08:00, a 20-minute session a room every 20 minutes,
each slot's therapist different from the others at that time; 3,000
clients; statuses and prices vary, every other completed session has
feedback.
``BENCH_REPORT_APPOINTMENTS`` sets how many (default 100,000);
``BENCH_PROFILE=1`` prints each query of one year's page with its time (and
the plan of any over 100 ms) instead of the figures.
"""

import datetime
import os

from bench.harness import measure, scratch_database

APPOINTMENTS = int(os.environ.get("BENCH_REPORT_APPOINTMENTS", "100000"))
THERAPISTS, ROOMS, MINUTES, CLIENTS = 20, 8, 20, 3000
STATUSES = ("completed",) * 14 + ("cancelled", "no_show", "booked")


def main() -> None:
    with scratch_database():
        from django.db import connection
        from django.test import Client as Browser

        from clients.models import Client
        from routines.models import RoutineTemplate
        from salon.roles import Role
        from sessions.models import Appointment, Feedback
        from tests.factories import UserFactory
        from tests.helpers import sign_in
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
        first_day = datetime.date.today().replace(month=1, day=1) - datetime.timedelta(days=365)
        days = -(-APPOINTMENTS // per_day)
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
            [Feedback(appointment=appointment, overall=1 + index % 5) for index, appointment in enumerate(completed)][
                ::2
            ],
            batch_size=5000,
        )
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
        if os.environ.get("BENCH_PROFILE"):
            import time

            def timed(execute, sql, params, many, context):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    elapsed = (time.perf_counter() - started) * 1000
                    print(f"{elapsed:8.1f} ms  {sql[:150]}")
                    if elapsed > 100 and sql.startswith("SELECT"):
                        with connection.cursor() as cursor:
                            cursor.execute("EXPLAIN ANALYZE " + sql, params)
                            print("\n".join(row[0] for row in cursor.fetchall()))

            with connection.execute_wrapper(timed):
                page.get("/reports/", year)
            return
        measure("reports_page_year", lambda: page.get("/reports/", year), repeat=5, warmup=1, **extra)
        measure("reports_page_month", lambda: page.get("/reports/", month), repeat=10, warmup=1, **extra)
        measure("reports_csv_therapists_year", lambda: page.get("/reports/therapists.csv", year), repeat=5, warmup=1)


if __name__ == "__main__":
    main()
