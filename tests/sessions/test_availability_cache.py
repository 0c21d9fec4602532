"""Free times asked for online are remembered, and a change that commits is
never hidden by a remembered answer: a time booked at the desk, taken by a
task's plain update, given up as time off or held online is not offered
again, and a hold that runs out frees its time without a write.

These tests commit (``transaction=True``), as requests do: inside a
transaction answers are computed, not remembered."""

import datetime
import itertools
import threading
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from routines.models import RoutineStep, RoutineTemplate, RoutineWithheld, Service, ServiceLength
from routines.services import service_set
from salon.models import Business, OpeningHours, Room, Salon, SpecialDay, Therapist, TimeOff, User, WorkingHours
from sessions.availability_triggers import TRACKED, triggers_install, triggers_present, triggers_remove
from sessions.models import Appointment, AvailabilityStamp, BookingHold
from sessions.services.booking import appointment_book
from sessions.services.online import booking_hold_create
from sessions.services.time_off import time_off_add
from tests.factories import short_routine
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def scene():
    """Open 8-20, Anna works 9-17; the 45-minute routine is sold online at 60 minutes."""
    scene = salon_scenario(therapists=["Anna"], rooms=["Linden"], online_notice_minutes=60)
    scene.routine = short_routine(minutes=45, turnover=15)
    service_set(salon=scene.salon, routine=scene.routine, lengths=[(60, 7000)], online=True)
    scene.tomorrow = timezone.now().astimezone(scene.salon.zone).date() + datetime.timedelta(days=1)
    return scene


VISITORS = itertools.count(1)


def offered(scene, **query) -> list[str]:
    """The day's free times, asked by a new visitor each time (the per-address limit is not what is tested)."""
    params = {"location": scene.salon.pk, "service": "short", "minutes": 60, "days": 1,
              "from": scene.tomorrow.isoformat(), **query}  # fmt: skip
    visitor = next(VISITORS)
    address = f"10.{visitor // 65536 % 256}.{visitor // 256 % 256}.{visitor % 256}"
    response = APIClient().get("/api/v1/public/availability/", params, REMOTE_ADDR=address)
    assert response.status_code == 200, response.content
    return [start["start"] for day in response.json()["days"] for start in day["starts"]]


def at(scene, iso: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(iso)


def test_a_repeated_question_costs_one_query_until_something_changes(scene, django_assert_max_num_queries):
    # Given a question asked once
    first = offered(scene)
    # When it is asked again, nothing having changed
    with django_assert_max_num_queries(1):
        again = offered(scene)
    # Then the same answer comes from the cache, for the price of reading the stamp
    assert first
    assert again == first


def test_a_remembered_answer_comes_in_the_rendering_asked_for(scene):
    params = {"location": scene.salon.pk, "service": "short", "minutes": 60, "days": 1, "from": scene.tomorrow}
    # Given the day's free times, asked once and so remembered
    first = APIClient().get("/api/v1/public/availability/", params, REMOTE_ADDR="10.255.0.1")
    # When they are asked again, as plain JSON and as indented JSON
    again = APIClient().get("/api/v1/public/availability/", params, REMOTE_ADDR="10.255.0.2")
    indented = APIClient().get(
        "/api/v1/public/availability/", params, REMOTE_ADDR="10.255.0.3", HTTP_ACCEPT="application/json; indent=2"
    )
    # Then each is the same answer, as JSON, the indented one indented
    assert first.json()["days"][0]["starts"]
    assert (again["Content-Type"], again.content) == (first["Content-Type"], first.content)
    assert indented.json() == first.json()
    assert b'\n  "location"' in indented.content


def test_each_question_gets_its_own_answer_however_it_is_worded(scene):
    asked = f"location={scene.salon.pk}&service=short&minutes=60&from={scene.tomorrow.isoformat()}"

    def days_answered(query: str) -> list[str]:
        address = f"10.254.0.{next(VISITORS) % 256}"
        response = APIClient().get(f"/api/v1/public/availability/?{query}", REMOTE_ADDR=address)
        assert response.status_code == 200, response.content
        return [day["date"] for day in response.json()["days"]]

    # Given one day's free times, asked and so remembered
    assert len(days_answered(f"{asked}&days=1")) == 1
    # When two days are asked for, and then one day again in other words (another order, a field more)
    two_days = days_answered(f"{asked}&days=2")
    reworded = days_answered(f"days=1&utm_source=newsletter&{asked}")
    # Then each question has its own answer
    assert len(two_days) == 2
    assert reworded == two_days[:1]


def test_a_time_booked_at_the_desk_is_no_longer_offered(scene):
    # Given the first free time, remembered
    before = offered(scene)
    start = before[0]
    # When the desk books it
    appointment_book(client=scene.clients[0], routine=scene.routine, start=at(scene, start), minutes=60)
    # Then it is not offered any more, and the rest of the day still is (after the 75 minutes it holds)
    after = offered(scene)
    assert start not in after
    held_until = at(scene, start) + datetime.timedelta(minutes=75)
    assert after == [time for time in before if at(scene, time) >= held_until]


def test_a_plain_update_by_a_task_counts_as_a_change(scene):
    # Given a booking and the day's answer without its time
    start = offered(scene)[0]
    booking = appointment_book(client=scene.clients[0], routine=scene.routine, start=at(scene, start), minutes=60)
    assert start not in offered(scene)
    # When a task cancels it with a conditional update (no save(), no signal)
    Appointment.objects.filter(pk=booking.pk, status=Appointment.Status.BOOKED).update(
        status=Appointment.Status.CANCELLED
    )
    # Then the time is offered again
    assert start in offered(scene)


def test_time_off_and_a_shorter_shift_are_seen_at_once(scene):
    # Given the day's answer
    before = offered(scene)
    # When Anna takes the morning off
    morning = at(scene, before[0])
    time_off_add(therapist=scene.therapists[0], start=morning, end=morning + datetime.timedelta(hours=3))
    # Then no morning time is offered
    assert all(at(scene, time) >= morning + datetime.timedelta(hours=3) for time in offered(scene))
    # And when her shifts end at 14:00 (a rota change written directly)
    WorkingHours.objects.filter(therapist=scene.therapists[0]).update(ends=datetime.time(14))
    # Then the last time offered leaves room for the session and its turnover (75 minutes) before 14:00
    assert max(at(scene, time).time() for time in before) > datetime.time(12, 45)
    assert max(at(scene, time).time() for time in offered(scene)) == datetime.time(12, 45)


def test_a_hold_hides_its_time_until_it_runs_out_without_any_write(scene):
    # Given a time held online
    start = offered(scene)[0]
    hold = booking_hold_create(
        salon=scene.salon, routine=scene.routine, start=at(scene, start), minutes=60,
        given_name="Ada", family_name="Neumann", email="ada@example.com",
    )  # fmt: skip
    assert start not in offered(scene)
    stamp = AvailabilityStamp.objects.get(business_id=scene.salon.business_id).version
    # When its time runs out and nothing marks it expired yet
    later = hold.expires_at + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        # Then the time is offered again
        assert start in offered(scene)
    assert BookingHold.objects.get(pk=hold.pk).status == BookingHold.Status.HELD
    assert AvailabilityStamp.objects.get(business_id=scene.salon.business_id).version == stamp


def test_the_notice_moves_with_the_clock(scene):
    # Given the day's answer, remembered this minute
    first = offered(scene)[0]
    # When the clock reaches less than the online notice before the first time
    nearly = at(scene, first) - datetime.timedelta(minutes=59)
    with mock.patch("django.utils.timezone.now", return_value=nearly):
        # Then it is not offered any more
        assert first not in offered(scene)


def test_inside_a_transaction_its_own_booking_shows(scene):
    start = offered(scene)[0]
    with transaction.atomic():
        # Given a booking not yet committed (PostgreSQL counts it only at commit)
        appointment_book(client=scene.clients[0], routine=scene.routine, start=at(scene, start), minutes=60)
        # Then an answer computed in the same transaction does not offer its time
        assert start not in offered(scene)


def test_no_answer_given_after_a_booking_committed_offers_its_time(scene):
    """Readers ask over and over while the desk books the day's times one by
    one; an answer to a question asked after a booking committed never
    offers that booking's time."""
    times = offered(scene)
    committed: dict[str, float] = {}
    answers: list[tuple[float, list[str]]] = []
    stop = threading.Event()

    def reader():
        try:
            while not stop.is_set():
                asked = timezone.now().timestamp()
                answers.append((asked, offered(scene)))
        finally:
            connection.close()

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    try:
        for start in times[::5]:  # one after the other: each holds 75 minutes (five starts)
            appointment_book(client=scene.clients[0], routine=scene.routine, start=at(scene, start), minutes=60)
            committed[start] = timezone.now().timestamp()
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    stale = [(start, asked) for asked, answer in answers for start, done in committed.items()
             if asked > done and start in answer]  # fmt: skip
    assert len(answers) > 10
    assert stale == []


def stamp_of(scene) -> int:
    return AvailabilityStamp.objects.get(business_id=scene.salon.business_id).version


def _change_each(scene):
    """One change to every table free times are read from, each as plain as
    a task or a migration would make it (no services, no signals)."""
    salon, therapist, room = scene.salon, scene.therapists[0], scene.rooms[0]
    routine = scene.routine
    day = scene.tomorrow
    return {
        "location settings": lambda: Salon.objects.filter(pk=salon.pk).update(online_notice_minutes=90),
        "travel time": lambda: Business.objects.filter(pk=salon.business_id).update(travel_minutes=45),
        "therapist": lambda: Therapist.objects.filter(pk=therapist.pk).update(qualified_therapeutic=True),
        "therapist's rooms": lambda: therapist.rooms.add(room),
        "account's locations": lambda: therapist.user.locations.remove(salon),
        "account may work anywhere": lambda: User.objects.filter(pk=therapist.user_id).update(all_locations=True),
        "room": lambda: Room.objects.filter(pk=room.pk).update(active=False),
        "opening hours": lambda: OpeningHours.objects.filter(salon=salon).update(closes=datetime.time(18)),
        "special day": lambda: SpecialDay.objects.create(salon=salon, day=day, reason="Training"),
        "shift": lambda: WorkingHours.objects.filter(therapist=therapist).delete(),
        "time off": lambda: TimeOff.objects.create(
            therapist=therapist,
            start=timezone.now(),
            end=timezone.now() + datetime.timedelta(hours=1),
            status=TimeOff.Status.APPROVED,
        ),
        "menu": lambda: Service.objects.filter(salon=salon).update(turnover_minutes=30),
        "menu length": lambda: ServiceLength.objects.filter(service__salon=salon).update(price_minor=7500),
        "routine withheld": lambda: RoutineWithheld.objects.create(salon=salon, slug=routine.slug),
        "routine": lambda: RoutineTemplate.objects.filter(pk=routine.pk).update(qualification="therapeutic"),
        "routine step": lambda: RoutineStep.objects.filter(routine=routine).update(notes="Slowly"),
    }


CHANGES = [
    "location settings", "travel time", "therapist", "therapist's rooms", "account's locations",
    "account may work anywhere", "room", "opening hours", "special day", "shift", "time off", "menu",
    "menu length", "routine withheld", "routine", "routine step",
]  # fmt: skip


@pytest.mark.parametrize("change", CHANGES)
def test_every_table_free_times_are_read_from_counts_its_changes(scene, change):
    # Given the stamp as it is
    before = stamp_of(scene)
    # When one row of the table changes, committed, by a plain query
    _change_each(scene)[change]()
    # Then the stamp has moved on, so no answer remembered before is served
    assert stamp_of(scene) > before


def test_a_sign_in_does_not_count_as_a_change(scene):
    # Given the stamp as it is
    before = stamp_of(scene)
    # When a therapist signs in (their account's last sign-in is written)
    User.objects.filter(pk=scene.therapists[0].user_id).update(last_login=timezone.now())
    # Then the stamp has not moved: remembered answers stay good
    assert stamp_of(scene) == before


def test_a_session_checked_in_started_and_completed_keeps_the_answers_a_no_show_does_not(scene):
    # Given two bookings, one after the other, and the stamp after them
    starts = offered(scene)
    first = starts[0]
    second = next(start for start in starts if at(scene, start) >= at(scene, first) + datetime.timedelta(minutes=75))
    kept, missed = (
        appointment_book(client=scene.clients[0], routine=scene.routine, start=at(scene, start), minutes=60)
        for start in (first, second)
    )
    before = stamp_of(scene)
    # When one session is checked in, started and completed, each committed by a plain update
    for status in (Appointment.Status.CHECKED_IN, Appointment.Status.IN_PROGRESS, Appointment.Status.COMPLETED):
        Appointment.objects.filter(pk=kept.pk).update(status=status)
    # Then the stamp has not moved: it held its time all along, and remembered answers stay good
    assert stamp_of(scene) == before
    # When the other client does not come
    Appointment.objects.filter(pk=missed.pk).update(status=Appointment.Status.NO_SHOW)
    # Then the stamp moves on, and that time is offered again while the completed one is not
    assert stamp_of(scene) > before
    now_offered = offered(scene)
    assert second in now_offered
    assert first not in now_offered


def test_every_tracked_table_has_its_triggers_after_migrate():
    # Given the test database, made by migrate (sessions.apps installs the triggers after it)
    present = triggers_present(connection)
    # Then each tracked table has a trigger for inserts and deletes and one for updates
    # (SQLite: one each for insert, update and delete), and accounts one for updates only
    each = 2 if connection.vendor == "postgresql" else 3
    assert present == {**{table: each for table, _, _ in TRACKED}, "salon_user": 1}


def test_putting_the_triggers_back_moves_every_stamp_on(scene):
    # Given the stamp as it is, and the triggers taken off (as before SQLite's migrations)
    before = stamp_of(scene)
    triggers_remove(connection)
    # When they are installed again, as after every migrate
    assert triggers_install(connection)
    # Then changes made while they were off cannot hide behind a remembered answer
    assert stamp_of(scene) > before
    assert (
        sum(triggers_present(connection).values()) == (2 if connection.vendor == "postgresql" else 3) * len(TRACKED) + 1
    )
