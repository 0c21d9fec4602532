"""A therapist's day with 12 sessions: the /my-day/ page and /api/v1/day/
(target: median under 50 ms each)."""

import datetime

from bench.harness import measure, scratch_database

SESSIONS = 12


def main() -> None:
    with scratch_database():
        from django.test import Client

        from routines.models import RoutineTemplate
        from salon.services import auth_token_obtain
        from sessions.services.booking import appointment_book
        from tests.factories import TEST_PASSWORD, screening_for
        from tests.scenario import salon_scenario

        scene = salon_scenario(
            min_notice_minutes=0,
            opens=datetime.time(7),
            closes=datetime.time(22),
            works=(datetime.time(7), datetime.time(22)),
            therapists=[{"display_name": "Anna", "user__username": "bench-anna"}],
            clients=[f"Client {number}" for number in range(SESSIONS)],
        )
        therapist = scene.therapist
        routine = RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True)  # 45-minute slot
        day = datetime.date.today() + datetime.timedelta(days=1)
        for number, client in enumerate(scene.clients):
            screening_for(client, pain_map=[{"area": "lower_back", "side": "left", "intensity": 6, "note": ""}])
            start = scene.at(day, 8) + datetime.timedelta(minutes=60 * number)
            appointment_book(client=client, routine=routine, start=start, therapist=therapist)

        page = Client()
        page.login(username="bench-anna", password=TEST_PASSWORD)
        token = auth_token_obtain(username="bench-anna", password=TEST_PASSWORD).key
        api = Client(HTTP_AUTHORIZATION=f"Token {token}")
        measure("my_day_page_12_sessions", lambda: page.get(f"/my-day/?date={day}"), repeat=50, sessions=SESSIONS)
        measure("api_day_12_sessions", lambda: api.get(f"/api/v1/day/?date={day}"), repeat=50, sessions=SESSIONS)


if __name__ == "__main__":
    main()
