"""The desk's status rules in a real browser on a receptionist's 1366x768
laptop: checking a client in asks first, the check-in is undone with a
reason and both stay in the history, and the panel passes axe."""

import datetime

import pytest
from playwright.sync_api import expect

from salon.roles import Role
from sessions.models import Appointment
from sessions.services.booking import appointment_book
from tests.factories import UserFactory, screening_for, short_routine
from tests.helpers import ARTIFACTS, axe_violations, move_to_now
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

LAPTOP = {"width": 1366, "height": 768}
ALL_DAY = (datetime.time(0), datetime.time(23, 59))


@pytest.fixture
def started_just_now():
    """Sabine's session with Anna began a few minutes ago, today in Berlin (the
    salon is open and Anna works around the clock, so any hour will do)."""
    scene = salon_scenario(
        name="Lindenhof",
        opens=ALL_DAY[0],
        closes=ALL_DAY[1],
        works=ALL_DAY,
        clients=[{"given_name": "Sabine", "family_name": "Krüger"}],
    )
    screening_for(scene.client)
    routine = short_routine(slug="back", minutes=45, turnover=15)
    tomorrow = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=1)
    booked = appointment_book(client=scene.client, routine=routine, start=scene.at(tomorrow, 10))
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    return move_to_now(booked)


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_check_in_asks_first_and_is_undone_with_a_reason(browser, live_server, password, started_just_now):
    # Given Clara at the desk on her laptop, with Sabine's session just begun
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/desk/")
    page.get_by_label("Username").fill("clara")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/desk/")
    panel = page.locator("#panel")
    booking = page.locator(".booking", has_text="Sabine Krüger")

    # When she opens the booking and presses Check in
    booking.click()
    panel.get_by_role("button", name="Check in", exact=True).click()

    # Then the panel asks first, with the focus on the answer, and nothing has changed yet
    expect(panel.get_by_text("Check in Sabine Krüger now?")).to_be_visible()
    expect(panel.get_by_role("button", name="Yes, check in")).to_be_focused()
    expect(panel.get_by_role("button", name="Keep")).to_be_visible()
    assert Appointment.objects.get(pk=started_just_now.pk).status == "booked"
    violations = axe_violations(page)
    shot(page, "desk-status-confirm")
    assert violations == [], violations

    # When she keeps it, the booking is as it was; when she confirms, Sabine is checked in
    panel.get_by_role("button", name="Keep").click()
    expect(panel.get_by_role("button", name="Check in", exact=True)).to_be_visible()
    panel.get_by_role("button", name="Check in", exact=True).click()
    panel.get_by_role("button", name="Yes, check in").click()
    expect(page.locator(".booking", has_text="Sabine Krüger")).to_contain_text("Checked in")
    assert Appointment.objects.get(pk=started_just_now.pk).status == "checked_in"

    # When she finds it was the wrong Sabine and undoes the check-in, saying why
    page.locator(".booking", has_text="Sabine Krüger").click()
    undo = panel.get_by_label("Why undo the check-in?")
    expect(undo).to_be_visible()
    violations = axe_violations(page)
    shot(page, "desk-status-undo")
    assert violations == [], violations
    undo.fill("Checked in the wrong Sabine")
    panel.get_by_role("button", name="Undo check-in").click()

    # Then she is booked again, and the history keeps both changes with the reason
    expect(page.locator(".booking", has_text="Sabine Krüger")).to_contain_text("Booked")
    page.locator(".booking", has_text="Sabine Krüger").click()
    history = panel.locator(".status-history")
    expect(history).to_contain_text("Checked in")
    expect(history).to_contain_text("Check-in undone, back to booked: Checked in the wrong Sabine")
    shot(page, "desk-status-history")
    assert list(Appointment.objects.get(pk=started_just_now.pk).changes.values_list("kind", flat=True)) == [
        "booked",
        "status",
        "status_undone",
    ]
    context.close()
