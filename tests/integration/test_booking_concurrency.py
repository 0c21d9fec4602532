"""Many front desks booking the same therapist at once: exactly the
non-overlapping bookings win, every other attempt is a 409, nothing is a 5xx.
PostgreSQL (exclusion constraints + row locks) and the SQLite default
(IMMEDIATE transactions) alike."""

import datetime
import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from salon.roles import Role
from tests.factories import (
    UserFactory,
    short_routine,
)
from tests.scenario import salon_scenario, two_locations_scenario

pytestmark = pytest.mark.integration

OVERLAPS = """
    SELECT COUNT(*) FROM treatments_appointment a
    JOIN treatments_appointment b
      ON a.id < b.id AND a.{column} = b.{column} AND a.start < b.busy_until AND b.start < a.busy_until
    WHERE a.status IN ('booked', 'checked_in', 'in_progress', 'completed')
      AND b.status IN ('booked', 'checked_in', 'in_progress', 'completed')
"""


def overlapping_pairs(column: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS.format(column=column))
        return cursor.fetchone()[0]


def race(threads: int, attempts: int) -> list[int]:
    scene = salon_scenario(rooms=["Linden", "Birke", "Ahorn"], min_notice_minutes=0, booking_horizon_days=30)
    salon, therapist, client = scene.salon, scene.therapist, scene.client
    routine = short_routine(minutes=45, turnover=15)
    desk = UserFactory(roles=[Role.RECEPTIONIST])
    day = datetime.date.today() + datetime.timedelta(days=2)
    starts = [
        datetime.datetime.combine(day, datetime.time(10, minute), tzinfo=salon.zone).isoformat()
        for minute in (0, 15, 30, 45)
    ] + [datetime.datetime.combine(day, datetime.time(11), tzinfo=salon.zone).isoformat()]

    def attempt(number: int) -> int:
        api = APIClient()
        api.force_authenticate(desk)
        body = {"client": client.pk, "routine": routine.pk, "therapist": therapist.pk}
        try:
            start = random.Random(number).choice(starts)  # noqa: S311 (test data, not secrets)
            response = api.post("/api/v1/appointments/", {**body, "start": start}, format="json")
            return response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(attempt, range(attempts)))


def test_concurrent_bookings_never_overlap():
    threads, attempts = (50, 500) if connection.vendor == "postgresql" else (10, 100)

    statuses = race(threads, attempts)

    assert set(statuses) <= {201, 409}, sorted(set(statuses))
    assert statuses.count(201) >= 1
    assert statuses.count(409) == attempts - statuses.count(201)
    assert overlapping_pairs("therapist_id") == 0
    assert overlapping_pairs("room_id") == 0


def test_desks_naming_one_room_for_different_therapists_never_share_it():
    """The room is named, so the booking locks it (after the therapist)
    before it reads the calendar, and checks the room from that calendar:
    four therapists wanting the one room at overlapping times still get it
    one at a time."""
    scene = salon_scenario(therapists=["Anna", "Ben", "Cora", "Dora"], rooms=["Linden"], min_notice_minutes=0)
    routine = short_routine(minutes=45, turnover=15)
    desk = UserFactory(roles=[Role.RECEPTIONIST])
    day = datetime.date.today() + datetime.timedelta(days=2)
    starts = [datetime.datetime.combine(day, datetime.time(10, minute), tzinfo=scene.salon.zone) for minute in (0, 30)]
    threads, attempts = (20, 100) if connection.vendor == "postgresql" else (5, 20)

    def attempt(number: int) -> int:
        api = APIClient()
        api.force_authenticate(desk)
        body = {"client": scene.client.pk, "routine": routine.pk, "room": scene.rooms[0].pk,
                "therapist": scene.therapists[number % 4].pk, "start": starts[number % 2].isoformat()}  # fmt: skip
        try:
            return api.post("/api/v1/appointments/", body, format="json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(attempt, range(attempts)))

    assert set(statuses) <= {201, 409}, sorted(set(statuses))
    assert statuses.count(201) == 1  # 10:00 and 10:30 overlap: the room takes one of them
    assert overlapping_pairs("room_id") == 0


def test_an_overlapping_write_is_refused_by_the_guard_of_each_database():
    """PostgreSQL refuses even a write that skips the service (exclusion
    constraint); SQLite has none, so there the guard is the booking service."""
    from django.db import IntegrityError, transaction

    from salon.errors import Conflict
    from sessions.models import Appointment
    from sessions.services.booking import appointment_book

    race(2, 1)
    booked = Appointment.objects.get()
    later = datetime.timedelta(minutes=30)
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError), transaction.atomic():
            Appointment.objects.create(
                client=booked.client,
                therapist=booked.therapist,
                room=booked.room,
                routine=booked.routine,
                start=booked.start + later,
                end=booked.end + later,
                busy_until=booked.busy_until + later,
            )
    else:
        with pytest.raises(Conflict):
            appointment_book(
                client=booked.client,
                routine=booked.routine,
                start=booked.start + later,
                therapist=booked.therapist,
                room=booked.room,
            )
    assert Appointment.objects.count() == 1


def test_one_therapist_booked_at_once_in_two_locations_gets_exactly_one_booking():
    """Half the desks book Anna in Berlin, half in London, for the same
    instant: her row lock queues them, and whoever comes second finds her
    busy (with the travel time) at the other location."""
    chain = two_locations_scenario()
    routine = short_routine(minutes=45, turnover=15)
    desk = UserFactory(roles=[Role.RECEPTIONIST])
    day = datetime.date.today() + datetime.timedelta(days=(2 - datetime.date.today().weekday()) % 7 or 7)
    start = chain.at(chain.berlin, day, 11).isoformat()  # a Wednesday: she works at both
    threads = 50 if connection.vendor == "postgresql" else 10

    def attempt(number: int) -> int:
        location = (chain.berlin, chain.london)[number % 2]
        api = APIClient()
        api.force_authenticate(desk)
        body = {"client": chain.client.pk, "routine": routine.pk, "therapist": chain.therapist.pk, "start": start}
        try:
            return api.post(f"/api/v1/appointments/?location={location.pk}", body, format="json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(attempt, range(threads)))

    assert set(statuses) <= {201, 409}, sorted(set(statuses))
    assert statuses.count(201) == 1
    assert overlapping_pairs("therapist_id") == 0
