"""Availability for 20 therapists over 30 days with 4 bookings per
therapist-day, at two locations of one business in different time zones
(target: median under 10 ms, a fixed number of queries).

Berlin and London; every therapist is granted both. On weekdays they work
mornings in Berlin and afternoons in London (two bookings at each, the
London ones an hour later in Berlin's clock, with time for the journey);
at weekends even-numbered therapists work in Berlin, odd-numbered ones in
London. Availability at one location therefore reads the therapists'
sessions at the other and widens them by the business's travel time. The
rotas are not all alike: half the therapists alternate their weekends
(week A 9–18, week B 8:30–17), and every fourth one's Berlin mornings
change halfway through the range (one rota until a day, the next from the
day after); each location has a closed day and a short day. The query count
is also taken over 1 and 7 days: it must not grow with the number of
bookings or shifts in range. Each case is timed computed (inside a
transaction, where nothing is remembered) and remembered (the same question
again, nothing changed: the stamp's query and the cache). The computed case
also reports the median CPU time of this process per computation
(``cpu_ms``), and that of the PostgreSQL server process answering it
(``database_cpu_ms``, where /proc shows it: the server on this machine): on a
shared machine they tell what the computation costs, which the wall-clock
median alone does not. ``BENCH_PROFILE=cpu`` prints a cProfile
of the computed case instead (Berlin; ``BENCH_CASE=1`` for London), with
``BENCH_CLOCK``, ``BENCH_SORT`` and ``BENCH_LINES`` as in bench.harness.
"""

import datetime
import os
import statistics
import time
from pathlib import Path

from bench.harness import count_queries, cpu_profile_print, measure, scratch_database

THERAPISTS = 20
DAYS = 30
TRAVEL_MINUTES = 30


def fill():
    from clients.models import Client
    from clients.search import name_keys
    from routines.models import RoutineTemplate
    from salon.models import Business, OpeningHours, Room, Salon, Therapist, User, WorkingHours, week_parity
    from sessions.models import Appointment

    business = Business.objects.create(name="Bench", time_zone="Europe/Berlin", travel_minutes=TRAVEL_MINUTES)
    berlin = Salon.objects.create(business=business, name="Berlin", time_zone="Europe/Berlin", min_notice_minutes=0)
    london = Salon.objects.create(business=business, name="London", time_zone="Europe/London", min_notice_minutes=0,
                                  phone_region="GB", currency="GBP")  # fmt: skip
    locations = (berlin, london)
    OpeningHours.objects.bulk_create(
        OpeningHours(salon=location, weekday=day, opens=datetime.time(8), closes=datetime.time(20))
        for location in locations
        for day in range(7)
    )
    rooms = {
        location.pk: Room.objects.bulk_create(
            Room(salon=location, name=f"Room {number:02d}") for number in range(THERAPISTS + 4)
        )
        for location in locations
    }
    therapists = []
    for number in range(THERAPISTS):
        user = User.objects.create(username=f"bench{number}")
        user.locations.add(*locations)
        therapists.append(Therapist.objects.create(business=business, user=user, display_name=f"Therapist {number}"))
    nine, one, six = datetime.time(9), datetime.time(13), datetime.time(18)
    half_past_eight, quarter_past_one, five = datetime.time(8, 30), datetime.time(13, 15), datetime.time(17)
    # Tomorrow at both locations (Berlin's date is the later one): nothing here
    # falls on today, where bench.load writes the sessions the therapists run.
    first = datetime.datetime.now(berlin.zone).date() + datetime.timedelta(days=1)
    # Every fourth therapist's Berlin mornings change halfway through the
    # range: the old rota ends (valid_to), the new one starts the next day.
    change = first + datetime.timedelta(days=DAYS // 2)
    shifts = []

    def shift(therapist, salon, weekday, starts, ends, **rota):
        shifts.append(WorkingHours(therapist=therapist, salon=salon, weekday=weekday, starts=starts, ends=ends, **rota))

    for index, therapist in enumerate(therapists):
        for day in range(5):  # mornings in Berlin, afternoons in London
            if index % 4 == 0:
                shift(therapist, berlin, day, nine, one, valid_to=change - datetime.timedelta(days=1))
                shift(therapist, berlin, day, half_past_eight, quarter_past_one, valid_from=change)
            else:
                shift(therapist, berlin, day, nine, one)
            shift(therapist, london, day, one, six)
        for day in (5, 6):
            location = locations[index % 2]
            if index % 4 < 2:  # half the therapists alternate their weekends: week A 9–18, week B 8:30–17
                shift(therapist, location, day, nine, six, week_parity=week_parity(first))
                shift(therapist, location, day, half_past_eight, five, week_parity=1 - week_parity(first))
            else:
                shift(therapist, location, day, nine, six)
    WorkingHours.objects.bulk_create(shifts)
    client = Client.objects.create(business=business, email="bench@example.com", **name_keys("Bench", "Client"),
                                   given_name="Bench", family_name="Client")  # fmt: skip
    routine = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)
    bookings = []
    for offset in range(DAYS):
        day = first + datetime.timedelta(days=offset)
        weekend = day.weekday() >= 5
        for index, therapist in enumerate(therapists):
            for slot in range(4):
                hour, minute = 9 + 2 * slot, 0  # at weekends 9:00, 11:00, 13:00 and 15:00 at one location
                if weekend:
                    location = locations[index % 2]
                elif slot < 2:  # 9:00 and 11:00 in Berlin
                    location = berlin
                else:  # 13:30 and 15:30 in London (14:30 and 16:30 in Berlin)
                    location, minute = london, 30
                start = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=location.zone)
                bookings.append(
                    Appointment(
                        client=client,
                        therapist=therapist,
                        room=rooms[location.pk][(index + slot) % THERAPISTS],
                        routine=routine,
                        start=start,
                        end=start + datetime.timedelta(minutes=60),
                        busy_until=start + datetime.timedelta(minutes=75),
                    )
                )
    Appointment.objects.bulk_create(bookings, batch_size=2000)
    # A closed day and a short day at each location within the range (written
    # directly: the service would refuse them over the bookings already there).
    from salon.models import SpecialDay

    quiet = first + datetime.timedelta(days=10)
    SpecialDay.objects.bulk_create(
        row
        for location in locations
        for row in (
            SpecialDay(salon=location, day=quiet, reason="Public holiday"),
            SpecialDay(salon=location, day=quiet + datetime.timedelta(days=1), opens=datetime.time(10),
                       closes=datetime.time(14), reason="Short day"),
        )
    )  # fmt: skip
    counts = {location.name: sum(1 for booking in bookings if booking.room.salon_id == location.pk)
              for location in locations}  # fmt: skip
    counts["shifts"] = len(shifts)
    counts["alternating"] = sum(1 for shift in shifts if shift.week_parity is not None)
    counts["dated"] = sum(1 for shift in shifts if shift.valid_from or shift.valid_to)
    return locations, routine, first, counts


def database_cpu_ns(pid: int | None) -> int | None:
    """CPU time used so far by the PostgreSQL server process ``pid`` (this
    connection's: :func:`database_pid`), in nanoseconds, from Linux's
    schedstat (None where there is none: another system, or the server on
    another machine)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def database_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def main() -> None:
    with scratch_database():
        from django.db import connection, transaction

        from sessions.selectors import availability

        locations, routine, first, counts = fill()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        if os.environ.get("BENCH_PROFILE") == "cpu":
            location = locations[int(os.environ.get("BENCH_CASE", 0))]
            last = first + datetime.timedelta(DAYS - 1)

            def computed():
                with transaction.atomic():  # nothing remembered, as in the computed case
                    availability(salon=location, routine=routine, first_day=first, last_day=last)

            cpu_profile_print(computed, runs=30)
            return

        for location in locations:
            result = {}

            def run(location=location, days=DAYS, result=result):
                # Inside a transaction nothing is remembered: this times the computation itself.
                with transaction.atomic():
                    slots, _ = availability(
                        salon=location, routine=routine, first_day=first, last_day=first + datetime.timedelta(days - 1)
                    )
                result["slots"] = len(slots)

            def ask(location=location):
                last = first + datetime.timedelta(DAYS - 1)
                availability(salon=location, routine=routine, first_day=first, last_day=last)

            run()
            slots = result["slots"]
            cpu, database_cpu = [], []
            server = database_pid()
            for _ in range(30):
                database_started = database_cpu_ns(server)
                started = time.process_time()
                run()
                cpu.append((time.process_time() - started) * 1000)
                if database_started is not None:
                    database_cpu.append((database_cpu_ns(server) - database_started) / 1e6)
            by_days = {str(days): count_queries(lambda days=days, run=run: run(days=days)) for days in (1, 7, DAYS)}
            name = "" if location.name == "Berlin" else f"-{location.name.lower()}"
            measure(
                f"availability-{THERAPISTS}x{DAYS}{name}-{connection.vendor}",
                run,
                repeat=30,
                warmup=3,
                therapists=THERAPISTS,
                days=DAYS,
                locations=len(locations),
                location=f"{location.name} ({location.time_zone})",
                travel_minutes=TRAVEL_MINUTES,
                bookings=sum(counts[each.name] for each in locations),
                bookings_here=counts[location.name],
                shifts=counts["shifts"],
                shifts_alternating=counts["alternating"],
                shifts_dated=counts["dated"],
                slots=slots,
                queries_by_days=by_days,
                cpu_ms=round(statistics.median(cpu), 2),
                database_cpu_ms=round(statistics.median(database_cpu), 2) if database_cpu else None,
            )
            # The same question asked again with nothing changed: answered from the cache under the stamp.
            measure(f"availability-{THERAPISTS}x{DAYS}{name}-{connection.vendor}-remembered", ask, repeat=30, warmup=3)


if __name__ == "__main__":
    main()
