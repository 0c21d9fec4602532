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
from sessions.services.waitlist import waitlist_join
from tests.factories import ClientFactory, TherapistFactory, works_every_day
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


def test_a_held_room_is_busy_for_another_therapist_the_desk_puts_in_it(salon, therapist, room, online, client_, soon):
    # Given Ada holds 10:00 in the only room, with Anna
    hold_for(salon, online, at(soon, 10))
    jonas = TherapistFactory(salon=salon, display_name="Jonas")
    works_every_day(jonas)

    # When the desk books Jonas in that room at 10:30, naming both
    with pytest.raises(Conflict) as refused:
        appointment_book(client=client_, routine=online, start=at(soon, 10, 30), minutes=60, therapist=jonas, room=room)

    # Then the room is busy until the hold is confirmed or runs out
    assert refused.value.code == "room_busy"
    assert not Appointment.objects.exists()


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
    known = ClientFactory(salon=salon, given_name="Sabine", family_name="Krüger", email="sabine@example.com")
    clients = Client.objects.count()
    hold = hold_for(salon, online, at(soon, 10), given_name="sabine", family_name="Kruger", email="Sabine@Example.com")

    assert Client.objects.count() == clients  # holding touched no record
    appointment = booking_hold_confirm(hold=hold)

    assert appointment.client == known
    assert Client.objects.count() == clients


def test_of_a_family_sharing_an_address_the_one_named_is_booked(salon, therapist, room, online, soon):
    # Given Erika and Max at one email address (the plan is built from the screening of whoever is booked)
    ClientFactory(salon=salon, given_name="Max", family_name="Weber", email="webers@example.com")
    erika = ClientFactory(salon=salon, given_name="Erika", family_name="Weber", email="webers@example.com")
    # When Erika books online from that address
    hold = hold_for(salon, online, at(soon, 10), given_name="Erika", family_name="Weber", email="webers@example.com")
    # Then her record is booked, not the older one at the address
    assert booking_hold_confirm(hold=hold).client == erika


def test_a_name_not_known_at_the_address_books_a_new_record(salon, therapist, room, online, soon):
    # Given Max at an address
    max_ = ClientFactory(salon=salon, given_name="Max", family_name="Weber", email="webers@example.com")
    # When someone else books from it under another name
    hold = hold_for(salon, online, at(soon, 10), given_name="Lena", family_name="Weber", email="webers@example.com")
    booked = booking_hold_confirm(hold=hold).client
    # Then Lena gets a record of her own (the desk may merge it later), and Max's is untouched
    assert booked != max_
    assert (booked.given_name, booked.email) == ("Lena", "webers@example.com")


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


# --- A phone number alone: the link goes by SMS ---------------------------------------


def sms_link(sms_outbox) -> str:
    (sms,) = sms_outbox
    return next(word for word in sms["text"].split() if "/book/confirm/" in word)


def test_a_phone_number_alone_gets_the_link_by_sms_and_confirming_books_a_new_client(
    salon, therapist, room, online, soon, sms_outbox
):
    from django.core import mail

    from sessions.messages import SMS_MAX_SEGMENTS, hold_confirmation_send, sms_segments

    # Given Ada holds a time giving only her phone number, written the local way
    hold = hold_for(salon, online, at(soon, 10), email="", phone="0151 23456789", consent_reminders=True)
    assert hold.phone == "+4915123456789"

    # When the confirmation goes out
    hold_confirmation_send(hold_id=hold.pk)

    # Then it is one SMS to that number, within the parts allowed, with the whole link, and no email
    (sms,) = sms_outbox
    assert sms["to"] == "+4915123456789"
    assert sms_segments(sms["text"]) <= SMS_MAX_SEGMENTS
    assert mail.outbox == []
    token = sms_link(sms_outbox).rstrip("/").rsplit("/", 1)[1]

    # And confirming with its token books a new client known by that number, who hears by SMS
    appointment = booking_hold_confirm(hold=hold_from_token(token))
    ada = appointment.client
    assert (ada.phone, ada.email, ada.preferred_channel) == ("+4915123456789", "", Client.Channel.SMS)
    assert appointment.origin == Appointment.Origin.ONLINE


def test_an_existing_client_is_found_by_the_phone_number_the_link_went_to(
    salon, therapist, room, online, soon, sms_outbox
):
    known = ClientFactory(salon=salon, given_name="Ada", family_name="Neu", email="", phone="+4915123456789")
    clients = Client.objects.count()

    hold = hold_for(salon, online, at(soon, 10), email="", phone="+49 151 2345 6789")
    assert Client.objects.count() == clients  # holding touched no record
    appointment = booking_hold_confirm(hold=hold)

    assert appointment.client == known
    assert Client.objects.count() == clients


def test_a_phone_number_typed_next_to_ones_own_email_finds_nobodys_record(salon, therapist, room, online, soon):
    """The link went to the email address: the phone number was never
    proven, so its owner's record (and the intake link for it) stays out of
    reach of whoever typed it."""
    someone = ClientFactory(salon=salon, email="", phone="+4915123456789")

    hold = hold_for(salon, online, at(soon, 10), email="mallory@example.com", phone="0151 23456789")
    appointment = booking_hold_confirm(hold=hold)

    assert appointment.client != someone
    assert appointment.client.email == "mallory@example.com"
    assert not Appointment.objects.filter(client=someone).exists()


@pytest.mark.parametrize("phone", ["12", "not a number", "+49 30"])
def test_a_phone_number_that_is_none_is_refused_naming_the_field(salon, therapist, room, online, soon, phone):
    with pytest.raises(InvalidInput) as refused:
        hold_for(salon, online, at(soon, 10), email="", phone=phone)

    assert "phone" in refused.value.fields
    assert not BookingHold.objects.exists()


def test_neither_email_nor_phone_holds_nothing(salon, therapist, room, online, soon):
    with pytest.raises(InvalidInput):
        hold_for(salon, online, at(soon, 10), email="", phone="")

    assert not BookingHold.objects.exists()


def test_the_sms_link_fits_whatever_the_salon_is_called(salon, therapist, room, online, soon, sms_outbox, settings):
    from sessions.messages import SMS_MAX_SEGMENTS, hold_confirmation_send, sms_segments

    settings.SITE_URL = "https://termine.massagepraxis-am-stadtpark-beispiel.de"
    salon.name = "Massagepraxis am Stadtpark für Rücken, Nacken und Schultern, Łódź-Filiale 🌿"
    salon.save()
    hold = hold_for(salon, online, at(soon, 10), email="", phone="0151 23456789")

    hold_confirmation_send(hold_id=hold.pk)

    text = sms_outbox[0]["text"]
    assert sms_segments(text) <= SMS_MAX_SEGMENTS
    link = sms_link(sms_outbox)
    assert link.startswith(f"{settings.SITE_URL}/book/confirm/")
    assert hold_from_token(link.removesuffix("/").rsplit("/", 1)[1]) == hold  # the link arrives whole


@pytest.mark.parametrize(
    ("phone", "why"),
    [
        ("+44 7911 123456", "a mobile in Britain"),
        ("+43 664 1234567", "a mobile in Austria"),
        ("+49 30 5550100", "a landline"),
    ],
)
def test_a_link_is_texted_only_to_a_mobile_number_in_the_locations_country(
    salon, therapist, room, online, soon, sms_outbox, phone, why
):
    # Given someone booking with only a phone number that is not a local mobile
    # When they ask to hold a time
    with pytest.raises(InvalidInput) as refused:
        hold_for(salon, online, at(soon, 10), email="", phone=phone)
    # Then nothing is held or texted, and the phone field says to give an email address
    assert refused.value.code == "sms_not_possible", why
    assert "phone" in refused.value.fields
    assert not BookingHold.objects.exists()
    assert sms_outbox == []


def test_links_by_sms_stop_at_the_daily_limit_and_an_email_address_still_works(
    salon, therapist, room, online, soon, sms_outbox, settings
):
    settings.ONLINE_SMS_LINKS_PER_DAY = 2
    # Given yesterday's texted hold, and two texted today (a hold and a waitlist entry)
    yesterday = hold_for(salon, online, at(soon, 9), email="", phone="0151 11111111")
    BookingHold.objects.filter(pk=yesterday.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    hold_for(salon, online, at(soon, 11), email="", phone="0151 22222222")
    waitlist_join(salon=salon, routine=online, first_day=soon, last_day=soon, given_name="Bo", family_name="K",
                  phone="0151 33333333")  # fmt: skip
    texted = len(sms_outbox)

    # When a third asks for a link by SMS today
    with pytest.raises(InvalidInput) as refused:
        hold_for(salon, online, at(soon, 13), email="", phone="0151 44444444")

    # Then it is refused, naming the email field, and nothing more is texted
    assert refused.value.code == "sms_daily_limit"
    assert "email" in refused.value.fields
    assert len(sms_outbox) == texted
    # and with an email address the same time is held
    assert hold_for(salon, online, at(soon, 13), phone="0151 44444444").email == "ada@example.com"


def test_a_number_abroad_beside_an_email_address_is_kept(salon, therapist, room, online, soon):
    # The link goes by email: the number is only kept with the booking
    hold = hold_for(salon, online, at(soon, 10), phone="+44 7911 123456")
    assert hold.phone == "+447911123456"
