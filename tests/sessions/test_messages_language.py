"""Every message a client gets (email text and HTML, calendar file, SMS) is
in the client's language: their own, else their location's. German dates
read the German way on the 24-hour clock, and German texts keep to the SMS
length rules."""

import datetime
from types import SimpleNamespace

import icalendar
import pytest
from django.core import mail
from django.utils import translation

from clients.models import Client
from salon.models import Room, Salon
from sessions.messages import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    SMS_MAX_SEGMENTS,
    guest_language,
    send_email,
    sms_fitted,
    sms_segments,
    sms_text,
)
from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book
from tests.factories import ClientFactory, screening_for
from tests.helpers import at

pytestmark = pytest.mark.django_db

# A Tuesday in winter (Berlin is UTC+1): "Dienstag, 9. März 2027, 10:00".
DAY = datetime.date(2027, 3, 9)
LINK = "http://127.0.0.1:8000/forms/cancel/" + "t" * 90 + "/"
# Words that would betray an English text in a German message.
ENGLISH_WORDS = ["Hello", "reminder", "your", "Cannot come", "Times are local", "Tuesday", "March"]


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def booked_reminder(salon, therapist, routine, *, language: str) -> Notification:
    client = ClientFactory(salon=salon, given_name="Sabine", consent_reminders=True, language=language)
    screening_for(client)
    appointment = appointment_book(client=client, routine=routine, start=at(DAY, 10))
    return Notification.objects.filter(appointment=appointment, kind="reminder").order_by("due_at").first()


def test_a_german_client_gets_the_reminder_email_in_german(salon, therapist, room, routine):
    # Given a client who reads German, at a location that writes English
    reminder = booked_reminder(salon, therapist, routine, language="de")

    # When the reminder goes out with its cancel link
    send_email(reminder, link=LINK)

    # Then subject, text and HTML are German, with German dates on the 24-hour clock
    (email,) = mail.outbox
    assert email.subject == f"Erinnerung: Ihre Massage · {salon.name}"
    assert email.body.startswith("Hallo Sabine,\n\nwir erinnern Sie an Ihren Termin für")
    assert "am Dienstag, 9. März 2027, 10:00." in email.body
    assert "Sie können nicht kommen? Hier können Sie bis Montag, 8. März, " in email.body
    assert LINK in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert '<html lang="de">' in html
    assert "<strong>Dienstag, 9. März 2027, 10:00</strong>" in html
    assert f'<a href="{LINK}">online absagen</a>' in html
    for word in ENGLISH_WORDS:
        assert word not in email.body
        assert word not in html


def test_a_client_without_a_language_gets_the_locations(salon, therapist, room, routine):
    # Given a location that writes German and a client who never chose a language
    salon.language = "de"
    salon.save(update_fields=["language"])
    reminder = booked_reminder(salon, therapist, routine, language="")

    send_email(reminder, link=LINK)

    (email,) = mail.outbox
    assert email.subject.startswith("Erinnerung: Ihre Massage")
    assert "Dienstag, 9. März 2027, 10:00" in email.body


def test_an_english_client_at_a_german_location_gets_english(salon, therapist, room, routine):
    # Given a German location, and a client who asked for English
    salon.language = "de"
    salon.save(update_fields=["language"])
    reminder = booked_reminder(salon, therapist, routine, language="en")

    send_email(reminder, link=LINK)

    (email,) = mail.outbox
    assert email.subject.startswith("Reminder: your massage")
    assert "a reminder: your" in email.body
    assert "is on Tuesday 9 March 2027, 10:00." in email.body
    assert "Erinnerung" not in email.body


def test_the_calendar_file_is_german_and_its_codes_are_not(salon, therapist, room, routine):
    # Given a German client's confirmation
    client = ClientFactory(salon=salon, given_name="Sabine", language="de")
    screening_for(client)
    appointment = appointment_book(client=client, routine=routine, start=at(DAY, 10))
    confirmation = Notification.objects.get(appointment=appointment, kind="confirmation")

    send_email(confirmation)

    # Then the event's summary is German; method, status and UID stay as the standard has them
    (email,) = mail.outbox
    assert email.subject.startswith("Ihre Massage ist gebucht")
    assert confirmation.kind == "confirmation"
    calendar = icalendar.Calendar.from_ical(email.attachments[0][1])
    event = calendar.walk("VEVENT")[0]
    assert str(event["summary"]) == f"{routine.name} bei {salon.name}"
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["uid"]) == f"appointment-{appointment.pk}@127.0.0.1:8000"


def test_sending_leaves_the_workers_language_as_it_was(salon, therapist, room, routine):
    reminder = booked_reminder(salon, therapist, routine, language="de")

    with translation.override("en"):
        send_email(reminder, link=LINK)
        assert translation.get_language() == "en"


# --- SMS ---------------------------------------------------------------------------


def unsaved_message(kind: str, *, salon_name: str = "Salon am Park", language: str = "de") -> Notification:
    """Unsaved rows: rendering needs no database."""
    salon = Salon(name=salon_name, time_zone="Europe/Berlin", phone="+49 30 1234567", client_cancel_hours=24)
    client = Client(given_name="Sabine", phone="+491701234567", language=language)
    room = Room(salon=salon, name="Linde")
    start = at(DAY, 10)
    appointment = Appointment(client=client, room=room, start=start, end=start + datetime.timedelta(hours=1))
    return Notification(kind=kind, appointment=appointment, client=client, channel="sms", due_at=start)


def test_a_german_reminder_sms_with_umlauts_stays_gsm7_in_two_parts():
    text = sms_text(unsaved_message("reminder", salon_name="Praxis am Bärenplatz"), link=LINK)

    assert text == (
        "Praxis am Bärenplatz: Erinnerung: Ihre Massage Di 9.3. 10:00. "
        "Sagen Sie sofort Bescheid, wenn Schmerzen zunehmen. "
        f"Verschieben oder absagen bis Mo 8.3. 10:00: {LINK} Tel. +49 30 1234567"
    )
    # "ä" is in the GSM alphabet: 153 characters to a part, not 67
    assert is_gsm7(text)
    assert 160 < len(text) <= 2 * 153
    assert sms_segments(text) == 2


@pytest.mark.parametrize(
    "kind", ["confirmation", "reminder", "reschedule", "cancellation", "intake_request", "feedback_request"]
)
def test_every_german_sms_is_gsm7_and_within_the_parts_allowed(kind):
    text = sms_text(unsaved_message(kind), link=LINK)

    assert is_gsm7(text)
    assert sms_segments(text) <= SMS_MAX_SEGMENTS
    assert LINK in text
    assert "Salon am Park: " in text  # the name did not have to make room


def test_an_english_client_still_gets_an_english_sms():
    text = sms_text(unsaved_message("reminder", language="en"), link=LINK)

    assert text.startswith("Salon am Park: reminder, your massage Tue 9 Mar 10:00.")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Grüße aus der Praxis, schön dass Sie da waren. Maß nehmen: Öl für Rücken " * 2, 1),  # 146, GSM-7
        ("ß" * 160, 1),
        ("ÄÖÜäöüß" * 23, 2),  # 161 GSM characters: two parts
        ("„Linde“" + "a" * 63, 1),  # German quotes are outside GSM-7: the text is UCS-2, 70 to a message
        ("„Linde“" + "a" * 64, 2),  # 71: two parts of 67
        ("„" + "ä" * 133, 2),  # 134 = two parts of 67
        ("„" + "ä" * 134, 3),
        ("Preis: 60 €" + "a" * 148, 1),  # the euro sign is GSM, but from the extension table: two units
        ("Preis: 60 €" + "a" * 149, 2),  # 159 characters, 161 units
    ],
)
def test_german_texts_count_as_gsm7_unless_a_character_is_not_in_it(text, parts):
    assert sms_segments(text) == parts


def test_a_salon_name_with_german_quotes_is_left_out_before_the_text_goes_ucs2():
    # Given a location whose name has typographic quotes (not GSM-7)
    text = sms_text(unsaved_message("reminder", salon_name="Massage „Linde“"), link=LINK)

    # Then the name makes way, and the German text stays in the cheaper alphabet
    assert text.startswith("Erinnerung: Ihre Massage Di 9.3. 10:00.")
    assert is_gsm7(text)
    assert sms_segments(text) <= SMS_MAX_SEGMENTS


@pytest.mark.parametrize("template", ["hold_confirmation", "waitlist_offer", "waitlist_gone", "waitlist_joined"])
def test_the_german_texts_for_online_holds_and_the_waitlist_stay_gsm7(template):
    # Given someone booking online at a location that writes German (no client record yet)
    salon = Salon(name="Praxis am Bärenplatz", time_zone="Europe/Berlin", phone="+49 30 1234567", language="de")
    start = at(DAY, 10)
    context = {
        "salon": salon,
        "entry": SimpleNamespace(routine=SimpleNamespace(name="Rückenmassage")),
        "local_start": start,
        "local_expiry": start - datetime.timedelta(hours=20),
        "still_waiting": True,
        "link": LINK,
    }

    with translation.override(guest_language(record=SimpleNamespace(), salon=salon)):
        text = sms_fitted(f"sessions/sms/{template}.txt", context)

    # Then the short text is German, in the GSM alphabet and within the parts allowed
    assert text.startswith("Praxis am Bärenplatz: ")
    assert is_gsm7(text)
    assert sms_segments(text) <= SMS_MAX_SEGMENTS
    assert not any(word in text for word in ["please", "waitlist", "taken", "free "])


def test_a_waitlist_entry_of_a_known_client_is_written_to_in_their_language():
    english_location = Salon(name="London", time_zone="Europe/London", language="en")
    german_location = Salon(name="Berlin", time_zone="Europe/Berlin", language="de")
    known = SimpleNamespace(client=Client(given_name="Sabine", language="de"))
    newcomer = SimpleNamespace(client=None)

    assert guest_language(record=known, salon=english_location) == "de"
    assert guest_language(record=newcomer, salon=german_location) == "de"
    assert guest_language(record=newcomer, salon=english_location) == "en"
