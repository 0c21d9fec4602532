"""Closures (a public holiday, a closed week) and special opening hours for a
date: availability and booking follow them, and a change that would strand a
booked session is refused with that session named."""

import datetime

import pytest

from salon.errors import Conflict, InvalidInput
from salon.models import SpecialDay
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from sessions.services.closures import closure_add, special_day_clear, special_hours_set
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def holiday(tomorrow):
    return tomorrow + datetime.timedelta(days=7)


def starts(salon, routine, day):
    slots, _ = availability(salon=salon, routine=routine, first_day=day, last_day=day)
    return sorted({slot.as_dict(salon.zone)["start"].time() for slot in slots})


def test_a_closed_day_offers_no_slots_and_refuses_bookings(salon, therapist, room, routine, client_, holiday):
    assert starts(salon, routine, holiday)  # given an ordinary working day

    closure_add(salon=salon, first_day=holiday, last_day=holiday, reason="Public holiday")

    assert starts(salon, routine, holiday) == []
    assert starts(salon, routine, holiday + datetime.timedelta(days=1))  # the next day is open again
    with pytest.raises(InvalidInput):
        appointment_book(client=client_, routine=routine, start=at(holiday, 10))


def test_a_closed_week_is_a_row_a_day(salon, holiday):
    closed = closure_add(salon=salon, first_day=holiday, last_day=holiday + datetime.timedelta(days=6))

    assert [row.day for row in closed] == [holiday + datetime.timedelta(days=n) for n in range(7)]
    assert all(row.closed for row in SpecialDay.objects.filter(salon=salon))


def test_special_hours_replace_the_weeks_hours_that_day(salon, therapist, room, routine, holiday):
    special_hours_set(
        salon=salon,
        day=holiday,
        hours=[(datetime.time(9), datetime.time(11)), (datetime.time(14), datetime.time(16))],
        reason="Short day",
    )

    assert starts(salon, routine, holiday) == [
        datetime.time(9),
        datetime.time(9, 15),
        datetime.time(9, 30),
        datetime.time(9, 45),
        datetime.time(10),
        datetime.time(14),
        datetime.time(14, 15),
        datetime.time(14, 30),
        datetime.time(14, 45),
        datetime.time(15),
    ]  # fmt: skip  (one-hour slots inside 09–11 and 14–16; Anna works 9–17)


def test_a_closure_over_a_booked_session_is_refused_with_the_session_named(
    salon, therapist, room, routine, client_, holiday
):
    appointment_book(client=client_, routine=routine, start=at(holiday, 10))

    with pytest.raises(Conflict) as refused:
        closure_add(salon=salon, first_day=holiday, last_day=holiday)

    assert refused.value.code == "bookings_in_the_way"
    assert "10:00" in refused.value.detail
    assert str(client_) in refused.value.detail
    assert not SpecialDay.objects.exists()


def test_shorter_hours_that_strand_a_session_are_refused_but_hours_around_it_are_not(
    salon, therapist, room, routine, client_, holiday
):
    appointment_book(client=client_, routine=routine, start=at(holiday, 10))

    with pytest.raises(Conflict):
        special_hours_set(salon=salon, day=holiday, hours=[(datetime.time(8), datetime.time(10, 30))])
    special_hours_set(salon=salon, day=holiday, hours=[(datetime.time(9), datetime.time(12))])

    assert SpecialDay.objects.filter(day=holiday).count() == 1


def test_back_to_the_weeks_hours_is_refused_while_a_session_needs_the_special_ones(
    salon, therapist, room, routine, client_, holiday
):
    from salon.models import WorkingHours

    WorkingHours.objects.filter(therapist=therapist).update(ends=datetime.time(22))
    special_hours_set(salon=salon, day=holiday, hours=[(datetime.time(18), datetime.time(22))], reason="Late opening")
    appointment_book(client=client_, routine=routine, start=at(holiday, 20))  # after the week's closing at 20:00

    with pytest.raises(Conflict):
        special_day_clear(salon=salon, day=holiday)
    assert SpecialDay.objects.filter(day=holiday).exists()


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [(3, 2, "last_day"), (0, 400, "last_day")],
)
def test_a_closure_must_run_forwards_and_last_a_year_at_most(salon, holiday, first, last, field):
    with pytest.raises(InvalidInput) as refused:
        closure_add(
            salon=salon,
            first_day=holiday + datetime.timedelta(days=first),
            last_day=holiday + datetime.timedelta(days=last),
        )
    assert field in refused.value.fields


def test_overlapping_special_hours_are_refused(salon, holiday):
    with pytest.raises(InvalidInput) as refused:
        special_hours_set(
            salon=salon,
            day=holiday,
            hours=[(datetime.time(9), datetime.time(12)), (datetime.time(11), datetime.time(15))],
        )
    assert "hours" in refused.value.fields


@pytest.fixture
def manager_api(api_client):
    from salon.roles import Role
    from tests.factories import UserFactory

    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    return api_client


def test_a_manager_closes_a_day_and_sets_special_hours_through_the_api(manager_api, salon, holiday):
    closed = manager_api.post(
        f"/api/v1/special-days/closures/?location={salon.pk}",
        {"first_day": str(holiday), "last_day": str(holiday), "reason": "Public holiday"},
        format="json",
    )
    next_day = holiday + datetime.timedelta(days=1)
    short = manager_api.post(
        "/api/v1/special-days/hours/",
        {"day": str(next_day), "hours": [{"opens": "10:00", "closes": "14:00"}], "reason": "Short day"},
        format="json",
    )
    listed = manager_api.get(f"/api/v1/special-days/?start={holiday}").json()

    assert closed.status_code == 201, closed.json()
    assert short.status_code == 200, short.json()
    assert listed == [
        {"day": str(holiday), "closed": True, "opens": None, "closes": None, "reason": "Public holiday"},
        {"day": str(next_day), "closed": False, "opens": "10:00:00", "closes": "14:00:00", "reason": "Short day"},
    ]
    assert manager_api.delete(f"/api/v1/special-days/{holiday}/").status_code == 204
    assert [row["day"] for row in manager_api.get(f"/api/v1/special-days/?start={holiday}").json()] == [str(next_day)]


def test_the_api_names_the_field_and_the_sessions_in_the_way(
    manager_api, salon, therapist, room, routine, client_, holiday
):
    appointment_book(client=client_, routine=routine, start=at(holiday, 10))

    backwards = manager_api.post(
        "/api/v1/special-days/closures/", {"first_day": str(holiday), "last_day": "2000-01-01"}, format="json"
    )
    upside_down = manager_api.post(
        "/api/v1/special-days/hours/",
        {"day": str(holiday), "hours": [{"opens": "14:00", "closes": "10:00"}]},
        format="json",
    )
    in_the_way = manager_api.post(
        "/api/v1/special-days/closures/", {"first_day": str(holiday), "last_day": str(holiday)}, format="json"
    )

    assert (backwards.status_code, list(backwards.json()["fields"])) == (400, ["last_day"])
    assert upside_down.status_code == 400
    assert "hours" in str(upside_down.json()["fields"])
    assert in_the_way.status_code == 409
    assert in_the_way.json()["code"] == "bookings_in_the_way"
    assert "10:00" in in_the_way.json()["fields"]["first_day"][0]


def test_time_off_over_a_booked_session_is_refused_and_elsewhere_taken(
    salon, therapist, room, routine, client_, holiday
):
    from sessions.services.time_off import time_off_add

    appointment_book(client=client_, routine=routine, start=at(holiday, 10))

    with pytest.raises(Conflict) as refused:
        time_off_add(therapist=therapist, start=at(holiday, 9), end=at(holiday, 12), reason="Dentist")
    afternoon = time_off_add(therapist=therapist, start=at(holiday, 13), end=at(holiday, 17), reason="Dentist")

    assert refused.value.code == "bookings_in_the_way"
    assert "10:00" in refused.value.detail
    assert afternoon.reason == "Dentist"
    assert max(starts(salon, routine, holiday)) == datetime.time(12)  # the last hour before her time off


def test_time_off_is_for_a_therapist_or_a_room_and_ends_after_it_starts(salon, therapist, room, holiday):
    from sessions.services.time_off import time_off_add

    with pytest.raises(InvalidInput):
        time_off_add(therapist=therapist, room=room, start=at(holiday, 9), end=at(holiday, 12))
    with pytest.raises(InvalidInput) as backwards:
        time_off_add(room=room, start=at(holiday, 12), end=at(holiday, 9))
    assert "end" in backwards.value.fields


def test_a_manager_enters_and_removes_time_off_through_the_api(manager_api, salon, therapist, room, holiday):
    body = {"therapist": therapist.pk, "start": at(holiday, 9).isoformat(), "end": at(holiday, 17).isoformat()}

    made = manager_api.post("/api/v1/time-off/", {**body, "reason": "Training"}, format="json")
    listed = manager_api.get(f"/api/v1/time-off/?start={holiday}&end={holiday}").json()
    removed = manager_api.delete(f"/api/v1/time-off/{made.json()['id']}/")

    assert made.status_code == 201, made.json()
    assert [(entry["therapist"], entry["reason"]) for entry in listed] == [(therapist.pk, "Training")]
    assert removed.status_code == 204
    assert manager_api.get(f"/api/v1/time-off/?start={holiday}").json() == []
