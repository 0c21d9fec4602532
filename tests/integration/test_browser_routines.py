"""A therapist reads a routine on a tablet."""

import pytest

from salon.roles import Role
from tests.factories import UserFactory
from tests.helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_a_therapist_reads_the_classic_routine_on_a_tablet(browser, live_server, transactional_db, password):
    UserFactory(username="anna", roles=[Role.THERAPIST])
    context = browser.new_context(viewport={"width": 800, "height": 1280}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/routines/")
        page.get_by_label("Username").fill("anna")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/routines/")

        page.get_by_role("link", name="Classic back massage").click()
        page.wait_for_url(f"{live_server.url}/routines/classic-back-massage/")

        steps = page.locator(".timeline-step")
        assert steps.count() == 10
        assert "1. Open-palm stroking" in steps.nth(0).inner_text()
        assert "repeats step 1" in steps.nth(9).inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 800  # nothing runs off the side of the tablet
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "routine-classic-tablet.png"), full_page=True)
    finally:
        context.close()
