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
"""

import datetime

from bench.harness import count_queries, measure, scratch_database


def main() -> None:
    with scratch_database():
        from django.test import Client

        from bench.availability import THERAPISTS, fill
        from salon.roles import Role
        from tests.factories import UserFactory

        (berlin, _), routine, first, _ = fill()
        day = next(first + datetime.timedelta(days=offset) for offset in range(7)
                   if (first + datetime.timedelta(days=offset)).weekday() < 5)  # fmt: skip
        closed = first + datetime.timedelta(days=10)  # the public holiday
        receptionist = UserFactory(username="bench-desk", roles=[Role.RECEPTIONIST], all_locations=False)
        receptionist.locations.add(berlin)
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
        for case, address in cases:
            response = page.get(address)
            assert response.status_code == 200, (case, response.status_code)
            rows = len(response.context["grid"].rows)
            measure(
                case,
                lambda address=address: page.get(address),
                repeat=60,
                therapists=THERAPISTS,
                rows=rows,
                bookings_in_view=len(response.context["grid"].appointments),
                queries_closed_day=count_queries(
                    lambda address=address: page.get(address.replace(str(day), str(closed)))
                ),
            )


if __name__ == "__main__":
    main()
