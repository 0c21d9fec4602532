"""The routine editor on a 1366 by 768 laptop: a manager opens the classic
back massage, moves a step with the keyboard and another by dragging, sees
the total length follow a changed dose, previews the plan for a sample
client, saves, and finds the new order on the routine's page."""

import re

import pytest
from playwright.sync_api import expect

from routines.models import RoutineTemplate
from salon.roles import Role
from tests.factories import UserFactory
from tests.helpers import ARTIFACTS, axe_violations, sign_in_with_code
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sign_in_as_manager(page, live_server, password, next_path):
    sign_in_with_code(page, live_server, password=password, secret=SECRET, next_path=next_path)
    page.wait_for_url(f"{live_server.url}{next_path}")


def step(page, number: int):
    return page.locator("[data-step]:not(.is-removed)").nth(number - 1)


def test_a_manager_reorders_previews_and_saves_the_classic_routine(browser, live_server, password):
    from salon.services import second_factor_app_add

    salon_scenario(name="Lindenhof")
    second_factor_app_add(user=UserFactory(username="petra", roles=[Role.MANAGER]), secret=SECRET)
    before = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        sign_in_as_manager(page, live_server, password, "/manage/routines/")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Edit Classic back massage").click()
        page.wait_for_url(f"{live_server.url}/manage/routines/classic-back-massage/")
        total = page.locator("[data-total]")
        typical = int(total.inner_text())
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        page.screenshot(path=str(ARTIFACTS / "manage-routine-editor-top.png"))
        step(page, 4).screenshot(path=str(ARTIFACTS / "manage-routine-step-counted.png"))
        assert axe_violations(page) == []

        # The keyboard: "Move step 6 up" moves the forearm stroking; the focus stays on its button.
        page.get_by_role("button", name="Move step 6 up").focus()
        page.keyboard.press("Enter")
        expect(step(page, 5).locator(":scope > legend")).to_have_text("Step 5: Forearm stroking")
        assert page.evaluate("document.activeElement.textContent").strip().endswith("Move step 5 up")
        expect(page.locator("[data-editor-status]")).to_have_text("Forearm stroking moved to step 5 of 10.")

        # Dragging by the handle: the base-of-palm stroking goes first (dropped on
        # the upper half of step 1, below the bar that stays at the top). A step with
        # its notes in each language is most of the screen high: step 1 goes just
        # below the bar, so that step 2's handle shows at the bottom.
        step(page, 1).evaluate("element => element.scrollIntoView({block: 'start'})")
        page.evaluate("window.scrollBy(0, -80)")
        expect(step(page, 2).locator(".drag-handle")).to_be_in_viewport()
        step(page, 2).locator(".drag-handle").drag_to(step(page, 1), target_position={"x": 300, "y": 120})
        expect(step(page, 1).locator(":scope > legend")).to_have_text("Step 1: Base-of-palm stroking")

        # The total follows the dose: open-palm stroking (now step 2) 9 to 10 minutes instead of 5 to 10.
        step(page, 2).get_by_label("Least minutes").fill("9")
        expect(total).to_have_text(str(typical + 2))
        expect(page.locator("[data-editor-status]")).to_have_text(
            re.compile(rf"Typical length {typical + 2} minutes, booking slot \d+ minutes\.")
        )
        page.screenshot(path=str(ARTIFACTS / "manage-routine-editor.png"), full_page=False)

        # The preview for a sample client, not saved.
        page.get_by_label("Sample client").select_option(label="Painful points on the shoulders")
        page.get_by_role("button", name="Preview the plan").click()
        plan = page.locator("#plan-preview")
        expect(plan).to_contain_text("Plan for a sample client: Painful points on the shoulders")
        expect(plan.locator(".plan-step").nth(4)).to_contain_text("5. Forearm stroking")
        expect(plan).to_contain_text("shoulders (right) 7/10")
        page.locator(".preview-card").screenshot(path=str(ARTIFACTS / "manage-routine-preview.png"))
        assert axe_violations(page) == []
        assert RoutineTemplate.objects.get(pk=before.pk).steps.get(order=5).technique.name != "Forearm stroking"

        page.get_by_role("button", name="Save routine").first.click()
        page.wait_for_url(f"{live_server.url}/manage/routines/classic-back-massage/")
        expect(page.get_by_role("status")).to_contain_text(f"Saved Classic back massage (version {before.version}).")
        assert axe_violations(page) == []

        page.goto(f"{live_server.url}/routines/classic-back-massage/")
        titles = [text.split("repeats")[0].strip() for text in page.locator(".timeline-step h3").all_inner_texts()]
        assert titles[:5] == [
            "1. Base-of-palm stroking",
            "2. Open-palm stroking",
            "3. Reinforced fingertip stroking",
            "4. Reinforced thumb rubbing",
            "5. Forearm stroking",
        ]
        expect(page.locator(".timeline-step").nth(9)).to_contain_text("repeats step 2")
        page.screenshot(path=str(ARTIFACTS / "manage-routine-saved.png"), full_page=True)
    finally:
        context.close()

    saved = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)
    assert saved.steps.get(order=2).min_minutes == 9
    assert saved.steps.get(order=9).repeat_of.order == 1  # the finishing base-of-palm stroking


def test_the_editor_fits_a_tablet(browser, live_server, password):
    from salon.services import second_factor_app_add

    salon_scenario(name="Lindenhof")
    second_factor_app_add(user=UserFactory(username="petra", roles=[Role.MANAGER]), secret=SECRET)
    context = browser.new_context(viewport={"width": 820, "height": 1180}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        sign_in_as_manager(page, live_server, password, "/manage/routines/pregnancy-back-massage/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 820
        page.get_by_role("button", name="Move step 2 down").click()
        expect(step(page, 3).locator(":scope > legend")).to_have_text("Step 3: Base-of-palm stroking")
        page.get_by_role("button", name="Add a step").click()
        expect(step(page, 6).locator(":scope > legend")).to_have_text("Step 6: New step")
        expect(page.get_by_label("Technique").last).to_be_focused()
        page.get_by_role("button", name="Remove step 6").click()
        expect(page.get_by_role("button", name="Keep New step")).to_be_focused()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "manage-routine-editor-tablet.png"), full_page=False)
        assert axe_violations(page) == []
    finally:
        context.close()
