"""Rooms a therapist can work in: where a therapist is kept to some rooms,
availability and booking place her only there; elsewhere any room will do."""

import datetime

import pytest

from salon.errors import Conflict, InvalidInput
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from tests.factories import short_routine
from tests.helpers import at
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    """Anna and Ben, rooms Linden and Birke; Anna works only in Birke."""
    scene = salon_scenario(therapists=["Anna", "Ben"], rooms=["Linden", "Birke"], clients=["Sabine", "Tom"])
    scene.therapists[0].rooms.set([scene.rooms[1]])
    return scene


@pytest.fixture
def day():
    return datetime.date.today() + datetime.timedelta(days=7)


def test_a_therapist_kept_to_a_room_is_booked_there(scene, day):
    anna = scene.therapists[0]

    booked = appointment_book(client=scene.client, routine=short_routine(), start=at(day, 10), therapist=anna)

    assert booked.room.name == "Birke"


def test_a_room_she_does_not_work_in_is_refused_naming_the_room(scene, day):
    anna, linden = scene.therapists[0], scene.rooms[0]

    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=scene.client, routine=short_routine(), start=at(day, 10), therapist=anna, room=linden)

    assert refused.value.code == "room_not_allowed"
    assert list(refused.value.fields) == ["room"]


def test_when_her_room_is_taken_she_is_not_offered(scene, day):
    anna, ben = scene.therapists
    routine = short_routine()
    appointment_book(client=scene.clients[1], routine=routine, start=at(day, 10), therapist=ben, room=scene.rooms[1])

    slots, _ = availability(salon=scene.salon, routine=routine, first_day=day, last_day=day)
    offered = {(slot.as_dict(scene.salon.zone)["start"].time(), slot.therapist, slot.room) for slot in slots}

    assert not any(start == datetime.time(10) for start, *_ in offered), "Linden is free, but Anna does not work there"
    assert (datetime.time(10, 15), anna.pk, scene.rooms[1].pk) in offered
    with pytest.raises(Conflict):
        appointment_book(client=scene.client, routine=routine, start=at(day, 10), therapist=anna)


def test_without_a_therapist_named_one_with_a_free_room_is_chosen(day):
    """Birke is taken at 10:00; Anna (first by name, free) works only there,
    so the booking goes to Cara in Linden."""
    scene = salon_scenario(therapists=["Anna", "Ben", "Cara"], rooms=["Linden", "Birke"], clients=["Sabine", "Tom"])
    anna, ben, cara = scene.therapists
    anna.rooms.set([scene.rooms[1]])
    routine = short_routine()
    appointment_book(client=scene.clients[1], routine=routine, start=at(day, 10), therapist=ben, room=scene.rooms[1])

    booked = appointment_book(client=scene.client, routine=routine, start=at(day, 10))

    assert (booked.therapist, booked.room.name) == (cara, "Linden")


def test_when_no_free_therapist_has_a_free_room_it_is_a_room_conflict(scene, day):
    ben = scene.therapists[1]
    routine = short_routine()
    appointment_book(client=scene.clients[1], routine=routine, start=at(day, 10), therapist=ben, room=scene.rooms[1])

    with pytest.raises(Conflict) as refused:
        appointment_book(client=scene.client, routine=routine, start=at(day, 10))

    assert refused.value.code == "room_busy"


def test_rooms_at_another_location_do_not_restrict_her_here(scene, day):
    anna = scene.therapists[0]
    _, (thames,) = scene.location_add(name="London", time_zone="Europe/London", rooms=["Thames"])
    anna.rooms.set([thames])

    booked = appointment_book(
        client=scene.client, routine=short_routine(), start=at(day, 10), therapist=anna, salon=scene.salon
    )

    assert booked.room.salon == scene.salon


def test_availability_costs_the_same_queries_with_rooms_kept(scene, day, django_assert_max_num_queries):
    routine = short_routine()
    with django_assert_max_num_queries(8):
        slots, _ = availability(salon=scene.salon, routine=routine, first_day=day, last_day=day)
    assert {slot.room for slot in slots if slot.therapist == scene.therapists[0].pk} == {scene.rooms[1].pk}


def test_when_her_only_room_is_out_of_use_she_is_not_placed_in_another(scene, day):
    anna = scene.therapists[0]
    scene.rooms[1].active = False
    scene.rooms[1].save()

    slots, _ = availability(salon=scene.salon, routine=short_routine(), first_day=day, last_day=day)

    assert all(slot.therapist != anna.pk for slot in slots)
    with pytest.raises((Conflict, InvalidInput)):
        appointment_book(client=scene.client, routine=short_routine(slug="other"), start=at(day, 10), therapist=anna)


def test_time_off_entered_while_a_booking_chose_her_is_seen_after_her_lock(scene, day, monkeypatch):
    """The calendar was read before the chosen therapist's row was locked; a
    manager's time off that got in between is read again after the lock."""
    from salon.models import TimeOff
    from sessions.services import placement

    locked = placement.therapist_lock_here
    start, day_ends = at(day, 10), at(day, 20)

    def time_off_slips_in(therapist, salon):
        TimeOff.objects.create(therapist=therapist, start=start, end=day_ends, reason="Ill")
        return locked(therapist, salon)

    monkeypatch.setattr(placement, "therapist_lock_here", time_off_slips_in)

    with pytest.raises(Conflict) as refused:
        appointment_book(client=scene.client, routine=short_routine(), start=at(day, 10))

    assert "changed a moment ago" in refused.value.detail


def test_a_room_taken_out_of_use_while_a_booking_chose_it_is_not_used(scene, day, monkeypatch):
    from salon.models import Room
    from sessions.services import placement

    locked = placement.therapist_lock

    def room_goes_out_of_use(**checked):
        Room.objects.filter(pk=scene.rooms[1].pk).update(active=False)
        return locked(**checked)

    monkeypatch.setattr(placement, "therapist_lock", room_goes_out_of_use)

    with pytest.raises(Conflict) as refused:
        appointment_book(client=scene.client, routine=short_routine(), start=at(day, 10), therapist=scene.therapists[0])

    assert refused.value.code == "room_busy"
