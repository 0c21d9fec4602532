"""The settings page in a real browser, on a 1366 by 768 laptop and on a
tablet: a manager signs in with the code, changes the slot grid and the quiet
hours (local times, typed into time fields), saves, and sees them saved; a
mistyped reminder is shown next to its field. axe finds no critical or
serious problem on the page, before, after and with the error."""

import datetime

import pytest

from salon.models import Salon
from salon.roles import Role
from tests.factories import UserFactory
from tests.helpers import ARTIFACTS, axe_violations, sign_in_with_code
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.mark.parametrize(
    ("device", "viewport"),
    [("laptop", {"width": 1366, "height": 768}), ("tablet", {"width": 820, "height": 1180})],
)
def test_a_manager_changes_the_slot_grid_and_quiet_hours(browser, live_server, password, device, viewport):
    from salon.services import second_factor_app_add

    scene = salon_scenario(name="Lindenhof")
    second_factor_app_add(user=UserFactory(username="petra", roles=[Role.MANAGER]), secret=SECRET)

    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in_with_code(page, live_server, password=password, secret=SECRET, next_path="/manage/settings/")
        page.wait_for_url(f"{live_server.url}/manage/settings/")
        assert page.get_by_role("heading", name="Settings · Lindenhof").is_visible()
        assert axe_violations(page) == []
        page.screenshot(path=str(ARTIFACTS / f"manage-settings-{device}.png"), full_page=True)

        # a reminder mistyped: refused next to its field, nothing saved
        page.get_by_label("Slot grid").select_option("30")
        page.get_by_label("Reminders (hours before the session)").fill("24, soon")
        page.get_by_role("button", name="Save the settings of Lindenhof").click()
        page.wait_for_load_state()
        error = page.locator("#id_reminder_lead_hours_error")
        assert "Give whole hours separated by commas" in error.inner_text()
        assert page.get_by_label("Reminders (hours before the session)").get_attribute("aria-invalid") == "true"
        assert Salon.objects.get(pk=scene.salon.pk).slot_minutes == 15
        assert axe_violations(page) == []
        page.screenshot(path=str(ARTIFACTS / f"manage-settings-{device}-refused.png"), full_page=True)

        # then put right, with the grid and the quiet hours changed
        page.get_by_label("Reminders (hours before the session)").fill("24, 2")
        page.get_by_label("Slot grid").select_option("30")
        page.get_by_label("Quiet hours start").fill("22:00")
        page.get_by_label("Quiet hours end").fill("07:30")
        page.get_by_role("button", name="Save the settings of Lindenhof").click()
        page.wait_for_url(f"{live_server.url}/manage/settings/")

        assert "Settings of Lindenhof saved." in page.get_by_role("status").inner_text()
        assert page.get_by_label("Slot grid").input_value() == "30"
        assert page.get_by_label("Quiet hours start").input_value() == "22:00"
        assert page.get_by_label("Quiet hours end").input_value() == "07:30"
        assert page.get_by_label("Reminders (hours before the session)").input_value() == "24, 2"
        salon = Salon.objects.get(pk=scene.salon.pk)
        assert (salon.slot_minutes, salon.quiet_hours_start, salon.quiet_hours_end) == (
            30,
            datetime.time(22),
            datetime.time(7, 30),
        )
        assert salon.reminder_lead_hours == [24, 2]

        # every field fits the screen: nothing to scroll sideways for
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert axe_violations(page) == []
        page.screenshot(path=str(ARTIFACTS / f"manage-settings-{device}-saved.png"), full_page=True)
    finally:
        context.close()
