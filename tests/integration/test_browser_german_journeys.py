"""The journeys of issue 21 in German, in a real browser: a receptionist
books on the desk grid, a therapist runs a session from "my day", and a
client sends feedback and moves an appointment from the links she was sent.
Each page is checked for English words that would betray an untranslated
string (names and the test routine's name are test data, not the product's).

The intake form and signing in have their own German browser tests
(test_browser_intake_german.py, test_browser_german_account.py). The last
test reads a plan's own sentences (its adaptations, notes and findings), built
in the language of the therapist who gives the session."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from clients.models import ClientLink
from clients.services import client_link_create
from routines.content import text_in
from routines.models import RoutineTemplate
from routines.services import service_set
from salon.roles import Role
from sessions.models import Appointment, Feedback
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import UserFactory, screening_for, short_routine
from tests.helpers import ARTIFACTS, axe_violations
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SITE = "http://127.0.0.1:8000"
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "de-DE"}
# The client's phone asks for English: her own language (Client.language) has to win.
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "en-GB"}

# English words and dates that would betray a string left untranslated.
ENGLISH_DATES = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|March|May|June|July|October|December"
STAFF_ENGLISH = re.compile(
    rf"\b(Book|Booked|Cancel|Check in|Next free|Save|Client|Therapist|Today|Find a client|Start|Service|Room|"
    rf"My day|Front desk|Log out|Skip to content|Start session|Complete session|In progress|Completed|"
    rf"I have read this|Advice for next time|What the client reported|{ENGLISH_DATES})\b"
)
CLIENT_ENGLISH = re.compile(
    rf"\b(How was your massage|Send feedback|Thank you|Would you book again|Pain after|The pressure was|"
    rf"Anything else|Yes|No|Move your appointment|Choose a new day|Choose a new time|Move my appointment|"
    rf"Your appointment has moved|Cancel my appointment|Cannot come at all|times? free|with|at|on|"
    rf"{ENGLISH_DATES})\b"
)


def english_left(page, words: re.Pattern) -> list[str]:
    return words.findall(page.locator("body").inner_text())


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"german-{name}.png"), full_page=True)


def sign_in_in_german(browser, live_server, password, *, username: str, address: str):
    """The login page as a German browser shows it; lands on ``address``."""
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={address.replace('?', '%3F').replace('&', '%26')}")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(f"**{address}")
    return context, page


def test_a_german_receptionist_books_a_client_on_the_desk_grid(browser, live_server, password):
    # Given Lindenhof tomorrow, Anna working, and Emma at the desk, who reads German
    day = datetime.date.today() + datetime.timedelta(days=1)
    scene = salon_scenario(
        name="Lindenhof",
        min_notice_minutes=0,
        language="de",
        therapists=["Anna"],
        clients=[{"given_name": "Sabine", "family_name": "Krüger"}],
    )
    routine = short_routine(slug="back", minutes=45, turnover=15)
    service_set(salon=scene.salon, routine=routine, lengths=[(45, 5500)])
    UserFactory(username="emma", roles=[Role.RECEPTIONIST], language="de")
    address = f"/desk/?date={day}&service={routine.pk}:45"
    context, page = sign_in_in_german(browser, live_server, password, username="emma", address=address)
    try:
        # Then the grid is German
        assert page.locator("html").get_attribute("lang") == "de"
        expect(page.get_by_role("grid")).to_be_visible()
        assert english_left(page, STAFF_ENGLISH) == []
        shot(page, "desk-grid")
        assert axe_violations(page) == []

        # When she opens Anna at 13:00 and finds Sabine
        page.get_by_role("button", name="Anna buchen um 13:00").click()
        panel = page.locator("#panel")
        panel.get_by_label("Kundschaft suchen").press_sequentially("Krü", delay=40)
        panel.get_by_label("Krüger, Sabine").check()
        # Then the booking form is German too
        expect(panel.get_by_role("heading", name="Neue Buchung")).to_be_visible()
        assert english_left(page, STAFF_ENGLISH) == []
        shot(page, "desk-book-form")
        assert axe_violations(page) == []

        # When she books
        panel.get_by_role("button", name="Buchen", exact=True).click()
        # Then the desk says so in German
        expect(page.get_by_role("status")).to_have_text("Sabine Krüger ist um 13:00 gebucht.")
        assert english_left(page, STAFF_ENGLISH) == []
        shot(page, "desk-booked")
    finally:
        context.close()

    booked = Appointment.objects.get(client__given_name="Sabine")
    assert booked.start.astimezone(scene.salon.zone) == datetime.datetime.combine(
        day, datetime.time(13), tzinfo=scene.salon.zone
    )
    assert booked.therapist.display_name == "Anna"


def test_a_german_therapist_runs_a_session_from_my_day(browser, live_server, password):
    # Given Anna, who reads German, with Sabine checked in within the hour; Sabine is allergic to almond oil
    scene = salon_scenario(
        name="Lindenhof",
        min_notice_minutes=0,
        language="de",
        therapists=[{"display_name": "Anna", "user__username": "anna", "user__language": "de"}],
        clients=[{"given_name": "Sabine", "family_name": "Krüger"}],
        opens=datetime.time(0),
        closes=datetime.time(23, 59),
        works=(datetime.time(0), datetime.time(23, 59)),
    )
    screening_for(scene.clients[0], oil_or_nut_allergy=True, allergies="Mandelöl")
    now = datetime.datetime.now(scene.salon.zone)
    start = (now + datetime.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    appointment = appointment_book(
        client=scene.clients[0],
        routine=RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True),
        start=start,
        therapist=scene.therapists[0],
    )
    appointment_transition(appointment=appointment, to_status="checked_in", now=appointment.start)
    address = f"/my-day/?date={start:%Y-%m-%d}"
    context, page = sign_in_in_german(browser, live_server, password, username="anna", address=address)
    try:
        # Then her day is German, the allergy first
        session = page.locator(f"#session-{appointment.pk}")
        expect(session.get_by_role("alert")).to_contain_text("Mandelöl")
        assert english_left(page, STAFF_ENGLISH) == []
        shot(page, "my-day")
        assert axe_violations(page) == []

        # When she has read it, the session opens, in German
        session.get_by_role("button", name="Gelesen").click()
        page.wait_for_url(f"**/sessions/{appointment.pk}/")
        assert english_left(page, STAFF_ENGLISH) == []
        shot(page, "session")
        assert axe_violations(page) == []

        # When she starts it
        page.get_by_role("button", name="Behandlung beginnen").click()
        expect(page.locator("#status")).to_have_text("Läuft")
        assert english_left(page, STAFF_ENGLISH) == []

        # and completes it with a note
        page.get_by_label("Was die Kundschaft berichtete").fill("Verspannter unterer Rücken nach langer Autofahrt")
        page.get_by_label("Empfehlung für nächstes Mal").fill("Links mittlerer Druck")
        page.get_by_role("button", name="Behandlung abschließen").click()
        expect(page.locator("#status")).to_have_text("Abgeschlossen")
        assert english_left(page, STAFF_ENGLISH) == []
        shot(page, "session-completed")
    finally:
        context.close()

    appointment = Appointment.objects.get(pk=appointment.pk)
    assert appointment.status == Appointment.Status.COMPLETED
    assert appointment.note.advice == "Links mittlerer Druck"


@pytest.fixture
def german_client_scene():
    """Lindenhof, whose pages default to English; Sabine reads German."""
    scene = salon_scenario(
        name="Lindenhof",
        min_notice_minutes=0,
        language="en",
        phone="+49 30 1234567",
        therapists=["Anna"],
        clients=[{"given_name": "Sabine", "family_name": "Krüger", "language": "de", "consent_feedback": True}],
    )
    screening_for(scene.clients[0])
    scene.routine = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)
    service_set(salon=scene.salon, routine=scene.routine, lengths=[(60, 7000)], online=True)
    return scene


def open_link(page, live_server, appointment, purpose: str) -> None:
    _, url = client_link_create(client=appointment.client, purpose=purpose, reference=appointment.pk)
    page.goto(url.replace(SITE, live_server.url))


def test_a_german_client_sends_feedback_on_a_phone(browser, live_server, german_client_scene):
    # Given Sabine's completed massage (booked for tomorrow, run at its own time)
    scene = german_client_scene
    tomorrow = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=1)
    appointment = appointment_book(client=scene.clients[0], routine=scene.routine, start=scene.at(tomorrow, 10))
    for status in ("checked_in", "in_progress", "completed"):
        appointment = appointment_transition(appointment=appointment, to_status=status, now=appointment.start)
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    try:
        # When she opens the feedback link on her phone
        open_link(page, live_server, appointment, ClientLink.Purpose.FEEDBACK)

        # Then the form is German
        assert page.locator("html").get_attribute("lang") == "de"
        expect(page.get_by_role("heading", name="Wie war Ihre Massage?")).to_be_visible()
        assert english_left(page, CLIENT_ENGLISH) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "feedback-phone")
        assert axe_violations(page) == []

        # When she answers and sends it
        page.get_by_label("5 von 5").check()
        page.get_by_role("group", name="Würden Sie wieder buchen?").get_by_label("Ja").check()
        page.get_by_label("Möchten Sie uns noch etwas sagen?").fill("Sehr angenehm, danke!")
        page.get_by_role("button", name="Feedback senden").click()

        # Then she is thanked in German
        expect(page.get_by_role("heading", name="Vielen Dank")).to_be_visible()
        assert english_left(page, CLIENT_ENGLISH) == []
        shot(page, "feedback-thanks")
    finally:
        phone.close()

    feedback = Feedback.objects.get(appointment=appointment)
    assert (feedback.overall, feedback.would_book_again) == (5, True)


def test_a_german_client_moves_her_appointment_on_a_phone(browser, live_server, german_client_scene):
    # Given Sabine booked in three days at 10:00
    scene = german_client_scene
    day = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=3)
    moved_day = day + datetime.timedelta(days=1)
    appointment = appointment_book(client=scene.clients[0], routine=scene.routine, start=scene.at(day, 10))
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    try:
        # When she opens the link to move it
        open_link(page, live_server, appointment, ClientLink.Purpose.RESCHEDULE)

        # Then the page is German
        assert page.url == f"{live_server.url}/book/reschedule/"
        assert page.locator("html").get_attribute("lang") == "de"
        assert english_left(page, CLIENT_ENGLISH) == []
        shot(page, "reschedule-phone")
        assert axe_violations(page) == []

        # When she picks 14:00 the day after and moves it
        page.locator(f'.book-days a[href*="date={moved_day:%Y-%m-%d}"]').click()
        page.get_by_label("14:00").check()
        assert english_left(page, CLIENT_ENGLISH) == []
        shot(page, "reschedule-times")
        page.get_by_role("button", name="Termin verschieben").click()

        # Then she is told in German
        expect(page.get_by_role("heading", name="Ihr Termin ist verschoben")).to_be_visible()
        assert english_left(page, CLIENT_ENGLISH) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "rescheduled")
    finally:
        phone.close()

    appointment.refresh_from_db()
    assert appointment.start.astimezone(scene.salon.zone) == scene.at(moved_day, 14)


# Known gaps, found by the journeys above: each test fails today and is marked so; strict, so
# that fixing the gap turns it into a failure that asks for the marker to go.


def test_the_client_link_pages_name_the_massage_in_german(browser, live_server, german_client_scene):
    # Given Sabine's completed massage and the next one booked in three days
    scene = german_client_scene
    today = datetime.datetime.now(scene.salon.zone).date()
    done = appointment_book(
        client=scene.clients[0], routine=scene.routine, start=scene.at(today + datetime.timedelta(days=1), 10)
    )
    for status in ("checked_in", "in_progress", "completed"):
        done = appointment_transition(appointment=done, to_status=status, now=done.start)
    booked = appointment_book(
        client=scene.clients[0], routine=scene.routine, start=scene.at(today + datetime.timedelta(days=3), 10)
    )
    german_name = text_in(scene.routine, "name", "de")
    assert german_name != scene.routine.name  # the guide's routine has a German name
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    try:
        for appointment, purpose in [(done, ClientLink.Purpose.FEEDBACK), (booked, ClientLink.Purpose.RESCHEDULE)]:
            # When she opens the link, then the massage is named in German
            open_link(page, live_server, appointment, purpose)
            text = page.locator("main").inner_text()
            assert german_name in text, purpose
            assert scene.routine.name not in text, purpose
    finally:
        phone.close()


def test_the_session_plan_tells_a_german_therapist_its_adaptations_in_german(browser, live_server, password):
    # Given Anna, who reads German, and Sabine, allergic to nuts, booked for 30 minutes of a longer routine
    scene = salon_scenario(
        name="Lindenhof",
        min_notice_minutes=0,
        language="de",
        therapists=[{"display_name": "Anna", "user__username": "anna", "user__language": "de"}],
        clients=[{"given_name": "Sabine", "family_name": "Krüger"}],
    )
    screening_for(scene.clients[0], oil_or_nut_allergy=True, allergies="Mandelöl")
    day = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=1)
    appointment = appointment_book(
        client=scene.clients[0],
        routine=RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True),
        start=scene.at(day, 10),
        therapist=scene.therapists[0],
    )
    context, page = sign_in_in_german(
        browser, live_server, password, username="anna", address=f"/sessions/{appointment.pk}/"
    )
    try:
        # Then the plan's own notes are German too
        text = page.locator("main").inner_text()
        for english in ["Lengthened to fill", "instead of", "Neutral baby oil", "no direct pressure on the spine"]:
            assert english not in text, english
        assert "Neutrales Babyöl (nussfrei, unparfümiert)" in text
        assert "Allergie gegen Öle oder Nüsse (Mandelöl)" in text
    finally:
        context.close()
