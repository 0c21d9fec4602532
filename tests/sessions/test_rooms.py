"""A location's rooms: renamed and re-equipped, taken out of use only when no
session is booked in them any more, out of service for a while (a room's
time off) over no booked session; and the same through /api/v1/rooms/."""

import datetime

import pytest

from salon.errors import Conflict, InvalidInput
from salon.models import Room
from salon.services import room_create, room_update
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.rooms import room_active_set, room_change
from sessions.services.time_off import time_off_add
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(tomorrow):
    return tomorrow + datetime.timedelta(days=3)


def starts(salon, routine, day):
    slots, _ = availability(salon=salon, routine=routine, first_day=day, last_day=day)
    return slots


def test_a_room_is_renamed_and_re_equipped(room):
    room_update(room=room, name="  Linde  ", equipment="Heated table\nTowel warmer")

    room.refresh_from_db()
    assert (room.name, room.equipment) == ("Linde", "Heated table\nTowel warmer")


def test_a_name_is_one_rooms_per_location_whatever_the_capitals(salon, room):
    birke = room_create(salon=salon, name="Birke")

    with pytest.raises(InvalidInput) as taken:
        room_update(room=birke, name="LINDEN")
    with pytest.raises(InvalidInput) as new_taken:
        room_create(salon=salon, name="linden ")
    with pytest.raises(InvalidInput) as blank:
        room_update(room=birke, name="   ")

    assert taken.value.fields == {"name": ["Another room has this name."]}
    assert new_taken.value.fields == {"name": ["Another room has this name."]}
    assert list(blank.value.fields) == ["name"]
    room_update(room=room, name="LINDEN")  # its own name in other capitals is fine


def test_a_room_with_sessions_ahead_stays_in_use_until_they_are_moved(salon, therapist, room, routine, client_, day):
    booked = appointment_book(client=client_, routine=routine, start=at(day, 10), room=room)

    with pytest.raises(Conflict) as refused:
        room_active_set(room=room, active=False)

    assert refused.value.code == "bookings_in_the_way"
    assert "10:00" in refused.value.fields["active"][0]
    assert str(client_) in refused.value.detail
    assert Room.objects.get(pk=room.pk).active

    appointment_transition(appointment=booked, to_status="cancelled", reason="Moved elsewhere")
    room_active_set(room=room, active=False)

    assert not Room.objects.get(pk=room.pk).active
    assert starts(salon, routine, day) == []  # the only room
    room_active_set(room=room, active=True)
    assert starts(salon, routine, day)


def test_a_room_out_of_service_for_days_is_not_offered_and_not_over_a_booking(
    salon, therapist, room, routine, client_, day
):
    appointment_book(client=client_, routine=routine, start=at(day, 10), room=room)
    next_day = day + datetime.timedelta(days=1)

    with pytest.raises(Conflict) as refused:
        time_off_add(room=room, start=at(day, 0), end=at(next_day + datetime.timedelta(days=1), 0))
    away = time_off_add(room=room, start=at(next_day, 0), end=at(next_day + datetime.timedelta(days=2), 0))

    assert refused.value.code == "bookings_in_the_way"
    assert away.reason == ""
    assert starts(salon, routine, next_day) == []
    assert starts(salon, routine, day)


def test_room_change_is_all_or_nothing(salon, therapist, room, routine, client_, day):
    appointment_book(client=client_, routine=routine, start=at(day, 10), room=room)

    with pytest.raises(Conflict):
        room_change(room=room, name="Linde", active=False)

    assert Room.objects.get(pk=room.pk).name == "Linden"


# The API.


@pytest.fixture
def manager_api(api_client, manager):
    api_client.force_authenticate(manager)
    return api_client


def test_a_manager_adds_renames_and_takes_a_room_out_of_use(manager_api, salon, room):
    made = manager_api.post(
        f"/api/v1/rooms/?location={salon.pk}", {"name": "Birke", "equipment": "Hot stones"}, format="json"
    )
    renamed = manager_api.patch(f"/api/v1/rooms/{made.json()['id']}/", {"name": "Birch"}, format="json")
    retired = manager_api.patch(f"/api/v1/rooms/{made.json()['id']}/", {"active": False}, format="json")
    listed = manager_api.get(f"/api/v1/rooms/?location={salon.pk}").json()

    assert made.status_code == 201, made.json()
    assert made.json() == {
        "id": made.json()["id"], "location": salon.pk, "name": "Birke", "equipment": "Hot stones", "active": True
    }  # fmt: skip
    assert (renamed.status_code, renamed.json()["name"], renamed.json()["equipment"]) == (200, "Birch", "Hot stones")
    assert (retired.status_code, retired.json()["active"]) == (200, False)
    assert [(entry["name"], entry["active"]) for entry in listed] == [("Birch", False), ("Linden", True)]


def test_the_api_refuses_out_of_use_over_bookings_and_bad_names(
    manager_api, salon, therapist, room, routine, client_, day
):
    appointment_book(client=client_, routine=routine, start=at(day, 10), room=room)
    room_create(salon=salon, name="Birke")

    busy = manager_api.patch(f"/api/v1/rooms/{room.pk}/", {"active": False}, format="json")
    taken = manager_api.patch(f"/api/v1/rooms/{room.pk}/", {"name": "birke"}, format="json")
    blank = manager_api.post("/api/v1/rooms/", {"name": ""}, format="json")
    too_long = manager_api.post("/api/v1/rooms/", {"name": "x" * 81}, format="json")

    assert (busy.status_code, busy.json()["code"]) == (409, "bookings_in_the_way")
    assert "10:00" in busy.json()["fields"]["active"][0]
    assert (taken.status_code, list(taken.json()["fields"])) == (400, ["name"])
    assert (blank.status_code, list(blank.json()["fields"])) == (400, ["name"])
    assert (too_long.status_code, list(too_long.json()["fields"])) == (400, ["name"])


def test_staff_read_rooms_and_only_managers_change_them(api_client, salon, room, receptionist, therapist):
    for user in (receptionist, therapist.user):
        api_client.force_authenticate(user)
        assert [entry["name"] for entry in api_client.get("/api/v1/rooms/").json()] == ["Linden"]
        assert api_client.patch(f"/api/v1/rooms/{room.pk}/", {"name": "Linde"}, format="json").status_code == 403
        assert api_client.post("/api/v1/rooms/", {"name": "Birke"}, format="json").status_code == 403


def test_a_room_at_a_location_not_granted_is_out_of_reach(api_client, scene, room):
    from salon.roles import Role
    from tests.factories import UserFactory

    london, (thames,) = scene.location_add(name="London", time_zone="Europe/London", rooms=["Thames"])
    manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    manager.locations.add(scene.salon)
    api_client.force_authenticate(manager)

    assert api_client.get(f"/api/v1/rooms/?location={london.pk}").status_code == 403
    assert api_client.patch(f"/api/v1/rooms/{thames.pk}/", {"active": False}, format="json").status_code == 404
    assert Room.objects.get(pk=thames.pk).active
