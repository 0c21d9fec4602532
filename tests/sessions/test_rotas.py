"""A therapist's rota set from a date: next month's rota written now leaves
this month's alone, a rota until a date gives the old one back after it, and
a rota that strands a booked session is refused with that session named
(PostgreSQL and SQLite alike, as the whole suite runs on both), with
the first day it could start on instead. Alternating weeks: week A is the
week of the first day, and a rota interrupted by another keeps its weeks."""

import datetime

import pytest

from salon.errors import Conflict, InvalidInput
from salon.models import WorkingHours, week_parity
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from sessions.services.rotas import RotaClash, rota_set
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


# Alternating weeks.

SATURDAY, TUESDAY = 5, 1
TEN, TWO_PM = datetime.time(10), datetime.time(14)
_ONE_DAY = datetime.timedelta(days=1)


def week_later(day: datetime.date, weeks: int = 1) -> datetime.date:
    return day + datetime.timedelta(days=7 * weeks)


def test_a_week_a_shift_offers_slots_in_week_a_and_none_in_week_b(salon, therapist, room, routine):
    monday = next_monday()
    saturday = monday + datetime.timedelta(days=SATURDAY)

    rota_set(
        therapist=therapist, salon=salon, valid_from=monday,
        shifts=[(0, NINE, ONE), (SATURDAY, TEN, TWO_PM, "A")],
    )  # fmt: skip

    assert hours_on(salon, routine, saturday) == (datetime.time(10), datetime.time(13))  # week A
    assert hours_on(salon, routine, week_later(saturday)) is None  # week B
    assert hours_on(salon, routine, week_later(saturday, 2)) == (datetime.time(10), datetime.time(13))  # A again
    for weeks in range(3):  # every-week shifts stay every week
        assert hours_on(salon, routine, week_later(monday, weeks)) == (datetime.time(9), datetime.time(12))


def test_week_a_is_the_week_of_the_first_day_whatever_its_weekday(salon, therapist, room, routine):
    thursday = next_monday() + datetime.timedelta(days=3)

    made = rota_set(therapist=therapist, salon=salon, valid_from=thursday, shifts=[(SATURDAY, TEN, TWO_PM, "B")])

    assert made[0].week_parity == 1 - week_parity(thursday)
    assert hours_on(salon, routine, thursday + datetime.timedelta(days=2)) is None  # Saturday of week A
    assert hours_on(salon, routine, thursday + datetime.timedelta(days=9)) == (datetime.time(10), datetime.time(13))


def test_a_rota_until_a_date_keeps_the_weeks_of_the_rota_it_interrupts(salon, therapist, room, routine):
    monday = next_monday()
    rota_set(therapist=therapist, salon=salon, valid_from=monday, shifts=[(SATURDAY, TEN, TWO_PM, "A")])

    # Three weeks of something else from the second week, then the alternating rota resumes.
    rota_set(
        therapist=therapist, salon=salon, valid_from=week_later(monday), valid_to=week_later(monday, 4) - _ONE_DAY,
        shifts=[(0, NINE, ONE)],
    )  # fmt: skip

    resumed = WorkingHours.objects.get(therapist=therapist, valid_from=week_later(monday, 4))
    assert resumed.week_parity == week_parity(monday)
    saturday = monday + datetime.timedelta(days=SATURDAY)
    assert hours_on(salon, routine, saturday) is not None  # week A, before the interruption
    assert hours_on(salon, routine, week_later(saturday, 2)) is None  # interrupted (a week A)
    assert hours_on(salon, routine, week_later(saturday, 4)) is not None  # resumed: week A, as planned
    assert hours_on(salon, routine, week_later(saturday, 5)) is None  # and week B


def test_shifts_of_one_week_must_not_overlap_but_weeks_a_and_b_may(salon, therapist):
    monday = next_monday()
    with pytest.raises(InvalidInput) as refused:
        rota_set(therapist=therapist, salon=salon, valid_from=monday, shifts=[(0, NINE, TWO), (0, ONE, SIX, "A")])
    assert refused.value.fields == {"shifts": ["Monday: 09:00–14:00 and 13:00–18:00 overlap."]}

    made = rota_set(
        therapist=therapist, salon=salon, valid_from=monday, shifts=[(0, NINE, TWO, "A"), (0, ONE, SIX, "B")]
    )

    assert sorted(row.week_parity for row in made) == [0, 1]


def test_an_unknown_week_is_refused(salon, therapist):
    with pytest.raises(InvalidInput) as refused:
        rota_set(therapist=therapist, salon=salon, valid_from=next_monday(), shifts=[(0, NINE, ONE, "C")])
    assert refused.value.fields == {"shifts": ["Unknown week."]}


def test_sessions_are_checked_against_the_shifts_of_their_week(salon, therapist, room, routine, client_):
    monday = next_monday()
    week_a_tuesday = monday + datetime.timedelta(days=TUESDAY)
    week_b_tuesday = week_later(week_a_tuesday)
    appointment_book(client=client_, routine=routine, start=at(week_a_tuesday, 10))
    booked_in_week_b = appointment_book(client=client_, routine=routine, start=at(week_b_tuesday, 10))

    with pytest.raises(RotaClash) as refused:  # Tuesdays in week A only: the week-B session is left out
        rota_set(therapist=therapist, salon=salon, valid_from=monday, shifts=[(TUESDAY, NINE, ONE, "A")])

    assert refused.value.sessions == [booked_in_week_b]
    made = rota_set(
        therapist=therapist, salon=salon, valid_from=monday,
        shifts=[(TUESDAY, NINE, ONE, "A"), (TUESDAY, NINE, ONE, "B")],
    )  # fmt: skip
    assert len(made) == 2


def test_a_refusal_names_the_sessions_and_the_first_day_after_them(salon, therapist, room, routine, client_):
    monday = next_monday()
    first = appointment_book(client=client_, routine=routine, start=at(monday, 10))
    last = appointment_book(client=client_, routine=routine, start=at(monday + datetime.timedelta(days=3), 15))

    with pytest.raises(RotaClash) as refused:
        rota_set(therapist=therapist, salon=salon, valid_from=monday, shifts=[(0, TWO, SIX), (3, NINE, ONE)])

    friday = monday + datetime.timedelta(days=4)
    assert refused.value.code == "bookings_in_the_way"
    assert refused.value.sessions == [first, last]
    assert refused.value.earliest_start == friday
    assert refused.value.fields["valid_from"][0].startswith(f"{friday.isoformat()}:")
    assert f"{friday:%a %d %b %Y}" in refused.value.detail
    assert len(refused.value.fields["shifts"]) == 2
    # Started that day instead, it is taken, and the sessions keep their hours.
    rota_set(therapist=therapist, salon=salon, valid_from=friday, shifts=[(0, TWO, SIX), (3, NINE, ONE)])
    assert hours_on(salon, routine, monday + datetime.timedelta(days=3)) is not None


def test_no_day_is_suggested_when_the_rota_ends_before_it(salon, therapist, room, routine, client_):
    monday = next_monday()
    appointment_book(client=client_, routine=routine, start=at(monday + datetime.timedelta(days=6), 10))

    with pytest.raises(RotaClash) as refused:
        rota_set(therapist=therapist, salon=salon, valid_from=monday, valid_to=monday + datetime.timedelta(days=6),
                 shifts=[])  # fmt: skip

    assert refused.value.earliest_start is None
    assert "valid_from" not in refused.value.fields


def test_a_rota_started_later_keeps_its_weeks_with_week_a(salon, therapist, room, routine):
    monday = next_monday()
    later = week_later(monday) + datetime.timedelta(days=2)  # the Wednesday of week B

    made = rota_set(therapist=therapist, salon=salon, valid_from=later, week_a=monday,
                    shifts=[(SATURDAY, TEN, TWO_PM, "A")])  # fmt: skip

    assert made[0].week_parity == week_parity(monday)
    assert hours_on(salon, routine, later + datetime.timedelta(days=3)) is None  # Saturday of week B
    assert hours_on(salon, routine, later + datetime.timedelta(days=10)) is not None  # of week A


def test_the_api_takes_and_gives_the_weeks(api_client, salon, therapist, room):
    from salon.roles import Role
    from tests.factories import UserFactory

    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    monday = next_monday()
    body = {
        "therapist": therapist.pk,
        "valid_from": str(monday),
        "shifts": [
            {"weekday": 0, "starts": "09:00", "ends": "13:00"},
            {"weekday": 5, "starts": "10:00", "ends": "14:00", "week": "A"},
            {"weekday": 5, "starts": "12:00", "ends": "16:00", "week": "B"},
        ],
    }

    made = api_client.post("/api/v1/rotas/", body, format="json")
    unknown = api_client.post("/api/v1/rotas/", {**body, "shifts": [{**body["shifts"][1], "week": "C"}]}, format="json")
    listed = api_client.get(f"/api/v1/rotas/?therapist={therapist.pk}").json()

    assert made.status_code == 201, made.json()
    assert [(row["weekday"], row["week"]) for row in made.json()] == [(0, None), (5, "A"), (5, "B")]
    assert [row["week_parity"] for row in made.json()] == [None, week_parity(monday), 1 - week_parity(monday)]
    assert unknown.status_code == 400
    assert "shifts.0.week" in unknown.json()["fields"]
    assert {row["week"] for row in listed if row["valid_from"] == str(monday)} == {None, "A", "B"}


def test_the_api_refusal_names_the_sessions_and_the_day_to_start_on(
    api_client, salon, therapist, room, routine, client_
):
    from salon.roles import Role
    from tests.factories import UserFactory

    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    monday = next_monday()
    appointment_book(client=client_, routine=routine, start=at(monday, 10))
    body = {
        "therapist": therapist.pk,
        "valid_from": str(monday),
        "shifts": [{"weekday": 0, "starts": "14:00", "ends": "18:00"}],
    }

    refused = api_client.post("/api/v1/rotas/", body, format="json")

    assert refused.status_code == 409
    answer = refused.json()
    assert answer["code"] == "bookings_in_the_way"
    assert str(client_) in answer["fields"]["shifts"][0]
    assert answer["fields"]["valid_from"][0].startswith(str(monday + datetime.timedelta(days=1)))
    later = api_client.post(
        "/api/v1/rotas/", {**body, "valid_from": str(monday + datetime.timedelta(days=1))}, format="json"
    )
    assert later.status_code == 201


def test_the_coming_weeks_are_read_in_a_fixed_number_of_queries(
    salon, therapist, room, routine, django_assert_num_queries
):
    from salon.models import SpecialDay, TimeOff
    from sessions.rota_weeks import coming_weeks, monday_of

    monday = next_monday()
    for weeks in range(6):  # many rotas, closures and time off cost no more queries
        start = week_later(monday, weeks)
        rota_set(therapist=therapist, salon=salon, valid_from=start, shifts=[(0, NINE, ONE, "A"), (1, TWO, SIX)])
        SpecialDay.objects.create(salon=salon, day=start + datetime.timedelta(days=3), reason="Closed")
        TimeOff.objects.create(therapist=therapist, start=at(start, 10), end=at(start, 11))

    with django_assert_num_queries(4):
        weeks = coming_weeks(salon=salon, therapist=therapist, first_monday=monday_of(monday), today=monday)

    assert len(weeks) == 8
    assert weeks[0].days[0].words == "09:00–10:00, 11:00–13:00"  # week A, time off 10–11
    assert weeks[0].days[0].away
    assert weeks[0].days[3].closure == "Closed"
    assert [week.week for week in weeks[:2]] == ["A", "A"]  # each of these rotas starts its own week A
