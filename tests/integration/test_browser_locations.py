"""Two locations in a real browser: the receptionist switches from Berlin to
London in the header, the desk follows and shows Anna "at another location"
while she is in Berlin; the pages pass axe on the desk's screen and a phone's."""

import datetime

import pytest

from salon.roles import Role
from sessions.services.booking import appointment_book
from tests.factories import UserFactory, short_routine
from tests.helpers import ARTIFACTS, axe_violations
from tests.scenario import two_locations_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def next_wednesday() -> datetime.date:
    day = datetime.date.today() + datetime.timedelta(days=2)
    return day + datetime.timedelta(days=(2 - day.weekday()) % 7)


def test_the_switcher_moves_the_desk_to_the_other_location(browser, live_server, password):
    chain = two_locations_scenario()
    wednesday = next_wednesday()
    routine = short_routine(slug="back", minutes=60, turnover=0)
    appointment_book(
        client=chain.client, routine=routine, start=chain.at(chain.berlin, wednesday, 10), salon=chain.berlin
    )
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/desk/%3Fdate%3D{wednesday:%Y-%m-%d}")
        page.get_by_label("Username").fill("clara")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"**/desk/?date={wednesday:%Y-%m-%d}")
        page.locator(".booking", has_text="10:00 Sabine").wait_for()  # Berlin, the first by name

        page.get_by_label("Location").select_option(label="London Soho")
        page.get_by_role("button", name="Switch").click()
        page.wait_for_url(f"**/desk/?date={wednesday:%Y-%m-%d}")

        assert page.get_by_label("Location").input_value() == str(chain.london.pk)
        assert page.locator(".booking").count() == 0
        # Said once where it begins; the cells below repeat it to screen readers only.
        assert page.locator(".cell.elsewhere .label", has_text="At another location").count() == 1
        # 09:00 London is 10:00 Berlin: Anna is in Berlin, then on her way until 10:30.
        assert page.get_by_role("button", name="Book Anna at 09:00").count() == 0
        assert page.get_by_role("button", name="Book Anna at 10:30").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "desk-two-locations.png"), full_page=True)
        assert axe_violations(page) == []

        # On a phone the header still offers the switch, and nothing is hidden from a screen reader.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/clients/")
        assert page.get_by_label("Location").is_visible()
        page.screenshot(path=str(ARTIFACTS / "switcher-phone.png"), full_page=True)
        assert axe_violations(page) == []
    finally:
        context.close()
