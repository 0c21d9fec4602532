"""The front desk's grid for 20 therapists on 15-minute rows (target: the day
by therapist under 80 ms median on PostgreSQL, at most 12 queries).

The data is bench.availability's: Berlin and London, 20 therapists granted
both, four bookings per therapist and day, rotas that alternate and change.
A receptionist at Berlin opens a weekday (48 rows of 20 therapists, with
the sessions in London shown as "at another location"), the same day by
room, and one therapist's week; the whole page is measured, middleware and
template included, with the grid marking where a 60-minute classic fits.
The query count is also taken for a closed day: it must not grow with the
bookings.

The pages are rendered with the test environment's template instrumentation
off, as bench.day_view does. ``<case>_cpu`` is the CPU time
(``time.process_time``) one request takes. ``BENCH_PROFILE=cpu`` prints a
cProfile of the day by therapist instead (``BENCH_SORT``, ``BENCH_LINES`` as in
bench.day_view; ``BENCH_CASE=<n>`` another case, 3 for the API's list);
``BENCH_SNAPSHOT=<folder>`` writes the three pages (English and German) and
the API's list there instead, to compare byte for byte before and after a change.

``api_appointments_of_a_day`` is the manager's read in bench.load: the API's
list of a day's appointments at the location, with their history.
"""

import datetime
import json
import os
from pathlib import Path

from bench.availability import THERAPISTS
from bench.day_view import cpu_ms_per_request, templates_uninstrumented
from bench.harness import count_queries, cpu_profile_print, measure, scratch_database, without_csrf


def main() -> None:
    import factory.random

    factory.random.reseed_random("bench.desk")  # the same names each run, for BENCH_SNAPSHOT
    with scratch_database():
        from django.test import Client

        from bench.availability import fill
        from salon.roles import Role
        from sessions.models import Appointment, AppointmentChange
        from tests.factories import UserFactory

        (berlin, _), routine, first, _ = fill()
        day = next(first + datetime.timedelta(days=offset) for offset in range(7)
                   if (first + datetime.timedelta(days=offset)).weekday() < 5)  # fmt: skip
        closed = first + datetime.timedelta(days=10)  # the public holiday
        receptionist = UserFactory(username="bench-desk", roles=[Role.RECEPTIONIST], all_locations=False)
        receptionist.locations.add(berlin)
        # Each booking of the day with the history row a booking writes, as the API's list shows it.
        AppointmentChange.objects.bulk_create(
            AppointmentChange(appointment=appointment, kind=AppointmentChange.Kind.BOOKED, to_start=appointment.start,
                              to_status=appointment.status, by=receptionist)
            for appointment in Appointment.objects.filter(room__salon=berlin, start__date=day)
        )  # fmt: skip
        page = Client()
        page.force_login(receptionist)
        therapist = berlin.business.therapists.order_by("display_name").first()
        cases = [
            ("desk_day_by_therapist_20_therapists", f"/desk/?date={day}&service={routine.pk}"),
            ("desk_day_by_room_24_rooms", f"/desk/?date={day}&view=rooms&service={routine.pk}"),
            (
                "desk_week_of_one_therapist",
                f"/desk/?date={day}&view=week&therapist={therapist.pk}&service={routine.pk}",
            ),
        ]
        listed = ("api_appointments_of_a_day", f"/api/v1/appointments/?date={day}&location={berlin.pk}")
        shown = {}
        for case, address in cases:  # instrumented once, for the grid's size
            response = page.get(address)
            assert response.status_code == 200, (case, response.status_code)
            shown[case] = len(response.context["grid"].rows), len(response.context["grid"].appointments)
        with templates_uninstrumented():
            _measure(page, cases, listed, shown, day=day, closed=closed, receptionist=receptionist)


def _measure(page, cases, listed, shown, *, day, closed, receptionist) -> None:
    snapshot = os.environ.get("BENCH_SNAPSHOT")
    if snapshot:
        for language in ("en", "de"):
            receptionist.language = language
            receptionist.save(update_fields=["language"])
            for case, address in cases:  # the CSRF token differs on every request
                Path(snapshot, f"{case}_{language}.html").write_bytes(without_csrf(page.get(address).content))
            Path(snapshot, f"{listed[0]}_{language}.json").write_bytes(page.get(listed[1]).content)
        return
    if os.environ.get("BENCH_PROFILE") == "cpu":
        address = [*cases, listed][int(os.environ.get("BENCH_CASE", 0))][1]
        cpu_profile_print(lambda: page.get(address))
        return
    for case, address in cases:
        rows, bookings = shown[case]
        measure(
            case,
            lambda address=address: page.get(address),
            repeat=60,
            therapists=THERAPISTS,
            rows=rows,
            bookings_in_view=bookings,
            queries_closed_day=count_queries(lambda address=address: page.get(address.replace(str(day), str(closed)))),
        )
    case, address = listed
    answer = page.get(address).json()
    measure(case, lambda: page.get(address), repeat=60, listed=len(answer["results"]), count=answer["count"])
    for case, address in [*cases, listed]:
        print(json.dumps({
            "case": f"{case}_cpu",
            "cpu_ms_median": cpu_ms_per_request(lambda address=address: page.get(address)),
            "queries": count_queries(lambda address=address: page.get(address)),
        }), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
