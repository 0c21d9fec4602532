"""The manager's rooms page: the location's rooms with their equipment and
whether they are in use; add, rename, re-equip; out of use refused while
sessions are booked in the room (listed on the page); out-of-service
periods entered and removed; in a fixed number of queries; managers only."""

import datetime

import pytest

from salon.models import Room, TimeOff
from salon.roles import Role
from sessions.services.booking import appointment_book
from sessions.services.time_off import time_off_add
from tests.factories import RoomFactory, UserFactory, short_routine
from tests.helpers import at, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return salon_scenario(rooms=["Linden", "Birke"])


@pytest.fixture
def boss(scene):
    """A manager of the scene's location only."""
    manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    manager.locations.add(scene.salon)
    return manager


@pytest.fixture
def manager_page(client, boss):
    sign_in(client, boss)
    return client


@pytest.fixture
def day():
    return datetime.date.today() + datetime.timedelta(days=10)


def test_the_page_lists_the_rooms_in_use_first(manager_page, scene):
    birke = scene.rooms[1]
    Room.objects.filter(pk=birke.pk).update(active=False, equipment="Broken table")

    page = manager_page.get("/manage/rooms/")

    text = page.content.decode()
    assert page.status_code == 200
    assert [room.name for room in page.context["rooms"]] == ["Linden", "Birke"]
    assert "Broken table" in text
    assert "Take Linden out of use" in text
    assert "Put Birke back in use" in text


def test_a_manager_adds_and_renames_a_room(manager_page, scene):
    added = manager_page.post("/manage/rooms/add/", {"new-name": "Ahorn", "new-equipment": "Hot stones"})
    ahorn = Room.objects.get(name="Ahorn")
    renamed = manager_page.post(
        f"/manage/rooms/{ahorn.pk}/", {f"room-{ahorn.pk}-name": "Maple", f"room-{ahorn.pk}-equipment": "Table"}
    )

    assert (added.status_code, renamed.status_code) == (302, 302)
    ahorn.refresh_from_db()
    assert (ahorn.salon, ahorn.name, ahorn.equipment, ahorn.active) == (scene.salon, "Maple", "Table", True)


def test_a_taken_or_missing_name_is_shown_next_to_the_form(manager_page, scene):
    birke = scene.rooms[1]

    taken = manager_page.post(f"/manage/rooms/{birke.pk}/", {f"room-{birke.pk}-name": "linden"})
    missing = manager_page.post("/manage/rooms/add/", {"new-name": ""})

    assert taken.status_code == 400
    assert "There is already a room called linden here." in taken.content.decode()
    assert next(room for room in taken.context["rooms"] if room.pk == birke.pk).open  # its form stays open
    assert missing.status_code == 400
    assert list(missing.context["add_form"].errors) == ["name"]
    assert Room.objects.get(pk=birke.pk).name == "Birke"


def test_out_of_use_is_refused_while_sessions_are_booked_and_lists_them(manager_page, scene, day):
    linden = scene.room
    appointment_book(client=scene.client, routine=short_routine(), start=at(day, 10), room=linden)

    refused = manager_page.post(f"/manage/rooms/{linden.pk}/in-use/", {"active": "no"})

    assert refused.status_code == 409
    assert f"{day:%a %d %b} 10:00 {scene.client} with Anna" in refused.content.decode()
    assert Room.objects.get(pk=linden.pk).active


def test_out_of_use_and_back(manager_page, scene):
    birke = scene.rooms[1]

    out = manager_page.post(f"/manage/rooms/{birke.pk}/in-use/", {"active": "no"})
    assert (out.status_code, Room.objects.get(pk=birke.pk).active) == (302, False)
    back = manager_page.post(f"/manage/rooms/{birke.pk}/in-use/", {"active": "yes"})
    assert (back.status_code, Room.objects.get(pk=birke.pk).active) == (302, True)
    unclear = manager_page.post(f"/manage/rooms/{birke.pk}/in-use/", {"active": "perhaps"})
    assert unclear.status_code == 400


def test_a_room_out_of_service_is_entered_listed_and_removed(manager_page, scene, day):
    birke = scene.rooms[1]

    entered = manager_page.post(
        "/manage/rooms/out-of-service/",
        {
            "kind": "days", "days-room": birke.pk, "days-first_day": day,
            "days-last_day": day + datetime.timedelta(days=2), "days-reason": "New table",
        },
    )  # fmt: skip
    page = manager_page.get("/manage/rooms/")
    away = TimeOff.objects.get()
    removed = manager_page.post(f"/manage/time-off/{away.pk}/remove/", {"back": "rooms"})

    assert entered.status_code == 302
    assert (away.room, away.start, away.end) == (birke, at(day, 0), at(day + datetime.timedelta(days=3), 0))
    assert (away.status, away.reason) == (TimeOff.Status.APPROVED, "New table")
    assert "New table" in page.content.decode()
    assert "(whole days)" in page.content.decode()
    assert (removed.status_code, removed["Location"]) == (302, "/manage/rooms/")
    assert not TimeOff.objects.exists()


def test_out_of_service_over_a_booking_is_refused(manager_page, scene, day):
    linden = scene.room
    appointment_book(client=scene.client, routine=short_routine(), start=at(day, 10), room=linden)

    refused = manager_page.post(
        "/manage/rooms/out-of-service/",
        {"kind": "hours", "hours-room": linden.pk, "hours-day": day, "hours-starts": "09:00", "hours-ends": "12:00"},
    )

    assert refused.status_code == 409
    assert "10:00" in refused.content.decode()
    assert not TimeOff.objects.exists()


def test_another_locations_rooms_are_out_of_reach(manager_page, scene):
    _, (thames,) = scene.location_add(name="London", time_zone="Europe/London", rooms=["Thames"])

    renamed = manager_page.post(f"/manage/rooms/{thames.pk}/", {f"room-{thames.pk}-name": "Themse"})
    retired = manager_page.post(f"/manage/rooms/{thames.pk}/in-use/", {"active": "no"})
    away = manager_page.post(
        "/manage/rooms/out-of-service/",
        {
            "kind": "hours",
            "hours-room": thames.pk,
            "hours-day": "2030-01-01",
            "hours-starts": "9:00",
            "hours-ends": "10:00",
        },
    )

    assert (renamed.status_code, retired.status_code) == (404, 404)
    assert away.status_code == 400  # not a choice here
    assert list(away.context["hours_form"].errors) == ["room"]
    thames.refresh_from_db()
    assert (thames.name, thames.active) == ("Thames", True)


def test_the_page_reads_a_fixed_number_of_queries(manager_page, scene, day, django_assert_max_num_queries):
    def fill(count):
        for number in range(count):
            room = RoomFactory(salon=scene.salon, name=f"Room {count}-{number}")
            time_off_add(room=room, start=at(day, 9), end=at(day, 12), reason="Repairs")

    fill(1)
    with django_assert_max_num_queries(30) as few:
        manager_page.get("/manage/rooms/")
    fill(6)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = manager_page.get("/manage/rooms/")
    assert len(page.context["out_of_service"]) == 7


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_get_in(client, scene, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get("/manage/rooms/").status_code == 403
    assert client.post("/manage/rooms/add/", {"new-name": "Ahorn"}).status_code == 403
    assert client.post(f"/manage/rooms/{scene.room.pk}/in-use/", {"active": "no"}).status_code == 403
    assert Room.objects.filter(active=True).count() == 2
