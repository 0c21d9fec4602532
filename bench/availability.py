"""Availability for 20 therapists over 30 days with 4 bookings per
therapist-day (target: median under 50 ms, at most 8 queries)."""

import datetime

from bench.harness import measure, scratch_database

THERAPISTS = 20
DAYS = 30


def fill():
    from clients.models import Client
    from clients.search import name_keys
    from routines.models import RoutineTemplate
    from salon.models import OpeningHours, Room, Salon, Therapist, User, WorkingHours
    from sessions.models import Appointment

    salon = Salon.objects.create(name="Bench", time_zone="Europe/Berlin", min_notice_minutes=0)
    OpeningHours.objects.bulk_create(
        OpeningHours(salon=salon, weekday=day, opens=datetime.time(8), closes=datetime.time(20)) for day in range(7)
    )
    rooms = Room.objects.bulk_create(Room(salon=salon, name=f"Room {number:02d}") for number in range(THERAPISTS + 4))
    therapists = []
    for number in range(THERAPISTS):
        user = User.objects.create(username=f"bench{number}")
        therapists.append(Therapist.objects.create(salon=salon, user=user, display_name=f"Therapist {number}"))
    WorkingHours.objects.bulk_create(
        WorkingHours(therapist=therapist, weekday=day, starts=datetime.time(9), ends=datetime.time(18))
        for therapist in therapists
        for day in range(7)
    )
    client = Client.objects.create(salon=salon, email="bench@example.com", **name_keys("Bench", "Client"),
                                   given_name="Bench", family_name="Client")  # fmt: skip
    routine = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)
    first = datetime.date.today() + datetime.timedelta(days=1)
    bookings = []
    for offset in range(DAYS):
        day = first + datetime.timedelta(days=offset)
        for index, therapist in enumerate(therapists):
            for slot in range(4):  # 9:00, 11:00, 13:00, 15:00
                start = datetime.datetime.combine(day, datetime.time(9 + 2 * slot), tzinfo=salon.zone)
                bookings.append(
                    Appointment(
                        client=client,
                        therapist=therapist,
                        room=rooms[(index + slot) % THERAPISTS],
                        routine=routine,
                        start=start,
                        end=start + datetime.timedelta(minutes=60),
                        busy_until=start + datetime.timedelta(minutes=75),
                    )
                )
    Appointment.objects.bulk_create(bookings, batch_size=2000)
    return salon, routine, first


def main() -> None:
    with scratch_database():
        from django.db import connection

        from sessions.selectors import availability

        salon, routine, first = fill()
        last = first + datetime.timedelta(days=DAYS - 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        result = {}

        def run():
            slots, _ = availability(salon=salon, routine=routine, first_day=first, last_day=last)
            result["slots"] = len(slots)

        run()
        measure(
            f"availability-{THERAPISTS}x{DAYS}-{connection.vendor}",
            run,
            repeat=30,
            warmup=3,
            therapists=THERAPISTS,
            days=DAYS,
            bookings=THERAPISTS * DAYS * 4,
            slots=result["slots"],
        )


if __name__ == "__main__":
    main()
