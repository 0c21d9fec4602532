"""The manager's hours page on a 1366 by 768 laptop: sign in with the code,
close a public holiday, see it listed, and that day offers no slots; give
Mondays a lunch break in the weekly hours."""

import datetime

import pytest

from salon.models import OpeningHours
from salon.roles import Role
from sessions.selectors import availability
from tests.factories import UserFactory, short_routine
from tests.helpers import ARTIFACTS, axe_violations, sign_in_with_code
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_a_manager_closes_a_public_holiday(browser, live_server, password):
    from salon.services import second_factor_app_add

    scene = salon_scenario(name="Lindenhof")
    routine = short_routine()
    holiday = datetime.date.today() + datetime.timedelta(days=9)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    second_factor_app_add(user=UserFactory(username="petra", roles=[Role.MANAGER]), secret=secret)
    assert availability(salon=scene.salon, routine=routine, first_day=holiday, last_day=holiday)[0]

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        sign_in_with_code(page, live_server, password=password, secret=secret, next_path="/manage/hours/")
        page.wait_for_url(f"{live_server.url}/manage/hours/")
        assert axe_violations(page) == []

        page.get_by_label("First day closed").fill(f"{holiday:%Y-%m-%d}")
        page.get_by_label("Last day closed").fill(f"{holiday:%Y-%m-%d}")
        page.get_by_label("Reason (optional)").first.fill("Public holiday")
        page.get_by_role("button", name="Close", exact=True).click()
        page.wait_for_url(f"{live_server.url}/manage/hours/")

        row = page.locator("tr", has_text="Public holiday")
        assert "Closed" in row.inner_text()
        assert f"{holiday.day} {holiday:%b %Y}" in row.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "manage-hours.png"), full_page=True)
        assert axe_violations(page) == []

        # A lunch break on Mondays: the first span ends at noon, a second one follows.
        page.get_by_label("Monday hours 1 until").fill("12:00")
        page.get_by_role("button", name="Add opening hours on Monday").click()
        page.get_by_label("Monday hours 2 from").fill("13:00")
        page.get_by_label("Monday hours 2 until").fill("20:00")
        page.get_by_role("button", name="Save opening hours").click()
        page.get_by_text("Weekly opening hours saved.").wait_for()
        page.screenshot(path=str(ARTIFACTS / "manage-hours-lunch.png"), full_page=True)
        assert axe_violations(page) == []
    finally:
        context.close()

    assert availability(salon=scene.salon, routine=routine, first_day=holiday, last_day=holiday)[0] == []
    assert list(OpeningHours.objects.filter(salon=scene.salon, weekday=0).values_list("opens", "closes")) == [
        (datetime.time(8), datetime.time(12)),
        (datetime.time(13), datetime.time(20)),
    ]


def test_a_manager_writes_a_routines_german_name_in_the_editor(browser, live_server, password):
    from routines.models import RoutineTemplate
    from salon.services import second_factor_app_add

    # Given a manager and the classic back massage, whose German came with the guide
    salon_scenario(name="Lindenhof")
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    second_factor_app_add(user=UserFactory(username="petra", roles=[Role.MANAGER]), secret=secret)
    editor = "/manage/routines/classic-back-massage/"

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        sign_in_with_code(page, live_server, password=password, secret=secret, next_path=editor)
        page.wait_for_url(f"{live_server.url}{editor}")

        # When the manager renames the routine in its German section (open, as it holds text) and saves
        assert page.locator("details.translations", has_text="readers of Deutsch").get_attribute("open") is not None
        german_name = page.get_by_label("Name (Deutsch)")
        assert german_name.input_value() == "Klassische Rückenmassage"
        german_name.fill("Rückenmassage zum Feierabend")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        german = page.locator("details.translations", has_text="readers of Deutsch")
        german.screenshot(path=str(ARTIFACTS / "manage-routine-german.png"))
        assert axe_violations(page) == []
        page.get_by_role("button", name="Save routine").first.click()
        page.wait_for_load_state()

        # Then the routine keeps its English name and holds the German one
        saved = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)
        assert saved.name == "Classic back massage"
        assert saved.translations["de"]["name"] == "Rückenmassage zum Feierabend"
        assert axe_violations(page) == []
    finally:
        context.close()
