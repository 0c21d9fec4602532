"""A therapist's day with 12 sessions at two locations of one business, the
/my-day/ page and /api/v1/day/, and the front desk's grid of each location
(target: median under 50 ms each, a fixed number of queries).

Anna works mornings in Berlin and afternoons in London (the London sessions
begin an hour and more after the last Berlin one ends, room for the journey);
six sessions in each. Each client has been PAST_VISITS times before. The day page and the API show all twelve with their
location; each desk shows its own six. ``queries_2_sessions`` is the same
request for a day with one session at each location: the counts must not
grow with the sessions.

The pages are rendered with the test environment's template instrumentation
off (the test client would otherwise copy the context at every include, a
cost no user's request pays). ``my_day_page_cpu`` is the CPU time (Python's,
``time.process_time``) the day page takes a request, the steadier figure on a
busy machine; ``my_day_page_cpu_first_view`` the same with the body charts
forgotten before each request, as on the first view of these clients in a
process (the clients' pain maps differ); ``api_day_cpu`` the same for
/api/v1/day/ and ``session_page_cpu`` for the first session's page;
``api_session_start_cpu`` and ``api_session_complete_cpu`` the same for
starting and completing a session through the API (each call a checked-in
session of its own, on a later day), ``..._without_plan`` for sessions
written without a plan, as bench.load writes today's (built at the start).
``BENCH_PROFILE=cpu`` prints a cProfile of the day page instead (sorted by
``BENCH_SORT``, cumulative time unless told; its first ``BENCH_LINES``, 60
unless told); ``BENCH_PROFILE=start``, ``start_without_plan`` or
``complete`` one of the API's starts or completions, ``session`` the first
session's page.
``BENCH_SNAPSHOT=<folder>`` writes the day page, the day page of completed
visits, the day sheet, a running
session's page (each in English and German) and the API's answer there
instead, to compare byte for byte before and after a change.
"""

import datetime
import itertools
import json
import os
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

from bench.harness import count_queries, cpu_profile_print, measure, scratch_database, without_csrf

SESSIONS = 12
API_RUNS = 30  # sessions started (and completed) for each API case
RUNS_PROFILED, WARM_PROFILED = 15, 5
NOTES = {"work_done": "Classic back massage as planned.", "advice": "Stretch the shoulders daily."}  # as bench.load
PAST_VISITS = 8  # each client's completed visits before the day, each with notes and pressure feedback


@contextmanager
def templates_uninstrumented():
    """Templates rendered as in production: without the test environment's
    instrumentation (a signal per template, the test client copying the
    context each time)."""
    from django.template import Template
    from django.test.utils import _TestState

    instrumented = Template._render
    Template._render = _TestState.saved_data.template_render
    try:
        yield
    finally:
        Template._render = instrumented


def cpu_ms_per_request(action, repeat: int = 50) -> float:
    """The median CPU time of one call of ``action``, in ms."""
    timings = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        timings.append((time.process_time() - started) * 1000)
    return round(statistics.median(timings), 2)


class SessionApiCalls:
    """Posts ``step`` (start or complete) for one session after another,
    each once; ``done`` holds those answered 200."""

    def __init__(self, api, sessions, step: str):
        self.api, self.waiting, self.step, self.done = api, list(sessions), step, []

    def call(self):
        session = self.waiting.pop(0)
        body = NOTES if self.step == "complete" else {}
        answer = self.api.post(f"/api/v1/appointments/{session.pk}/{self.step}/", body, content_type="application/json")
        assert answer.status_code == 200, answer.content
        self.done.append(session)


def main() -> None:
    import factory.random

    factory.random.reseed_random("bench.day_view")  # the same names each run, for BENCH_SNAPSHOT
    with scratch_database(), templates_uninstrumented():
        from django.test import Client, RequestFactory

        from routines.models import RoutineTemplate
        from salon.models import User
        from salon.roles import Role
        from salon.services import auth_token_obtain
        from sessions.models import Appointment
        from sessions.services.booking import appointment_book
        from sessions.services.lifecycle import appointment_transition
        from sessions.services.running import session_complete, session_pressure_record
        from tests.factories import TEST_PASSWORD, UserFactory, screening_for, works_every_day
        from tests.scenario import salon_scenario

        scene = salon_scenario(
            name="Berlin",
            min_notice_minutes=0,
            opens=datetime.time(7),
            closes=datetime.time(22),
            works=(datetime.time(7), datetime.time(13)),
            therapists=[{"display_name": "Anna", "user__username": "bench-anna"}],
            rooms=["Linden"],
            clients=[f"Client {number}" for number in range(SESSIONS)],
        )
        berlin, therapist = scene.salon, scene.therapist
        london, _ = scene.location_add(
            name="London", time_zone="Europe/London", rooms=["Thames"], opens=datetime.time(7),
            closes=datetime.time(22), min_notice_minutes=0, phone_region="GB", currency="GBP",
        )  # fmt: skip
        therapist.user.locations.add(london)
        works_every_day(therapist, datetime.time(13), datetime.time(21), salon=london)
        routine = RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True)  # 45-minute slot
        day = datetime.date.today() + datetime.timedelta(days=1)
        quiet_day = day + datetime.timedelta(days=1)

        def past_visit(client, *, start, advice):
            visit = appointment_book(client=client, salon=berlin, routine=routine, start=start, therapist=therapist,
                                     now=start - datetime.timedelta(days=1))  # fmt: skip
            for status in ("checked_in", "in_progress"):
                visit = appointment_transition(appointment=visit, to_status=status, now=start)
            session_pressure_record(appointment=visit, verdict="too_strong", step=1)
            session_complete(appointment=visit, by=therapist.user, advice=advice)

        def london_at(on, hour):
            return datetime.datetime.combine(on, datetime.time(hour), tzinfo=london.zone)

        for number, client in enumerate(scene.clients):
            # Pain maps that differ (ten levels), so the day's body charts differ too.
            pain = {"area": "lower_back", "side": "left", "intensity": 1 + number % 10, "note": ""}
            screening_for(client, pain_map=[pain])
            for visit in range(PAST_VISITS):  # every other day, the latest first, in Berlin
                on = day - datetime.timedelta(days=2 * visit + 2 + number // 6)
                past_visit(client, start=scene.at(on, 7 + number % 6), advice=f"Visit {visit}: go gently on the left")
            if number < SESSIONS // 2:  # 7:00 to 12:45 in Berlin
                start, location = scene.at(day, 7 + number), berlin
            else:  # 14:00 to 19:45 in London (15:00 to 20:45 in Berlin)
                start, location = london_at(day, 14 + number - SESSIONS // 2), london
            appointment_book(client=client, salon=location, routine=routine, start=start, therapist=therapist)
        appointment_book(client=scene.clients[0], salon=berlin, routine=routine, start=scene.at(quiet_day, 9),
                         therapist=therapist)  # fmt: skip
        appointment_book(client=scene.clients[1], salon=london, routine=routine, start=london_at(quiet_day, 15),
                         therapist=therapist)  # fmt: skip

        later = iter(
            (client, location, start)
            for on in (day + datetime.timedelta(days=offset) for offset in range(3, 60))
            for number, client in enumerate(scene.clients)
            for location, start in [
                (berlin, scene.at(on, 7 + number)) if number < SESSIONS // 2
                else (london, london_at(on, 14 + number - SESSIONS // 2))
            ]
        )  # fmt: skip

        def checked_in(count):
            """``count`` sessions on later days, booked and checked in, for the API to start."""
            sessions = []
            for client, location, start in itertools.islice(later, count):
                booked = appointment_book(client=client, salon=location, routine=routine, start=start,
                                          therapist=therapist)  # fmt: skip
                sessions.append(appointment_transition(appointment=booked, to_status="checked_in", now=start))
            return sessions

        def signed_in(username):
            page = Client()
            page.force_login(User.objects.get(username=username))
            return page

        page = signed_in("bench-anna")
        request = RequestFactory().post("/api/v1/auth/token/")
        _, token = auth_token_obtain(username="bench-anna", password=TEST_PASSWORD, request=request)
        api = Client(HTTP_AUTHORIZATION=f"Token {token}")
        shown = api.get(f"/api/v1/day/?date={day}").json()["sessions"]
        assert len(shown) == SESSIONS
        assert {entry["location_name"] for entry in shown} == {"Berlin", "London"}
        desks = {}
        for location in (berlin, london):
            user = UserFactory(username=f"bench-desk-{location.name.lower()}", roles=[Role.RECEPTIONIST],
                               all_locations=False)  # fmt: skip
            user.locations.add(berlin, london)
            user.location_chosen = location  # as the switcher leaves it
            user.save(update_fields=["location_chosen"])
            desks[location.name] = signed_in(user.username)

        day_page = f"/my-day/?date={day}"
        snapshot = os.environ.get("BENCH_SNAPSHOT")
        if snapshot:
            user = User.objects.get(username="bench-anna")
            # One session running, so its page shows the step timers and the pressure buttons too.
            running = Appointment.objects.get(therapist=therapist, start=scene.at(day, 7))
            for status in ("checked_in", "in_progress"):
                running = appointment_transition(appointment=running, to_status=status, now=running.start)
            pages = {
                "my_day": day_page,
                "my_day_completed": f"/my-day/?date={day - datetime.timedelta(days=2)}",  # the last visits, done
                "day_sheet": f"/my-day/print/?date={day}",
                "session": f"/sessions/{running.pk}/",
            }
            for language in ("en", "de"):
                user.language = language
                user.save(update_fields=["language"])
                for name, address in pages.items():
                    Path(snapshot, f"{name}_{language}.html").write_bytes(without_csrf(page.get(address).content))
                Path(snapshot, f"api_day_{language}.json").write_bytes(
                    api.get(f"/api/v1/day/?date={day}", HTTP_ACCEPT_LANGUAGE=language).content
                )
            return
        profile = os.environ.get("BENCH_PROFILE")
        if profile == "cpu":
            cpu_profile_print(lambda: page.get(day_page))
            return
        if profile == "session":
            first = Appointment.objects.get(therapist=therapist, start=scene.at(day, 7))
            cpu_profile_print(lambda: page.get(f"/sessions/{first.pk}/"))
            return
        if profile in {"start", "start_without_plan", "complete"}:
            sessions = checked_in(RUNS_PROFILED)
            if profile == "start_without_plan":
                Appointment.objects.filter(pk__in=[each.pk for each in sessions]).update(plan=None)
            started = SessionApiCalls(api, sessions, "start")
            if profile != "complete":
                cpu_profile_print(started.call, warm=WARM_PROFILED, runs=RUNS_PROFILED - WARM_PROFILED)
            else:
                for _ in range(RUNS_PROFILED):
                    started.call()
                completed = SessionApiCalls(api, started.done, "complete")
                cpu_profile_print(completed.call, warm=WARM_PROFILED, runs=RUNS_PROFILED - WARM_PROFILED)
            return

        half = SESSIONS // 2
        cases = [  # case, browser, address, sessions on the busy day and on the quiet day
            ("my_day_page_12_sessions", page, "/my-day/?date={}", SESSIONS, 2),
            ("api_day_12_sessions", api, "/api/v1/day/?date={}", SESSIONS, 2),
            ("desk_page_berlin_6_sessions", desks["Berlin"], "/desk/?date={}", half, 1),
            ("desk_page_london_6_sessions", desks["London"], "/desk/?date={}", half, 1),
        ]
        for case, browser, address, sessions, quiet in cases:
            assert browser.get(address.format(day)).status_code == 200, case
            measure(
                case,
                lambda browser=browser, address=address: browser.get(address.format(day)),
                repeat=50,
                sessions=sessions,
                locations=2,
                **{f"queries_{quiet}_session{'s' if quiet > 1 else ''}": count_queries(
                    lambda browser=browser, address=address: browser.get(address.format(quiet_day)))},
            )  # fmt: skip
        from clients.templatetags import body_chart

        def first_view():
            body_chart._chart_html.cache_clear()  # the charts remembered from earlier requests
            return page.get(day_page)

        session_page = f"/sessions/{Appointment.objects.get(therapist=therapist, start=scene.at(day, 7)).pk}/"
        cpu_cases = [
            ("my_day_page_cpu", lambda: page.get(day_page)),
            ("my_day_page_cpu_first_view", first_view),
            ("api_day_cpu", lambda: api.get(f"/api/v1/day/?date={day}")),
            ("session_page_cpu", lambda: page.get(session_page)),
        ]
        for case, action in cpu_cases:
            print(json.dumps({
                "case": case,
                "cpu_ms_median": cpu_ms_per_request(action),
                "queries": count_queries(action),
                "sessions": SESSIONS,
            }), flush=True)  # fmt: skip
        # Starting and completing through the API, each call a session of its own: as booked (with
        # its plan), and as bench.load writes today's sessions (rows without a plan, built at the start).
        for variant, sessions in (("", checked_in(API_RUNS + 1)), ("_without_plan", checked_in(API_RUNS + 1))):
            if variant:
                Appointment.objects.filter(pk__in=[each.pk for each in sessions]).update(plan=None)
            for step in ("start", "complete"):
                calls = SessionApiCalls(api, sessions, step)
                print(json.dumps({
                    "case": f"api_session_{step}_cpu{variant}",
                    "cpu_ms_median": cpu_ms_per_request(calls.call, repeat=API_RUNS),
                    "queries": count_queries(calls.call),
                }), flush=True)  # fmt: skip
                sessions = calls.done


if __name__ == "__main__":
    main()
