"""The waitlist: time that frees up is offered to the entries it suits, in
order of joining; the first to accept gets it, the others are told it is
gone; offers run out; reruns offer nothing twice."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from clients.models import Client
from routines.services import service_set
from salon.errors import Conflict, Gone, InvalidInput, NotFound
from sessions.models import Appointment, BookingHold, WaitlistEntry, WaitlistOffer
from sessions.services.booking import appointment_book, appointment_reschedule
from sessions.services.lifecycle import appointment_transition
from sessions.services.online import booking_hold_create, booking_holds_expire
from sessions.services.waitlist import (
    entry_from_token,
    entry_token,
    offer_from_token,
    offer_token,
    waitlist_expire,
    waitlist_join,
    waitlist_offer_accept,
    waitlist_offers_for_freed_time,
    waitlist_withdraw,
)
from tests.factories import ClientFactory, TherapistFactory, short_routine, works_every_day
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def online(salon, routine):
    """The test routine on the menu for online booking at 45 and 60 minutes (75 with turnover)."""
    service_set(salon=salon, routine=routine, lengths=[(45, 5500), (60, 7000)], online=True)
    return routine


@pytest.fixture
def soon(tomorrow):
    return tomorrow + datetime.timedelta(days=1)


def join(salon, routine, day, *, email="ada@example.com", **fields):
    values = {
        "given_name": "Ada",
        "family_name": "Neu",
        "email": email,
        "first_day": day,
        "last_day": day,
        "minutes": 60,
        **fields,
    }
    return waitlist_join(salon=salon, routine=routine, **values)


def freed(salon, day, begin=10, finish=11):
    return waitlist_offers_for_freed_time(salon=salon, start=at(day, begin), end=at(day, finish, 15))


def by_entry(offers):
    return {offer.entry_id: offer for offer in offers}


def test_a_cancelled_booking_is_offered_to_the_waiting_client_by_email(
    salon, therapist, room, online, client_, soon, eager_celery, django_capture_on_commit_callbacks
):
    # Given Sabine is booked at 10:00 and Ada waits for that morning
    booked = appointment_book(client=client_, routine=online, start=at(soon, 10), minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        ada = join(salon, online, soon, windows=[{"from": "09:00", "to": "12:00"}])
    assert "waitlist" in mail.outbox[-1].subject.lower()  # told how to leave the list
    mail.outbox.clear()

    # When Sabine's booking is cancelled
    with django_capture_on_commit_callbacks(execute=True):
        appointment_transition(appointment=booked, to_status=Appointment.Status.CANCELLED, reason="Ill")

    # Then Ada is offered 10:00 with Anna for the location's offer time, by email with the link
    offer = WaitlistOffer.objects.get(entry=ada)
    assert (offer.start, offer.therapist, offer.room, offer.status) == (at(soon, 10), therapist, room, "open")
    assert offer.expires_at - offer.created_at <= datetime.timedelta(minutes=salon.waitlist_offer_minutes, seconds=1)
    assert [message.to for message in mail.outbox if "free" in message.subject] == [["ada@example.com"]]
    assert f"/book/offer/{offer_token(offer)}/" in mail.outbox[-1].body
    assert offer_from_token(offer_token(offer)) == offer


def test_only_entries_the_freed_time_suits_get_an_offer(salon, therapist, room, online, client_, soon):
    # Given 10:00–11:15 is free and 11:15 is booked: no room for a 90-minute session there
    appointment_book(client=client_, routine=online, start=at(soon, 11, 15), minutes=60)
    longer = short_routine(slug="longer", minutes=90, turnover=15)
    service_set(salon=salon, routine=longer, lengths=[(90, 9000)], online=True)
    bea = TherapistFactory(salon=salon, display_name="Bea")
    works_every_day(bea, datetime.time(14), datetime.time(18))
    suits = {
        "anyone": join(salon, online, soon, email="a@example.com"),
        "anna": join(salon, online, soon, email="b@example.com", therapist=therapist),
        "morning": join(salon, online, soon, email="c@example.com", windows=[{"from": "09:30", "to": "11:00"}]),
        "45 minutes": join(salon, online, soon, email="d@example.com", minutes=45),
        "range": join(salon, online, soon - datetime.timedelta(days=1), email="e@example.com", last_day=soon),
    }
    misses = {
        "bea": join(salon, online, soon, email="f@example.com", therapist=bea),
        "afternoon": join(salon, online, soon, email="g@example.com", windows=[{"from": "14:00", "to": "18:00"}]),
        "too short a window": join(
            salon, online, soon, email="h@example.com", windows=[{"from": "10:00", "to": "10:45"}]
        ),
        "a longer service": join(salon, longer, soon, email="i@example.com", minutes=90),
        "another day": join(salon, online, soon + datetime.timedelta(days=1), email="j@example.com"),
    }

    offers = by_entry(freed(salon, soon))

    assert {name for name, entry in suits.items() if entry.pk in offers} == set(suits)
    assert {name for name, entry in misses.items() if entry.pk in offers} == set()
    assert offers[suits["morning"].pk].start == at(soon, 10)  # 10:00–11:00 lies in 09:30–11:00


def test_a_time_that_is_not_free_now_is_not_offered(salon, therapist, room, online, client_, soon):
    # The freed range is booked again (or held online) before the task runs
    join(salon, online, soon)
    appointment_book(client=client_, routine=online, start=at(soon, 10), minutes=60)
    booking_hold_create(
        salon=salon, routine=online, start=at(soon, 11, 15), minutes=60, given_name="B", family_name="C",
        email="b@example.com",
    )  # fmt: skip

    assert freed(salon, soon, 10, 12) == []


def test_offers_go_out_in_order_of_joining_and_a_rerun_offers_nothing_twice(
    salon, therapist, room, online, soon, eager_celery, django_capture_on_commit_callbacks
):
    entries = [join(salon, online, soon, email=f"w{number}@example.com") for number in range(3)]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        made = freed(salon, soon)

    assert [offer.entry for offer in made] == entries
    assert [message.to[0] for message in mail.outbox] == [entry.email for entry in entries]
    assert freed(salon, soon) == []  # the task ran twice
    assert WaitlistOffer.objects.count() == 3


def test_the_first_to_accept_gets_the_time_and_the_others_are_told_it_is_gone(
    salon, therapist, room, online, soon, eager_celery, django_capture_on_commit_callbacks
):
    known = ClientFactory(salon=salon, given_name="Ben", family_name="Neu", email="ben@example.com")
    ada = join(salon, online, soon)
    ben = join(salon, online, soon, given_name="Ben", family_name="Neu", email="Ben@Example.com")
    first, second = freed(salon, soon)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        appointment = waitlist_offer_accept(offer=second)

    # Ben's record is found by his address; the booking is a waitlist booking
    assert (appointment.client, appointment.origin, appointment.start) == (known, "waitlist", at(soon, 10))
    assert appointment.end - appointment.start == datetime.timedelta(minutes=60)
    second.refresh_from_db()
    ben.refresh_from_db()
    assert (second.status, second.appointment, ben.status, ben.client) == ("taken", appointment, "booked", known)
    # Ada's offer is gone, she is told, and stays on the list
    first.refresh_from_db()
    ada.refresh_from_db()
    assert (first.status, ada.status) == ("gone", "waiting")
    gone = [message for message in mail.outbox if message.to == ["ada@example.com"]]
    assert len(gone) == 1
    assert "taken" in gone[0].subject
    # Her late click books nothing
    with pytest.raises(Conflict) as late:
        waitlist_offer_accept(offer=first)
    assert late.value.code == "offer_taken"
    with pytest.raises(Conflict) as again:
        waitlist_offer_accept(offer=second)
    assert again.value.code == "offer_accepted"
    assert Appointment.objects.count() == 1


def test_accepting_books_a_new_client_with_the_consents_given(salon, therapist, room, online, soon):
    join(salon, online, soon, email="", phone="0151 23456789", consent_reminders=True)
    (offer,) = freed(salon, soon)
    clients = Client.objects.count()

    appointment = waitlist_offer_accept(offer=offer)

    assert Client.objects.count() == clients + 1
    assert (appointment.client.given_name, appointment.client.consent_reminders) == ("Ada", True)


def test_a_time_booked_meanwhile_at_the_desk_is_taken(salon, therapist, room, online, client_, soon):
    join(salon, online, soon)
    (offer,) = freed(salon, soon)
    clients = Client.objects.count()
    appointment_book(client=client_, routine=online, start=at(soon, 10, 30), minutes=45)

    with pytest.raises(Conflict) as taken:
        waitlist_offer_accept(offer=offer)

    assert taken.value.code == "offer_taken"
    offer.refresh_from_db()
    assert offer.status == "gone"
    assert Client.objects.count() == clients  # no client made for a refused booking
    assert WaitlistEntry.objects.get().status == "waiting"


def test_an_offer_runs_out(salon, therapist, room, online, soon):
    ada = join(salon, online, soon)
    (offer,) = freed(salon, soon)
    later = timezone.now() + datetime.timedelta(minutes=salon.waitlist_offer_minutes, seconds=1)

    with pytest.raises(Gone) as ran_out:
        waitlist_offer_accept(offer=offer, now=later)

    assert ran_out.value.code == "offer_expired"
    offer.refresh_from_db()
    ada.refresh_from_db()
    assert (offer.status, ada.status) == ("expired", "waiting")
    assert not Appointment.objects.exists()


def test_beat_closes_offers_and_entries_past_their_time(salon, therapist, room, online, soon):
    ada = join(salon, online, soon)
    (offer,) = freed(salon, soon)

    closed = waitlist_expire(now=at(soon + datetime.timedelta(days=1), 9))

    ada.refresh_from_db()
    offer.refresh_from_db()
    assert (closed, ada.status, offer.status) == (2, "expired", "expired")


def test_withdrawing_closes_the_entry_and_its_offers(salon, therapist, room, online, soon):
    ada = join(salon, online, soon)
    (offer,) = freed(salon, soon)

    waitlist_withdraw(entry=entry_from_token(entry_token(ada)))

    ada.refresh_from_db()
    offer.refresh_from_db()
    assert (ada.status, offer.status) == ("withdrawn", "gone")
    assert freed(salon, soon, 11, 12) == []
    with pytest.raises(Conflict) as twice:
        waitlist_withdraw(entry=ada)
    assert twice.value.code == "not_waiting"
    with pytest.raises(Conflict):
        waitlist_offer_accept(offer=offer)


def test_a_hold_running_out_and_a_move_free_time_for_the_waitlist(
    salon, therapist, room, online, client_, soon, eager_celery, django_capture_on_commit_callbacks
):
    ada = join(salon, online, soon, windows=[{"from": "10:00", "to": "11:00"}])
    ben = join(salon, online, soon, email="ben@example.com", windows=[{"from": "14:00", "to": "15:00"}])
    booking_hold_create(
        salon=salon, routine=online, start=at(soon, 10), minutes=60, given_name="B", family_name="C",
        email="hold@example.com",
    )  # fmt: skip
    booked = appointment_book(client=client_, routine=online, start=at(soon, 14), minutes=60)
    BookingHold.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        booking_holds_expire()
        appointment_reschedule(appointment=booked, start=at(soon, 15, 30))

    assert WaitlistOffer.objects.get(entry=ada).start == at(soon, 10)
    assert WaitlistOffer.objects.get(entry=ben).start == at(soon, 14)


def test_new_rota_hours_are_offered(
    salon, therapist, room, online, soon, eager_celery, django_capture_on_commit_callbacks
):
    from sessions.services.rotas import rota_set

    ada = join(salon, online, soon, windows=[{"from": "17:00", "to": "19:00"}])  # Anna works until 17:00

    with django_capture_on_commit_callbacks(execute=True):
        rota_set(
            therapist=therapist,
            salon=salon,
            valid_from=soon,
            valid_to=soon,
            shifts=[(soon.weekday(), datetime.time(9), datetime.time(20))],
        )

    assert WaitlistOffer.objects.get(entry=ada).start == at(soon, 17)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"windows": [{"from": "12:00", "to": "09:00"}]}, "windows"),
        ({"windows": [{"from": "9", "to": "10:00"}]}, "windows"),
        ({"windows": "mornings"}, "windows"),
        ({"windows": [{"from": "09:00", "to": "10:00"}] * 7}, "windows"),
        ({"email": "", "phone": ""}, "__all__"),
        ({"email": "not an address"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"given_name": "x" * 81}, "given_name"),
        ({"first_day": datetime.date(2020, 1, 1)}, "first_day"),
        ({"minutes": 50}, "minutes"),
    ],
)
def test_joining_refuses_bad_input_naming_the_field(salon, therapist, online, soon, fields, field):
    with pytest.raises(InvalidInput) as refused:
        join(salon, online, soon, **fields)

    assert field in refused.value.fields
    assert not WaitlistEntry.objects.exists()


def test_joining_online_needs_a_service_bookable_online_but_the_desk_may_add_any(
    salon, therapist, online, routine, soon, receptionist
):
    service_set(salon=salon, routine=routine, lengths=[(60, 7000)], online=False)
    with pytest.raises(InvalidInput) as refused:
        join(salon, online, soon)
    assert refused.value.code == "not_bookable_online"

    entry = join(salon, online, soon, by=receptionist)

    assert entry.added_by == receptionist


def test_a_tampered_link_is_not_found():
    with pytest.raises(NotFound):
        offer_from_token("nonsense")
    with pytest.raises(NotFound):
        entry_from_token("nonsense")


def test_an_entry_with_only_a_phone_number_is_offered_the_time_by_sms(
    salon, therapist, room, online, soon, eager_celery, django_capture_on_commit_callbacks, caplog
):
    join(salon, online, soon, email="", phone="+49 151 23456789")
    mail.outbox.clear()

    with caplog.at_level("INFO", logger="sessions.messages"), django_capture_on_commit_callbacks(execute=True):
        freed(salon, soon)

    texts = [record.getMessage() for record in caplog.records if record.getMessage().startswith("SMS to")]
    assert len(texts) == 1
    assert "+4915123456789" in texts[0]
    assert f"{at(soon, 10):%H:%M}" in texts[0]
    assert mail.outbox == []


def test_a_closed_offer_sends_nothing(salon, therapist, room, online, soon):
    from sessions.messages import waitlist_gone_message_send, waitlist_offer_message_send

    join(salon, online, soon)
    (offer,) = freed(salon, soon)
    mail.outbox.clear()
    WaitlistOffer.objects.filter(pk=offer.pk).update(status=WaitlistOffer.Status.EXPIRED)

    waitlist_offer_message_send(offer_id=offer.pk)
    waitlist_gone_message_send(offer_id=offer.pk)  # not gone either

    assert mail.outbox == []


def test_an_sms_offer_stays_within_its_parts_with_its_link_whole(
    salon, therapist, room, online, soon, eager_celery, django_capture_on_commit_callbacks, sms_outbox, settings
):
    from sessions.messages import SMS_MAX_SEGMENTS, sms_segments

    settings.SITE_URL = "https://termine.massagepraxis-am-stadtpark.example"
    salon.name = "Massagepraxis am Stadtpark für Rücken, Nacken und Schultern, Sportmassage und Entspannung"
    salon.save()
    join(salon, online, soon, email="", phone="+49 151 23456789")

    with django_capture_on_commit_callbacks(execute=True):
        freed(salon, soon)

    offer = next(sms["text"] for sms in sms_outbox if "/book/offer/" in sms["text"])
    assert sms_segments(offer) <= SMS_MAX_SEGMENTS
    link = next(word for word in offer.split() if "/book/offer/" in word)
    assert link.startswith(f"{settings.SITE_URL}/book/offer/")
    assert link.endswith("/")
