"""The desk's week of one therapist reads only her bookings whole (the
others' still keep their rooms busy); the room view asks, once a minute,
whether someone who may work in a room is free."""

import pytest

from sessions.services.booking import appointment_book
from tests.factories import ClientFactory, RoomFactory, TherapistFactory, works_every_day
from tests.helpers import at
from tests.sessions.test_desk import grid_of, said

pytestmark = pytest.mark.django_db


@pytest.fixture
def bea(salon):
    therapist = TherapistFactory(salon=salon, display_name="Bea")
    works_every_day(therapist)
    return therapist


def test_the_week_shows_her_bookings_and_a_room_another_therapist_holds_is_not_free(
    salon, therapist, bea, room, routine, tomorrow
):
    # Given Anna booked at 14:00 and Bea at 10:00, in the only room
    mine = appointment_book(
        client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 14), therapist=therapist
    )
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10), therapist=bea)

    # When the desk opens Anna's week
    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7), view="week", therapist_id=therapist.pk)

    # Then only her booking is shown, and Bea's keeps the room from her
    assert grid.appointments == [mine]
    column = (tomorrow - grid.day).days
    assert said(grid, column=column)["10:00"] == ("unfit", "No room free")
    assert said(grid, column=column)["11:15"] == ("fits", "")


def test_without_a_therapist_the_week_is_the_first_therapists(salon, therapist, bea, room, routine, tomorrow):
    # Given Bea booked at 10:00 (Anna is first by name)
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10), therapist=bea)
    own = appointment_book(
        client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 12), therapist=therapist
    )

    for asked in (None, bea.pk + 1000):  # none asked, or one who is not here
        grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7), view="week", therapist_id=asked)

        assert grid.therapist == therapist
        assert grid.appointments == [own]


def test_the_week_of_another_therapist_shows_hers(salon, therapist, bea, room, routine, tomorrow):
    theirs = appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10), therapist=bea)
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 12), therapist=therapist)

    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7), view="week", therapist_id=bea.pk)

    assert grid.appointments == [theirs]
    assert said(grid, column=(tomorrow - grid.day).days)["12:00"] == ("unfit", "No room free")


def test_a_day_shows_every_therapists_bookings(salon, therapist, bea, room, routine, tomorrow):
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10), therapist=bea)
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 12), therapist=therapist)

    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7))

    assert len(grid.appointments) == 2


def test_the_room_view_asks_who_may_work_in_each_room(salon, therapist, bea, room, routine, tomorrow):
    # Given Bea kept to the room Ulme and Anna booked at 10:00 in Ulme
    ulme = RoomFactory(salon=salon, name="Ulme")
    bea.rooms.set([ulme])
    appointment_book(
        client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10), therapist=therapist, room=ulme
    )

    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7), view="rooms")

    # Then Linden has no one for 10:00 (Anna is busy, Bea may not work there); at 11:15 both rooms fit
    linden_column = [column.heading for column in grid.columns].index(room.name)
    assert said(grid, column=linden_column)["10:00"] == ("unfit", "No therapist free")
    assert said(grid, column=linden_column)["11:15"] == ("fits", "")
    assert said(grid, column=1 - linden_column)["11:15"] == ("fits", "")
