"""The desk grid marks each column's stretches at once (time off, off duty,
busy, closed), the first that applies winning, and reads the bookings shown
with a query compiled once."""

import datetime

import pytest

from salon.models import TimeOff
from sessions.services.booking import appointment_book
from tests.factories import ClientFactory, TherapistFactory, short_routine, works_every_day
from tests.helpers import at
from tests.scenario import salon_scenario
from tests.sessions.test_desk import grid_of, said

pytestmark = pytest.mark.django_db


def test_time_off_beyond_her_hours_is_told_before_off_duty(salon, therapist, room, routine, tomorrow):
    # Given Anna (9–17) off from 08:00 to 18:00, and the salon open until 20:00
    TimeOff.objects.create(therapist=therapist, start=at(tomorrow, 8), end=at(tomorrow, 18), reason="Course")

    cells = said(grid_of(salon, routine, tomorrow, now=at(tomorrow, 7)))

    assert cells["08:00"] == ("away", "Time off")  # before her hours, yet away
    assert cells["12:00"] == ("away", "Time off")
    assert cells["17:45"] == ("away", "Time off")
    assert cells["18:00"] == ("off", "Off duty")
    assert cells["19:45"] == ("off", "Off duty")


def test_a_booking_and_the_hours_around_it_are_said_in_order(salon, therapist, room, routine, tomorrow):
    # Given Anna booked at 10:00 and her hours ending at 17:00
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10))

    cells = said(grid_of(salon, routine, tomorrow, now=at(tomorrow, 9, 20)))

    assert cells["08:45"] == ("off", "Off duty")  # passed, but off duty says more
    assert cells["09:00"] == ("past", "")
    assert cells["09:15"] == ("past", "")  # the row now falls in is not passed, yet too late to start
    assert cells["09:30"] == ("unfit", "Needs 60 minutes' notice")
    assert cells["10:00"][0] == "booking"
    assert cells["11:00"] == ("fits", "")
    assert cells["16:15"] == ("unfit", "Off duty from 17:00")


def test_the_week_of_a_therapist_whose_id_is_not_the_locations_shows_her_bookings(
    salon, therapist, room, routine, tomorrow
):
    # Given Bea, whose id differs from the location's (the compiled query takes both)
    for _ in range(2):
        TherapistFactory(salon=salon)
    bea = TherapistFactory(salon=salon, display_name="Bea")
    works_every_day(bea)
    assert bea.pk != salon.pk
    hers = appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10), therapist=bea)

    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7), view="week", therapist_id=bea.pk)

    assert grid.appointments == [hers]
    column = (tomorrow - grid.day).days
    assert said(grid, column=column)["10:00"][0] == "booking"
    assert grid.appointments[0].day == tomorrow


def test_a_booking_cell_reads_nothing_more(salon, therapist, room, routine, tomorrow, django_assert_num_queries):
    appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(tomorrow, 10))
    grid = grid_of(salon, routine, tomorrow, now=at(tomorrow, 7))
    [appointment] = grid.appointments

    with django_assert_num_queries(0):
        words = (str(appointment.client), appointment.routine.name, appointment.room.name)
        words += (appointment.therapist.display_name, appointment.client.business.zone, appointment.end)

    assert words[1] == routine.name
    assert isinstance(words[-1], datetime.datetime)


def test_on_the_day_the_clocks_go_forward_the_rows_before_a_booking_say_when_it_starts():
    # Given a salon open round the clock (Berlin), Anna working from 03:00, and
    # a booking at 03:30 on the day the clocks go forward and on the Sunday before
    scene = salon_scenario(
        opens=datetime.time(0), closes=datetime.time(23, 45), works=(datetime.time(3), datetime.time(17))
    )
    routine = short_routine(minutes=45, turnover=15)
    spring, week_before = datetime.date(2027, 3, 28), datetime.date(2027, 3, 21)
    now = at(week_before - datetime.timedelta(days=2), 8)
    for day in (spring, week_before):
        appointment_book(client=ClientFactory(salon=scene.salon), routine=routine, start=at(day, 3, 30), now=now)

    # When the desk shows both days
    on_spring_day = said(grid_of(scene.salon, routine, spring, now=now))
    on_ordinary_day = said(grid_of(scene.salon, routine, week_before, now=now))

    # Then the rows before the booking say what they say on any other day,
    # though the grid's rows of the missing hour fall on the hour after
    for row in ("03:00", "03:15", "03:30", "04:30", "05:00"):
        assert on_spring_day[row] == on_ordinary_day[row], row
    assert on_spring_day["03:00"][1].startswith("Busy from")
