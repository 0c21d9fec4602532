"""A German-speaking receptionist signs in and finds their account page in
German; choosing English there wins over what the browser asks for."""

import re

import pytest

from salon.roles import Role
from tests.factories import SalonFactory, UserFactory
from tests.helpers import ARTIFACTS, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# Words that would betray an English text left on these pages.
ENGLISH_WORDS = re.compile(
    r"\b(Log in|Log out|Username|Password|Sign-in|security|Two-factor|Set up|Turn on|You have|"
    r"Use this language|Skip to content|Front desk|My day|Clients|Routines|Account)\b"
)


def test_a_german_receptionist_signs_in_and_chooses_english(browser, live_server, transactional_db, password):
    location = SalonFactory(name="Berlin Mitte", language="de")
    receptionist = UserFactory(username="emma", first_name="Emma", roles=[Role.RECEPTIONIST])
    receptionist.locations.add(location)
    context = browser.new_context(locale="de-DE", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.title() == "Anmelden · Salon"
        assert page.locator("html").get_attribute("lang") == "de"
        assert ENGLISH_WORDS.findall(page.locator("body").inner_text()) == []
        page.get_by_label("Benutzername").fill("emma")
        page.get_by_label("Passwort").fill(password)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(re.compile(r"/desk/"))

        page.goto(f"{live_server.url}/accounts/security/")
        assert page.get_by_role("heading", name="Anmeldung und Sicherheit").is_visible()
        assert ENGLISH_WORDS.findall(page.locator("body").inner_text()) == []
        assert axe_violations(page) == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "account-in-german.png", full_page=True)

        page.get_by_role("combobox", name="Sprache").select_option("en")
        page.get_by_role("button", name="Sprache übernehmen").click()
        page.wait_for_url(f"{live_server.url}/accounts/security/")
        assert page.get_by_role("heading", name="Sign-in and security").is_visible()
        assert page.locator("html").get_attribute("lang") == "en"
        assert "The pages are now shown in this language." in page.get_by_role("status").inner_text()
    finally:
        context.close()
