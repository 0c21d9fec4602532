"""The service menu at booking time: a routine sold in lengths with prices
is booked for one of them (or the default one), availability follows that
length, and the booking keeps the price it was made at."""

import datetime

import pytest

from routines.services import service_set
from salon.errors import InvalidInput
from sessions.selectors import availability
from sessions.services.booking import appointment_book, appointment_reschedule
from tests.factories import short_routine, works_every_day
from tests.helpers import at
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return salon_scenario(slot_minutes=15)


@pytest.fixture
def day():
    return datetime.date.today() + datetime.timedelta(days=7)


@pytest.fixture
def routine():
    """Takes 30 minutes (at least 30), then 15 minutes of turnover."""
    return short_routine(slug="back", minutes=30, turnover=15)


def test_a_booking_keeps_the_price_of_the_length_booked(scene, routine, day):
    service_set(salon=scene.salon, routine=routine, lengths=[(30, 4500), (60, 7900)])

    booked = appointment_book(client=scene.client, routine=routine, start=at(day, 10), minutes=60)

    assert booked.end - booked.start == datetime.timedelta(minutes=60)
    assert booked.busy_until - booked.end == datetime.timedelta(minutes=15)
    assert (booked.price_minor, booked.currency) == (7900, "EUR")
    assert booked.plan.booked_minutes == 60


def test_a_later_price_change_leaves_past_bookings_alone(scene, routine, day):
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7900)])
    booked = appointment_book(client=scene.client, routine=routine, start=at(day, 10), minutes=60)

    service_set(salon=scene.salon, routine=routine, lengths=[(60, 9900)])
    booked.refresh_from_db()
    later = appointment_book(client=scene.client, routine=routine, start=at(day, 12), minutes=60)

    assert booked.price_minor == 7900
    assert later.price_minor == 9900


def test_without_a_length_the_one_nearest_the_routine_is_booked(scene, routine, day):
    service_set(salon=scene.salon, routine=routine, lengths=[(30, 4500), (90, 9900)])

    booked = appointment_book(client=scene.client, routine=routine, start=at(day, 10))

    assert booked.end - booked.start == datetime.timedelta(minutes=30)
    assert booked.price_minor == 4500


def test_a_length_not_on_the_menu_is_refused_naming_minutes(scene, routine, day):
    service_set(salon=scene.salon, routine=routine, lengths=[(30, 4500), (60, 7900)])

    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=scene.client, routine=routine, start=at(day, 10), minutes=45)

    assert refused.value.code == "length_not_offered"
    assert "minutes" in refused.value.fields
    assert "30, 60" in refused.value.detail


def test_a_routine_without_prices_is_booked_as_before_and_has_no_price(scene, routine, day):
    booked = appointment_book(client=scene.client, routine=routine, start=at(day, 10))

    assert booked.end - booked.start == datetime.timedelta(minutes=30)
    assert booked.price_minor is None
    assert booked.currency == ""


def test_availability_follows_the_length_asked_for(scene, routine, day):
    """Anna works 9:00–17:00: a 90-minute session plus 15 of turnover must
    start by 15:15, a 30-minute one by 16:15."""
    service_set(salon=scene.salon, routine=routine, lengths=[(30, 4500), (90, 9900)])

    short, _ = availability(salon=scene.salon, routine=routine, first_day=day, last_day=day, minutes=30)
    long, _ = availability(salon=scene.salon, routine=routine, first_day=day, last_day=day, minutes=90)

    last = {name: slots[-1].as_dict(scene.salon.zone)["start"].time() for name, slots in (("30", short), ("90", long))}
    assert last == {"30": datetime.time(16, 15), "90": datetime.time(15, 15)}


def test_the_menu_turnover_replaces_the_routines(scene, routine, day):
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7900)], turnover_minutes=30)

    booked = appointment_book(client=scene.client, routine=routine, start=at(day, 10))

    assert booked.busy_until - booked.end == datetime.timedelta(minutes=30)


def test_moving_a_booking_keeps_its_length_and_price(scene, routine, day):
    service_set(salon=scene.salon, routine=routine, lengths=[(30, 4500), (60, 7900)])
    booked = appointment_book(client=scene.client, routine=routine, start=at(day, 10), minutes=60)
    service_set(salon=scene.salon, routine=routine, lengths=[(30, 5000)])

    moved = appointment_reschedule(appointment=booked, start=at(day, 14))

    assert moved.end - moved.start == datetime.timedelta(minutes=60)
    assert moved.price_minor == 7900


def test_a_length_shorter_than_the_routine_can_be_done_in_is_refused(scene, routine):
    with pytest.raises(InvalidInput) as refused:
        service_set(salon=scene.salon, routine=routine, lengths=[(60, 7900), (20, 3000)])

    assert list(refused.value.fields) == ["lengths.1.minutes"]
    assert "30 minutes at least" in refused.value.detail


def test_online_booking_needs_a_price(scene, routine):
    with pytest.raises(InvalidInput) as refused:
        service_set(salon=scene.salon, routine=routine, lengths=[], online=True)

    assert list(refused.value.fields) == ["online"]


def test_taking_a_service_off_the_menu_keeps_its_prices_and_stops_bookings(scene, routine, day):
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7900)])

    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7900)], offered=False)

    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=scene.client, routine=routine, start=at(day, 10))
    assert refused.value.code == "routine_not_offered"
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7900)], offered=True)
    assert appointment_book(client=scene.client, routine=routine, start=at(day, 10)).price_minor == 7900


def test_each_location_has_its_own_prices(scene, routine, day):
    london, _ = scene.location_add(name="London", time_zone="Europe/London", rooms=["Thames"], currency="GBP")
    scene.therapist.user.locations.add(london)
    works_every_day(scene.therapist, salon=london)
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7900)])
    service_set(salon=london, routine=routine, lengths=[(60, 6500)])

    in_london = appointment_book(
        client=scene.client, routine=routine, start=at(day + datetime.timedelta(days=1), 12), salon=london
    )

    assert (in_london.price_minor, in_london.currency) == (6500, "GBP")


def test_a_length_left_on_the_menu_when_the_routine_grew_longer_is_not_sold(scene, routine, day):
    from routines.services import routine_update
    from tests.factories import step_data

    service_set(salon=scene.salon, routine=routine, lengths=[(30, 4500), (60, 7900)])
    longer = routine_update(routine=routine, steps=[step_data(1, min_minutes=45, max_minutes=45)])

    with pytest.raises(InvalidInput) as too_short:
        appointment_book(client=scene.client, routine=longer, start=at(day, 10), minutes=30)
    booked = appointment_book(client=scene.client, routine=longer, start=at(day, 12))

    assert too_short.value.code == "booking_too_short"
    assert (booked.end - booked.start, booked.price_minor) == (datetime.timedelta(minutes=60), 7900)
