"""A therapist's rota set from a date: next month's rota written now leaves
this month's alone, a rota until a date gives the old one back after it, and
a rota that strands a booked session is refused with that session named
(PostgreSQL and SQLite alike, as the whole suite runs on both)."""

import datetime

import pytest

from salon.errors import Conflict, InvalidInput
from salon.models import WorkingHours
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from sessions.services.rotas import rota_set
from tests.helpers import at

pytestmark = pytest.mark.django_db

NINE, ONE, TWO, SIX = datetime.time(9), datetime.time(13), datetime.time(14), datetime.time(18)


def next_monday(after_days: int = 2) -> datetime.date:
    day = datetime.date.today() + datetime.timedelta(days=after_days)
    return day + datetime.timedelta(days=(0 - day.weekday()) % 7)


def hours_on(salon, routine, day) -> tuple[datetime.time, datetime.time] | None:
    slots, _ = availability(salon=salon, routine=routine, first_day=day, last_day=day)
    starts = sorted(slot.as_dict(salon.zone)["start"].time() for slot in slots)
    return (starts[0], starts[-1]) if starts else None


def test_next_months_rota_leaves_this_months_alone(salon, therapist, room, routine):
    monday = next_monday(after_days=14)
    week_before = monday - datetime.timedelta(days=7)

    rota_set(therapist=therapist, salon=salon, valid_from=monday, shifts=[(0, NINE, ONE), (0, TWO, SIX)])

    assert hours_on(salon, routine, week_before) == (datetime.time(9), datetime.time(16))  # the old 9–17
    slots, _ = availability(salon=salon, routine=routine, first_day=monday, last_day=monday)
    starts = {slot.as_dict(salon.zone)["start"].time() for slot in slots}
    assert datetime.time(12) in starts and datetime.time(13) not in starts and datetime.time(14) in starts  # noqa: PT018
    assert hours_on(salon, routine, monday + datetime.timedelta(days=1)) is None  # Tuesdays off from then on


def test_a_rota_until_a_date_gives_the_old_rota_back_after_it(salon, therapist, room, routine):
    monday = next_monday()
    sunday = monday + datetime.timedelta(days=6)

    rota_set(therapist=therapist, salon=salon, valid_from=monday, valid_to=sunday, shifts=[(0, TWO, SIX)])

    assert hours_on(salon, routine, monday) == (datetime.time(14), datetime.time(17))
    assert hours_on(salon, routine, monday + datetime.timedelta(days=1)) is None
    assert hours_on(salon, routine, monday + datetime.timedelta(days=7)) == (datetime.time(9), datetime.time(16))
    assert WorkingHours.objects.filter(therapist=therapist, valid_from=monday + datetime.timedelta(days=7)).count() == 7


def test_a_rota_that_strands_a_booked_session_is_refused_with_it_named(salon, therapist, room, routine, client_):
    monday = next_monday()
    appointment_book(client=client_, routine=routine, start=at(monday, 10))
    before = list(WorkingHours.objects.values_list("pk", "valid_to"))

    with pytest.raises(Conflict) as refused:
        rota_set(therapist=therapist, salon=salon, valid_from=monday, shifts=[(0, TWO, SIX)])

    assert refused.value.code == "bookings_in_the_way"
    assert "10:00" in refused.value.detail
    assert list(WorkingHours.objects.values_list("pk", "valid_to")) == before
    # From the week after the booking it is fine.
    rota_set(therapist=therapist, salon=salon, valid_from=monday + datetime.timedelta(days=1), shifts=[(0, TWO, SIX)])


@pytest.mark.parametrize(
    ("shifts", "field"),
    [
        ([(0, SIX, TWO)], "shifts"),
        ([(7, NINE, ONE)], "shifts"),
        ([(0, NINE, TWO), (0, ONE, SIX)], "shifts"),
    ],
)
def test_shifts_must_make_sense(salon, therapist, shifts, field):
    with pytest.raises(InvalidInput) as refused:
        rota_set(therapist=therapist, salon=salon, valid_from=next_monday(), shifts=shifts)
    assert field in refused.value.fields


def test_a_manager_sets_a_split_shift_rota_through_the_api(api_client, salon, therapist, room):
    from salon.roles import Role
    from tests.factories import UserFactory

    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    monday = next_monday()
    body = {
        "therapist": therapist.pk,
        "valid_from": str(monday),
        "shifts": [
            {"weekday": 0, "starts": "09:00", "ends": "13:00"},
            {"weekday": 0, "starts": "14:00", "ends": "18:00"},
        ],
    }

    made = api_client.post("/api/v1/rotas/", body, format="json")
    backwards = api_client.post("/api/v1/rotas/", {**body, "valid_to": "2000-01-01"}, format="json")
    listed = api_client.get(f"/api/v1/rotas/?therapist={therapist.pk}").json()

    assert made.status_code == 201, made.json()
    assert [(row["starts"], row["ends"]) for row in made.json()] == [("09:00:00", "13:00:00"), ("14:00:00", "18:00:00")]
    assert backwards.status_code == 400
    assert "valid_to" in backwards.json()["fields"]
    assert sum(1 for row in listed if row["valid_from"] == str(monday)) == 2
