"""Online booking's core: a held time is busy for everyone else until it is
confirmed or runs out; confirming books it for the client the address
belongs to (a new one when nobody has it), as an online booking."""

import datetime

import pytest
from django.utils import timezone

from clients.models import Client
from routines.services import service_set
from salon.errors import Conflict, Gone, InvalidInput
from sessions.models import Appointment, BookingHold
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from sessions.services.online import (
    booking_hold_confirm,
    booking_hold_create,
    booking_holds_expire,
    hold_from_token,
    hold_token,
)
from tests.factories import ClientFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def online(salon, routine):
    """The test routine on the menu for online booking at 45 and 60 minutes."""
    service_set(salon=salon, routine=routine, lengths=[(45, 5500), (60, 7000)], online=True)
    return routine


@pytest.fixture
def soon(tomorrow):
    return tomorrow + datetime.timedelta(days=1)


def hold_for(salon, routine, start, **contact):
    fields = {"given_name": "Ada", "family_name": "Neu", "email": "ada@example.com", **contact}
    return booking_hold_create(salon=salon, routine=routine, start=start, minutes=60, **fields)


def starts(salon, routine, day):
    slots, _ = availability(salon=salon, routine=routine, first_day=day, last_day=day, minutes=60, online=True)
    return {slot.as_dict(salon.zone)["start"].time() for slot in slots}


def test_a_held_time_is_busy_for_availability_and_for_the_desk(salon, therapist, room, online, client_, soon):
    # Given Ada holds 10:00 with the only therapist
    hold = hold_for(salon, online, at(soon, 10))

    # Then 10:00 is not offered, and the desk cannot book it either
    assert datetime.time(10) not in starts(salon, online, soon)
    with pytest.raises(Conflict) as refused:
        appointment_book(client=client_, routine=online, start=at(soon, 10), minutes=60)
    assert refused.value.code == "therapist_busy"
    assert hold.expires_at - hold.created_at <= datetime.timedelta(minutes=salon.online_hold_minutes, seconds=1)


def test_a_hold_that_runs_out_frees_its_time_at_once(salon, therapist, room, online, soon):
    hold = hold_for(salon, online, at(soon, 10))

    # When its time runs out (moved, not waited for)
    BookingHold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    # Then the slot is offered again, beat marks the hold expired, and its link refuses
    assert datetime.time(10) in starts(salon, online, soon)
    assert booking_holds_expire() == 1
    with pytest.raises(Gone):
        booking_hold_confirm(hold=hold)
    # and someone else can hold the same time
    assert hold_for(salon, online, at(soon, 10), email="ben@example.com").status == BookingHold.Status.HELD


def test_confirming_books_a_new_client_online_with_the_consents_given(salon, therapist, room, online, soon):
    hold = hold_for(salon, online, at(soon, 10), phone="0151 23456789", consent_reminders=True)

    appointment = booking_hold_confirm(hold=hold_from_token(hold_token(hold)))

    assert appointment.origin == Appointment.Origin.ONLINE
    assert appointment.end - appointment.start == datetime.timedelta(minutes=60)
    ada = appointment.client
    assert (ada.given_name, ada.email, ada.consent_reminders) == ("Ada", "ada@example.com", True)
    hold.refresh_from_db()
    assert hold.status == BookingHold.Status.CONFIRMED
    assert hold.appointment == appointment
    with pytest.raises(Conflict):
        booking_hold_confirm(hold=hold)  # a second click books nothing more
    assert Appointment.objects.count() == 1


def test_an_existing_client_is_found_by_the_address_only_when_confirming(salon, therapist, room, online, soon):
    known = ClientFactory(salon=salon, given_name="Sabine", email="sabine@example.com")
    clients = Client.objects.count()
    hold = hold_for(salon, online, at(soon, 10), given_name="Sabine", family_name="X", email="Sabine@Example.com")

    assert Client.objects.count() == clients  # holding touched no record
    appointment = booking_hold_confirm(hold=hold)

    assert appointment.client == known
    assert Client.objects.count() == clients


def test_the_online_rules_are_the_locations(salon, therapist, room, online, routine, soon, tomorrow):
    # A service not marked for online booking, too little notice, a limit on open bookings
    service_set(salon=salon, routine=routine, lengths=[(60, 7000)], online=False)
    with pytest.raises(InvalidInput) as not_online:
        hold_for(salon, online, at(soon, 10))
    assert not_online.value.code == "not_bookable_online"

    service_set(salon=salon, routine=routine, lengths=[(60, 7000)], online=True)
    salon.online_notice_minutes = 3 * 24 * 60
    salon.save()
    with pytest.raises(InvalidInput) as too_soon:
        hold_for(salon, online, at(soon, 10))
    assert too_soon.value.code == "too_short_notice"


def test_a_client_past_the_limit_of_online_bookings_is_asked_to_call(salon, therapist, room, online, soon):
    salon.online_open_bookings = 1
    salon.save()
    booking_hold_confirm(hold=hold_for(salon, online, at(soon, 9)))

    with pytest.raises(Conflict) as refused:
        booking_hold_confirm(hold=hold_for(salon, online, at(soon, 12)))

    assert refused.value.code == "too_many_online_bookings"
    assert Appointment.objects.count() == 1


def test_new_clients_can_be_kept_to_the_phone(salon, therapist, room, online, soon):
    salon.online_new_clients = False
    salon.save()

    with pytest.raises(Conflict) as refused:
        booking_hold_confirm(hold=hold_for(salon, online, at(soon, 10)))

    assert refused.value.code == "new_clients_by_phone"
    assert not Client.objects.filter(email="ada@example.com").exists()


def test_a_tampered_link_names_no_hold(salon, therapist, room, online, soon):
    hold = hold_for(salon, online, at(soon, 10))

    from salon.errors import NotFound

    with pytest.raises(NotFound):
        hold_from_token(hold_token(hold) + "x")
