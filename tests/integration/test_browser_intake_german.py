"""A German-speaking client fills the intake form on a phone whose browser
asks for English: the page, the body chart's spoken status and the thanks
are German, with no English left on them."""

import datetime

import pytest

from clients.models import ClientLink, HealthScreening
from clients.services import client_link_create
from sessions.services.booking import appointment_book
from tests.factories import (
    ClientFactory,
    RoomFactory,
    SalonFactory,
    TherapistFactory,
    open_every_day,
    short_routine,
    works_every_day,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# Words of the English form that would betray an untranslated string.
ENGLISH = [
    "Before your massage",
    "Hello",
    "Your health",
    "I am pregnant",
    "Where does it hurt",
    "Allergies and comfort",
    "Consent",
    "Send my answers",
    "Today, before your session",
    "Body chart",
    "How strong",
]


def test_a_german_client_fills_the_intake_form_in_german(browser, live_server):
    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=0)
    open_every_day(salon)
    works_every_day(TherapistFactory(salon=salon, display_name="Anna", user__username="anna"))
    RoomFactory(salon=salon)
    client = ClientFactory(salon=salon, given_name="Sabine", family_name="Krüger", language="de")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    appointment_book(
        client=client,
        routine=short_routine(minutes=45, turnover=15),
        start=datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=salon.zone),
    )
    _, url = client_link_create(client=client, purpose=ClientLink.Purpose.INTAKE)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="en-GB")
    page = phone.new_page()
    try:
        page.goto(f"{live_server.url}{url.removeprefix('http://127.0.0.1:8000')}")

        # Then the form is German, whatever the phone's browser asks for
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.get_by_role("heading", name="Vor Ihrer Massage").is_visible()
        text = page.locator("main").inner_text()
        for phrase in ENGLISH:
            assert phrase not in text, phrase

        # And the body chart says in German what a tap did (the JavaScript catalog)
        page.locator('.region[data-area="lower_back"][data-side="left"]').first.tap()
        status = page.locator("[data-body-chart-status]").first
        assert "zu Ihrer Liste hinzugefügt" in status.text_content()

        page.get_by_label("Ich bin mit der Massagebehandlung einverstanden").check()
        page.get_by_label("Ich bin einverstanden, dass der Salon").check()
        page.get_by_label("Unterschreiben Sie mit Ihrem vollständigen Namen").fill("Sabine Krüger")
        page.get_by_role("button", name="Antworten absenden").click()

        assert page.get_by_role("heading", name="Vielen Dank").is_visible()
        assert "Thank you" not in page.locator("main").inner_text()
    finally:
        phone.close()

    screening = HealthScreening.objects.get(client=client)
    assert screening.pain_map[0]["area"] == "lower_back"  # the code, in any language
