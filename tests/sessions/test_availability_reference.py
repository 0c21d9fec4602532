"""The free slots, as Calendar.slots works them out over a whole range at
once, compared with the plainest reading of the rule on random calendars
(zones that change their clocks, by an hour or half an hour, grids, split
and alternating shifts, rotas that start or end within the range, special
days, rooms kept for some therapists, time off and bookings): each start on
the grid of each of the therapist's free intervals, with the first of her
rooms that is free for the whole slot."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest

from salon.models import Room, Salon, Therapist
from sessions.availability import (
    ROOM_FIELDS,
    Calendar,
    Hours,
    Shift,
    Slot,
    fits,
    from_minutes,
    intersect,
    merge,
    subtract,
    to_minutes,
)

ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
# Around the clock changes of 2026 and away from them.
FIRST_DAYS = [datetime.date(2026, 3, 24), datetime.date(2026, 10, 20), datetime.date(2026, 3, 30),
              datetime.date(2026, 6, 10), datetime.date(2026, 10, 1)]  # fmt: skip


def wall_spans(rng: random.Random, count: int) -> list[tuple[datetime.time, datetime.time]]:
    spans = []
    for _ in range(count):
        start = rng.randrange(0, 24 * 60 - 30)
        start -= start % 30 if rng.random() < 0.7 else 0
        end = min(rng.randrange(start + 5, start + 12 * 60), 24 * 60 - 1)
        spans.append((datetime.time(start // 60, start % 60), datetime.time(end // 60, end % 60)))
    return spans


def random_calendar(rng: random.Random) -> tuple[Calendar, dict]:
    zone = rng.choice(ZONES)
    grid = rng.choice([5, 10, 15, 20, 30, 60])
    salon = Salon(pk=1, name="Here", time_zone=zone, slot_minutes=grid)
    first = rng.choice(FIRST_DAYS) + datetime.timedelta(days=rng.randrange(10))
    days = rng.randrange(1, 10)
    last = first + datetime.timedelta(days=days - 1)
    therapists = [Therapist(pk=number + 1, display_name=f"T{number}") for number in range(rng.randrange(1, 6))]
    rooms = [Room(pk=10 + number, name=f"Room {number}") for number in range(rng.randrange(1, 5))]
    rooms_allowed = {
        therapist.pk: frozenset(room.pk for room in rooms if rng.random() < 0.5)
        for therapist in therapists
        if rng.random() < 0.3
    }
    opening = {
        weekday: [Hours(*span) for span in wall_spans(rng, rng.choice([1, 1, 2]))]
        for weekday in range(7)
        if rng.random() < 0.85
    }
    special = {}
    for offset in range(days):
        if rng.random() < 0.15:
            hours = [Hours(None, None)] if rng.random() < 0.5 else [Hours(*wall_spans(rng, 1)[0])]
            special[first + datetime.timedelta(days=offset)] = hours

    def some_day():
        return first + datetime.timedelta(days=rng.randrange(-3, days + 2))

    def maybe(value):  # a rota's first or last day, or its week, now and then
        return value() if rng.random() < 0.2 else None

    working = {}
    for therapist in therapists:
        if therapist.pk > 1 and rng.random() < 0.3:  # on the first therapist's rota
            working.update(
                {(therapist.pk, weekday): list(shifts) for (pk, weekday), shifts in working.items() if pk == 1}
            )
            continue
        for weekday in range(7):
            if rng.random() < 0.75:
                working[therapist.pk, weekday] = [
                    Shift(weekday, starts, ends, maybe(some_day), maybe(some_day), maybe(lambda: rng.choice([0, 1])))
                    for starts, ends in wall_spans(rng, rng.choice([1, 1, 2]))
                ]
    begins = to_minutes(datetime.datetime.combine(first, datetime.time(0), tzinfo=ZoneInfo(zone))) - 200
    ends = begins + (days + 1) * 24 * 60 + 400

    def busy(count: int) -> list[tuple[int, int]]:
        starts = [rng.randrange(begins, ends) for _ in range(count)]
        return merge([(start - start % 15, start - start % 15 + rng.randrange(5, 240)) for start in starts])

    calendar = Calendar(
        salon, ZoneInfo(zone), therapists, rooms, rooms_allowed, working, opening, special,
        therapist_away={therapist.pk: busy(rng.randrange(3)) for therapist in therapists if rng.random() < 0.3},
        therapist_booked={therapist.pk: busy(rng.randrange(4 * days)) for therapist in therapists},
        room_away={room.pk: busy(rng.randrange(3)) for room in rooms if rng.random() < 0.3},
        room_booked={room.pk: busy(rng.randrange(4 * days)) for room in rooms},
        therapist_elsewhere={},
    )  # fmt: skip
    slot = grid * rng.randrange(1, max(2, 181 // grid))
    question = {
        "first_day": first,
        "last_day": last,
        "slot_minutes": slot,
        "session_minutes": slot - rng.randrange(min(slot, 30)),
        "earliest": rng.choice([begins - 1000, begins + rng.randrange(days * 24 * 60)]),
        "latest_start": rng.choice([ends + 5000, begins + rng.randrange((days + 1) * 24 * 60)]),
    }
    return calendar, question


def plain_slots(calendar: Calendar, *, first_day, last_day, slot_minutes, session_minutes, earliest, latest_start):
    """Each therapist's free time, day by day; each start on the grid (from
    the local wall-clock time of the gap's first possible start, then in
    real minutes); the first of her rooms free for the whole slot."""
    days = [first_day + datetime.timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]
    open_hours = [interval for day in days for interval in calendar.open_intervals(day)]
    rooms_free = {
        room.pk: subtract(calendar.room_in_use_over(room, open_hours), calendar.room_booked.get(room.pk, []))
        for room in calendar.rooms
    }
    grid = calendar.salon.slot_minutes
    found = []
    for therapist in calendar.therapists:
        duty = [interval for day in days for interval in
                intersect(calendar.working_intervals(therapist, day), calendar.open_intervals(day))]  # fmt: skip
        free = subtract(subtract(duty, calendar.therapist_away.get(therapist.pk, [])),
                        calendar.therapist_booked.get(therapist.pk, []))  # fmt: skip
        for start, end in free:
            first, last = max(start, earliest), min(end - slot_minutes, latest_start)
            wall = from_minutes(first).astimezone(calendar.zone)
            for taken in range(first + -(wall.hour * 60 + wall.minute) % grid, last + 1, grid):
                end_taken = taken + slot_minutes
                rooms = calendar.rooms_for(therapist)
                room = next((room for room in rooms if fits(rooms_free[room.pk], taken, end_taken)), None)
                if room is not None:
                    found.append(Slot(taken, taken + session_minutes, therapist.pk, room.pk))
    return sorted(found)


@pytest.mark.parametrize("seeds", [range(0, 400), range(400, 800)])
def test_slots_are_the_plain_reading_of_the_rule_on_random_calendars(seeds):
    offered = 0
    for seed in seeds:
        calendar, question = random_calendar(random.Random(seed))  # noqa: S311 (test data)
        expected = plain_slots(calendar, **question)
        assert calendar.slots(**question) == expected, f"seed {seed}"
        offered += len(expected)
    assert offered > 1000  # the calendars are not all closed or full


def test_rooms_are_read_with_their_fields_in_the_models_order():
    assert [field.attname for field in Room._meta.concrete_fields] == ROOM_FIELDS
