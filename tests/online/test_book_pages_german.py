"""The booking pages and the public API in German (issue 21): a German
browser, the switcher's ``?lang=``, a location whose language is German, and
the pages behind a client's link in the client's language. English readers
keep the English pages."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from clients.models import ClientLink
from clients.services import client_link_create
from routines.services import service_set
from sessions.models import BookingHold
from sessions.services.booking import appointment_book
from sessions.services.online import booking_hold_create, hold_token
from sessions.services.waitlist import entry_token, waitlist_join
from tests.factories import ClientFactory, routine_create_for_test, screening_for, step_data
from tests.helpers import BERLIN
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
# Words an English page has and a German one must not.
ENGLISH_WORDS = ("Choose", "Book", "free", "Anyone", "minutes", "Join the waitlist")
GERMAN_WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
GERMAN_MONTHS = ("Jan.", "Feb.", "März", "April", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez.")
DETAILS = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "email": "ada@example.com",
    "phone": "",
    "privacy": "on",
}


class VisibleText(HTMLParser):
    """The words a reader sees: text nodes outside <script>, <style> and <title>'s tags."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def english_left(text: str) -> list[str]:
    return [word for word in ENGLISH_WORDS if re.search(rf"\b{re.escape(word)}\b", text)]


def german_day_label(day: datetime.date) -> str:
    """ "Mo., 7. Dez." """
    return f"{GERMAN_WEEKDAYS[day.weekday()]}., {day.day}. {GERMAN_MONTHS[day.month - 1]}"


@pytest.fixture
def scene(db):
    """Open 8–20, Anna and Ben work 9–17; a 45-minute massage sold online at 45 and 60 minutes.
    Names a reader sees are German already (translating them is not this page's job)."""
    scene = salon_scenario(
        therapists=["Anna", "Ben"], rooms=["Linden"], phone="+49 30 1234567", online_notice_minutes=60, name="Mitte"
    )
    routine = routine_create_for_test(
        slug="klassisch", name="Klassische Massage", steps=[step_data(1, min_minutes=45, max_minutes=45)]
    )
    service_set(salon=scene.salon, routine=routine, lengths=[(45, 5500), (60, 7000)], online=True, description="")
    scene.routine = routine
    return scene


@pytest.fixture
def day() -> datetime.date:
    return (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=2)).date()


def choices(day, hour=10) -> str:
    return f"service=klassisch&minutes=60&therapist=any&date={day:%Y-%m-%d}&time={hour:02d}:00"


def signed_details(summary) -> str:
    return re.search(r'name="details" value="([^"]+)"', summary.content.decode()).group(1)


# --- A German browser -------------------------------------------------------


def test_a_german_browser_gets_every_step_in_german(scene, day):
    browser = Client()
    base = f"/book/{scene.salon.pk}/"

    menu = browser.get(base, **GERMAN)
    who = browser.get(f"{base}?service=klassisch&minutes=60", **GERMAN)
    times = browser.get(f"{base}?service=klassisch&minutes=60&therapist=any&date={day:%Y-%m-%d}", **GERMAN)

    assert (menu.status_code, who.status_code, times.status_code) == (200, 200, 200)
    assert menu["Content-Language"] == "de"
    assert '<html lang="de">' in menu.content.decode()
    assert "1. Behandlung wählen" in visible(menu)
    assert "60 Minuten" in visible(menu)
    assert "70,00" in visible(menu)  # the price, written the German way
    assert "Egal wer (der nächste freie Termin)" in visible(who)
    text = visible(times)
    assert "3. Tag wählen" in text
    assert german_day_label(day) in text
    assert re.search(r"\d+ Termine? frei", text)
    assert "Setzen Sie sich auf die Warteliste" in text
    assert ">10:00<" in times.content.decode()  # the 24-hour clock
    for page in (menu, who, times):
        assert english_left(visible(page)) == []


def test_the_details_page_and_its_errors_are_german(scene, day):
    browser = Client()
    address = f"/book/{scene.salon.pk}/details/?{choices(day)}"

    form = browser.get(address, **GERMAN)
    refused = browser.post(address, {"given_name": "Ada"}, **GERMAN)

    text = visible(form)
    for words in ("Ihre Angaben", "Vorname", "Nachname", "E-Mail", "Datenschutzhinweise", "Weiter", "Egal wer"):
        assert words in text
    assert english_left(text) == []
    assert refused.status_code == 400
    errors = visible(refused)
    assert "Bitte prüfen Sie die markierten Felder." in errors
    assert "Bitte geben Sie eine E-Mail-Adresse oder eine Telefonnummer an" in errors
    assert "Bitte lesen Sie die Datenschutzhinweise" in errors
    assert english_left(errors) == []


def test_the_summary_and_the_page_after_holding_are_german(scene, day):
    browser = Client()
    base = f"/book/{scene.salon.pk}"

    summary = browser.post(f"{base}/details/?{choices(day)}", DETAILS, **GERMAN)
    held = browser.post(f"{base}/hold/?{choices(day)}", {"details": signed_details(summary)}, follow=True, **GERMAN)

    assert "Termin reservieren" in visible(summary)
    assert english_left(visible(summary)) == []
    assert held.status_code == 200
    text = visible(held)
    assert "Schauen Sie in Ihre E-Mails" in text
    assert "ada@example.com" in text
    assert "Uhr)" in text
    assert english_left(text) == []


# --- The switcher -------------------------------------------------------------


def test_lang_in_the_address_makes_the_page_german_without_the_header(scene, day):
    browser = Client()

    page = browser.get(f"/book/{scene.salon.pk}/?service=klassisch&minutes=60&therapist=any&lang=de")

    html = page.content.decode()
    assert page["Content-Language"] == "de"
    assert "3. Tag wählen" in visible(page)
    assert english_left(visible(page)) == []
    # The next steps keep the language in their addresses, as they keep the choices.
    assert f"therapist=any&amp;lang=de&amp;date={day:%Y-%m-%d}" in html
    assert f"/book/{scene.salon.pk}/waitlist/join/?service=klassisch&amp;minutes=60&amp;lang=de" in html


def test_the_language_chosen_travels_through_holding_to_the_page_after(scene, day):
    browser = Client()
    base = f"/book/{scene.salon.pk}"
    query = f"{choices(day)}&lang=de"

    summary = browser.post(f"{base}/details/?{query}", DETAILS)
    hold = browser.post(f"{base}/hold/?{query}", {"details": signed_details(summary)})

    assert hold.status_code == 302
    assert hold["Location"].endswith("&lang=de")
    assert "Schauen Sie in Ihre E-Mails" in visible(browser.get(hold["Location"]))


def test_the_switcher_links_this_page_in_each_language(scene):
    page = Client().get(f"/book/{scene.salon.pk}/?service=klassisch&minutes=60", **GERMAN)

    html = page.content.decode()
    assert f'href="/book/{scene.salon.pk}/?service=klassisch&amp;minutes=60&amp;lang=en"' in html
    assert f'href="/book/{scene.salon.pk}/?service=klassisch&amp;minutes=60&amp;lang=de"' in html
    assert re.search(r'lang="de"[^>]*aria-current="true">Deutsch</a>', html)
    assert ">English</a>" in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # inside a transaction nothing is remembered
def test_a_remembered_times_page_is_in_each_readers_language(scene, day):
    url = f"/book/{scene.salon.pk}/?service=klassisch&minutes=60&therapist=any&date={day:%Y-%m-%d}"
    # Given the day's times shown to an English reader, and so remembered
    english = Client().get(url, **ENGLISH)
    # When a German reader opens the same address, and then an English reader again
    german = Client().get(url, **GERMAN)
    again = Client().get(url, **ENGLISH)
    # Then the German reader reads German, and the English reader the English page
    assert german["Content-Language"] == "de"
    assert "3. Tag wählen" in visible(german)
    assert english_left(visible(german)) == []
    assert again["Content-Language"] == "en"
    assert "3. Choose a day" in visible(again)
    assert again.content == english.content


def test_lang_en_keeps_a_german_browser_in_english(scene, day):
    page = Client().get(f"/book/{scene.salon.pk}/?service=klassisch&minutes=60&therapist=any&lang=en", **GERMAN)

    assert page["Content-Language"] == "en"
    assert "3. Choose a day" in visible(page)


def test_a_language_the_product_does_not_have_is_ignored(scene):
    page = Client().get(f"/book/{scene.salon.pk}/?lang=xx", **ENGLISH)

    assert page.status_code == 200
    assert "1. Choose a treatment" in visible(page)


# --- English stays English; the location's language --------------------------


def test_an_english_browser_gets_the_english_pages(scene, day):
    page = Client().get(f"/book/{scene.salon.pk}/?service=klassisch&minutes=60&therapist=any", **ENGLISH)

    text = visible(page)
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()
    assert "3. Choose a day" in text
    assert re.search(r"\d+ times? free", text)
    assert f"{day:%a} {day.day} {day:%b}" in text
    assert "Join the waitlist" in text


def test_a_browser_without_a_language_we_have_gets_the_locations(scene):
    other = salon_scenario(therapists=["Cem"], rooms=["Eiche"], name="Zweigstelle", language="de")
    service_set(salon=other.salon, routine=scene.routine, lengths=[(60, 7000)], online=True, description="")

    page = Client().get(f"/book/{other.salon.pk}/", HTTP_ACCEPT_LANGUAGE="fr-FR")

    assert page["Content-Language"] == "de"
    assert "1. Behandlung wählen" in visible(page)


# --- Pages behind a client's link ----------------------------------------------


def test_the_confirm_page_speaks_the_locations_language_whatever_the_browser(scene, day):
    scene.salon.language = "de"
    scene.salon.save(update_fields=["language"])
    hold = booking_hold_create(
        salon=scene.salon, routine=scene.routine, start=scene.at(day, 10), minutes=60,
        given_name="Ada", family_name="Lovelace", email="ada@example.com",
    )  # fmt: skip
    link = f"/book/confirm/{hold_token(hold)}/"

    page = Client().get(link, **ENGLISH)
    in_english = Client().get(f"{link}?lang=en", **ENGLISH)

    assert page["Content-Language"] == "de"
    text = visible(page)
    assert "Hallo Ada," in text
    assert "Meine Buchung bestätigen" in text
    assert english_left(text) == []
    assert "Confirm my booking" in visible(in_english)


def test_a_visitor_who_booked_in_english_at_a_german_location_is_written_to_in_english(
    scene, day, eager_celery, django_capture_on_commit_callbacks
):
    scene.salon.language = "de"
    scene.salon.save(update_fields=["language"])
    browser = Client()
    base = f"/book/{scene.salon.pk}"
    query = f"{choices(day)}&lang=en"

    # Given a visitor who books on the English pages of a German location
    summary = browser.post(f"{base}/details/?{query}", DETAILS, **GERMAN)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(f"{base}/hold/?{query}", {"details": signed_details(summary)}, **GERMAN)

    # Then the link comes in English, and its page speaks English on another device
    hold = BookingHold.objects.get()
    assert hold.language == "en"
    assert "Confirm" in mail.outbox[-1].subject or "confirm" in mail.outbox[-1].body
    assert "Bitte" not in mail.outbox[-1].body
    page = Client().get(f"/book/confirm/{hold_token(hold)}/", **GERMAN)
    assert page["Content-Language"] == "en"
    assert "Confirm my booking" in visible(page)

    # And the client made on confirming keeps English for every later message
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"/book/confirm/{hold_token(hold)}/", **GERMAN)
    hold.refresh_from_db()
    assert hold.appointment.client.language == "en"


def test_someone_who_joined_the_waitlist_in_german_hears_in_german_at_an_english_location(
    scene, day, eager_celery, django_capture_on_commit_callbacks
):
    # Given the waitlist page read in German
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        entry = waitlist_join(
            salon=scene.salon, routine=scene.routine, minutes=60, first_day=day, last_day=day,
            given_name="Ada", family_name="Lovelace", email="ada@example.com", language="de",
        )  # fmt: skip

    # Then the entry keeps German, its email is German and its page too, whatever the browser
    assert entry.language == "de"
    assert "Warteliste" in mail.outbox[-1].subject + mail.outbox[-1].body
    page = Client().get(f"/book/waitlist/{entry_token(entry)}/", **ENGLISH)
    assert page["Content-Language"] == "de"


def test_the_reschedule_page_speaks_the_clients_language(scene, day):
    person = ClientFactory(salon=scene.salon, given_name="Sabine", language="de")
    screening_for(person)
    appointment = appointment_book(
        client=person, routine=scene.routine, start=scene.at(day + datetime.timedelta(days=3), 11), minutes=60
    )
    _, url = client_link_create(
        client=person, purpose=ClientLink.Purpose.RESCHEDULE, reference=appointment.pk, expires_at=appointment.start
    )
    browser = Client()

    landing = browser.get(url.removeprefix("http://127.0.0.1:8000"), **ENGLISH)
    page = browser.get(landing["Location"], **ENGLISH)

    assert page["Content-Language"] == "de"
    text = visible(page)
    assert "Termin verschieben" in text
    assert "Neuen Tag wählen" in text
    assert "Termin absagen" in text
    assert english_left(text) == []


def test_the_waitlist_entry_page_speaks_the_locations_language_and_leaving_keeps_a_chosen_one(scene, day):
    scene.salon.language = "de"
    scene.salon.save(update_fields=["language"])
    entry = waitlist_join(
        salon=scene.salon, routine=scene.routine, minutes=60, first_day=day, last_day=day + datetime.timedelta(days=2),
        given_name="Ada", family_name="Lovelace", email="ada@example.com",
    )  # fmt: skip
    link = f"/book/waitlist/{entry_token(entry)}/"
    browser = Client()

    page = browser.get(link, **ENGLISH)
    left = browser.post(f"{link}?lang=en", **ENGLISH)

    text = visible(page)
    assert page["Content-Language"] == "de"
    assert "Ihr Platz auf der Warteliste" in text
    assert f"{day.day}. " in text
    assert "60 Minuten" in text
    assert "Von der Warteliste abmelden" in text
    assert english_left(text) == []
    # Leaving from the English page answers in English: the language chosen stays in the address.
    assert left.status_code == 302
    assert left["Location"] == f"{link}?lang=en"
    assert "You have left the waitlist" in visible(browser.get(left["Location"], **ENGLISH))


# --- The public API: the same code, the detail in German -------------------------


@pytest.mark.parametrize(
    ("path", "query", "field", "german"),
    [
        ("services/", {"location": 999999}, "location", "Diesen Standort gibt es nicht."),
        ("availability/", {"location": 1, "service": "unbekannt"}, "service", "Diese Behandlung gibt es nicht."),
    ],
)
def test_a_bad_question_keeps_its_code_and_is_answered_in_german(scene, path, query, field, german):
    api = APIClient()
    query = {**query, "location": scene.salon.pk} if query["location"] == 1 else query

    english = api.get(f"/api/v1/public/{path}", query, **ENGLISH)
    answer = api.get(f"/api/v1/public/{path}", query, **GERMAN)

    assert english.status_code == answer.status_code == 400
    assert answer.json()["code"] == english.json()["code"] == "invalid"
    assert answer.json()["fields"][field] == [german]
    assert german in answer.json()["detail"]
    assert german not in english.json()["detail"]


def test_a_hold_without_accepting_the_privacy_notice_is_refused_in_german(scene, day):
    body = {
        "location": scene.salon.pk,
        "service": "klassisch",
        "minutes": 60,
        "start": scene.at(day, 10).isoformat(),
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.com",
        "privacy_notice_accepted": False,
    }

    answer = APIClient().post("/api/v1/public/holds/", body, format="json", **GERMAN)

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid"
    assert answer.json()["fields"]["privacy_notice_accepted"] == [
        "Bitte lesen und akzeptieren Sie die Datenschutzhinweise."
    ]
