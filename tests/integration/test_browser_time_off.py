"""Time off as people do it: a therapist asks for a day off from "my day" on
a tablet; a manager approves it on a 1366 by 768 laptop; the therapist is
emailed and sees it approved; availability no longer offers her that day.
axe reports no critical or serious violation on each page."""

import datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from salon.models import TimeOff
from salon.roles import Role
from sessions.selectors import availability
from tests.factories import UserFactory, short_routine
from tests.helpers import ARTIFACTS, axe_violations, sign_in_with_code
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def eager_celery():
    """The decision email's task runs in the live server's process, into the locmem outbox."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def offered(scene, routine, therapist, day) -> bool:
    slots, _ = availability(salon=scene.salon, routine=routine, first_day=day, last_day=day, therapist_id=therapist.pk)
    return bool(slots)


def test_a_therapist_asks_for_a_day_off_and_a_manager_approves_it(browser, live_server, password, eager_celery):
    from salon.services import second_factor_app_add

    scene = salon_scenario(
        name="Lindenhof",
        therapists=[{"display_name": "Anna", "user__username": "anna", "user__email": "anna@salon.example"}, "Ben"],
        rooms=["Linden", "Birke"],
    )
    anna, ben = scene.therapists
    routine = short_routine()
    day = datetime.date.today() + datetime.timedelta(days=12)
    second_factor_app_add(
        user=UserFactory(username="petra", first_name="Petra", last_name="Lang", roles=[Role.MANAGER]), secret=SECRET
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    tablet = browser.new_context(viewport={"width": 820, "height": 1180}, is_mobile=True, has_touch=True)
    page = tablet.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/my-day/")
        page.get_by_label("Username").fill("anna")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/my-day/")
        page.get_by_role("link", name="Time off").click()
        page.wait_for_url(f"{live_server.url}/my-day/time-off/")
        assert axe_violations(page) == []

        days = page.get_by_role("region", name="Ask for days off")
        days.get_by_label("First day off").fill(f"{day:%Y-%m-%d}")
        days.get_by_label("Reason (optional)").fill("My sister's wedding")
        days.get_by_role("button", name="Ask for these days").click()
        page.wait_for_url(f"{live_server.url}/my-day/time-off/")

        row = page.locator("tr", has_text="My sister's wedding")
        expect(row).to_contain_text("Waiting for a decision")
        expect(row).to_contain_text(f"{day:%a} {day.day} {day:%b %Y} (the whole day)")
        expect(row.get_by_role("button", name="Withdraw")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "time-off-requested-tablet.png"), full_page=True)
        assert axe_violations(page) == []
    finally:
        tablet.close()

    asked = TimeOff.objects.get()
    assert asked.status == TimeOff.Status.REQUESTED
    assert offered(scene, routine, anna, day)  # a request takes no time until approved

    laptop = browser.new_context(viewport={"width": 1366, "height": 768})
    page = laptop.new_page()
    try:
        sign_in_with_code(page, live_server, password=password, secret=SECRET, next_path="/manage/time-off/")
        page.wait_for_url(f"{live_server.url}/manage/time-off/")
        request = page.locator(f"#request-{asked.pk}")
        expect(request).to_contain_text("Anna")
        expect(request).to_contain_text("My sister's wedding")
        page.screenshot(path=str(ARTIFACTS / "time-off-waiting-laptop.png"), full_page=True)
        assert axe_violations(page) == []

        request.get_by_label("Note to Anna (optional)").fill("Have a lovely day")
        request.get_by_role("button", name="Approve").click()
        page.wait_for_url(f"{live_server.url}/manage/time-off/")
        expect(page.get_by_role("status")).to_contain_text("Approved: Anna's time off")
        expect(page.get_by_text("No requests are waiting.")).to_be_visible()
        expect(page.locator("tr", has_text="My sister's wedding")).to_contain_text("Anna")
        page.screenshot(path=str(ARTIFACTS / "time-off-approved-laptop.png"), full_page=True)
        assert axe_violations(page) == []
    finally:
        laptop.close()

    assert not offered(scene, routine, anna, day)
    assert offered(scene, routine, ben, day)  # the desk still has Ben that day
    (email,) = mail.outbox
    assert (email.to, email.subject) == (["anna@salon.example"], "Your time off is approved")
    assert "Note from Petra Lang: Have a lovely day" in email.body


def sign_in_manager(page, live_server, password, next_path: str) -> None:
    sign_in_with_code(page, live_server, password=password, secret=SECRET, next_path=next_path)
    page.wait_for_url(f"{live_server.url}{next_path}")


def test_a_manager_looks_after_the_rooms(browser, live_server, password):
    """Add a room; taking a booked room out of use is refused with the
    session listed; a room out of service for days is entered and listed."""
    from salon.services import second_factor_app_add
    from sessions.services.booking import appointment_book

    scene = salon_scenario(
        name="Lindenhof", rooms=["Linden"], clients=[{"given_name": "Sabine", "family_name": "Krüger"}]
    )
    routine = short_routine()
    day = datetime.date.today() + datetime.timedelta(days=12)
    appointment_book(client=scene.client, routine=routine, start=scene.at(day, 10), room=scene.room)
    second_factor_app_add(user=UserFactory(username="petra", roles=[Role.MANAGER]), secret=SECRET)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    laptop = browser.new_context(viewport={"width": 1366, "height": 768})
    page = laptop.new_page()
    try:
        sign_in_manager(page, live_server, password, "/manage/rooms/")
        assert axe_violations(page) == []

        adding = page.get_by_role("region", name="Add a room")
        adding.get_by_label("Name").fill("Birke")
        adding.get_by_label("Equipment (optional)").fill("Heated table")
        adding.get_by_role("button", name="Add room").click()
        page.wait_for_url(f"{live_server.url}/manage/rooms/")
        expect(page.locator("tr", has_text="Birke")).to_contain_text("Heated table")

        page.get_by_role("button", name="Take Linden out of use").click()
        expect(page.get_by_role("alert")).to_contain_text("Sabine Krüger")
        expect(page.get_by_role("alert")).to_contain_text("move or cancel it first")

        away = page.get_by_role("region", name="Room out of service for days")
        away.get_by_label("Room").select_option(label="Birke")
        away.get_by_label("First day out of service").fill(f"{day:%Y-%m-%d}")
        away.get_by_label("Last day out of service").fill(f"{day + datetime.timedelta(days=2):%Y-%m-%d}")
        away.get_by_label("Reason (optional)").fill("New table")
        away.get_by_role("button", name="Out of service on these days").click()
        page.wait_for_url(f"{live_server.url}/manage/rooms/")
        expect(page.locator("tr", has_text="New table")).to_contain_text("(whole days)")
        page.screenshot(path=str(ARTIFACTS / "manage-rooms.png"), full_page=True)
        assert axe_violations(page) == []
    finally:
        laptop.close()

    assert TimeOff.objects.get().room.name == "Birke"
    assert scene.room.__class__.objects.get(pk=scene.room.pk).active  # Linden stayed in use
