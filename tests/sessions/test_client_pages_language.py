"""The pages behind a client's feedback, cancel and reschedule links speak
the client's language, whatever the browser asks for."""

import datetime

import pytest

from clients.models import ClientLink
from clients.services import client_link_create
from sessions.models import Feedback
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import ClientFactory, screening_for
from tests.helpers import at

pytestmark = pytest.mark.django_db
# A Tuesday: "Dienstag, 9. März 2027".
DAY = datetime.date(2027, 3, 9)


@pytest.fixture
def german_client(salon):
    person = ClientFactory(salon=salon, given_name="Sabine", language="de", consent_feedback=True)
    screening_for(person)
    return person


def open_link(browser, appointment, purpose: str, form_path: str):
    _, url = client_link_create(client=appointment.client, purpose=purpose, reference=appointment.pk)
    landing = browser.get(url.removeprefix("http://127.0.0.1:8000"), HTTP_ACCEPT_LANGUAGE="en")
    assert landing["Location"] == form_path
    return browser.get(form_path, HTTP_ACCEPT_LANGUAGE="en")


def test_the_feedback_form_is_german_for_a_german_client(client, salon, therapist, room, routine, german_client):
    # Given a German client's completed session
    appointment = appointment_book(client=german_client, routine=routine, start=at(DAY, 10))
    for status in ("checked_in", "in_progress", "completed"):
        appointment = appointment_transition(appointment=appointment, to_status=status, now=appointment.start)

    # When she opens the feedback link in an English browser
    page = open_link(client, appointment, ClientLink.Purpose.FEEDBACK, "/forms/feedback/")

    # Then it asks in German, with the German date
    html = page.content.decode()
    assert page["Content-Language"] == "de"
    assert "Wie war Ihre Massage insgesamt?" in html
    assert "am Dienstag, 9. März" in html
    assert "5 von 5" in html
    assert "Feedback senden" in html
    assert "How was your massage" not in html

    # And her answers are stored as the same codes as in English
    done = client.post("/forms/feedback/", {"overall": "5", "would_book_again": "yes", "pain_after": "2"})
    assert done.status_code == 200
    assert "Vielen Dank" in done.content.decode()
    feedback = Feedback.objects.get(appointment=appointment)
    assert (feedback.overall, feedback.would_book_again) == (5, True)


def test_the_cancel_page_is_german_for_a_german_client(client, salon, therapist, room, routine, german_client):
    appointment = appointment_book(client=german_client, routine=routine, start=at(DAY, 10))

    page = open_link(client, appointment, ClientLink.Purpose.CANCEL, "/forms/cancel/")

    html = page.content.decode()
    assert page["Content-Language"] == "de"
    assert "Ihr Termin" in html
    assert "Dienstag, 9. März 2027, 10:00–10:45" in html
    assert "Meinen Termin absagen" in html
    assert "Cancel my appointment" not in html

    done = client.post("/forms/cancel/", {"reason": ""})
    assert done.status_code == 200
    assert "Abgesagt" in done.content.decode()


def test_the_reschedule_page_switches_to_the_clients_language(client, salon, therapist, room, routine, german_client):
    appointment = appointment_book(client=german_client, routine=routine, start=at(DAY, 10))

    page = open_link(client, appointment, ClientLink.Purpose.RESCHEDULE, "/book/reschedule/")

    # Then the page is rendered in German (its own words are online booking's to translate; Django's
    # month names already show which language is active)
    assert page.status_code == 200
    assert page["Content-Language"] == "de"
    assert "9. März 2027" in page.content.decode() or "9 März 2027" in page.content.decode()


def test_a_client_without_a_language_gets_the_locations_on_the_cancel_page(client, salon, therapist, room, routine):
    salon.language = "de"
    salon.save(update_fields=["language"])
    person = ClientFactory(salon=salon, given_name="Sabine")
    screening_for(person)
    appointment = appointment_book(client=person, routine=routine, start=at(DAY, 10))

    page = open_link(client, appointment, ClientLink.Purpose.CANCEL, "/forms/cancel/")

    assert "Meinen Termin absagen" in page.content.decode()
