"""The front desk in a real browser: book, see a conflict, move and cancel."""

import datetime

import pytest
from playwright.sync_api import expect

from salon.roles import Role
from sessions.models import Appointment
from sessions.services.booking import appointment_book
from tests.factories import (
    UserFactory,
    short_routine,
)
from tests.helpers import ARTIFACTS
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_book_conflict_reschedule_and_cancel_at_the_desk(browser, live_server, password):
    scene = salon_scenario(
        name="Lindenhof",
        min_notice_minutes=0,
        clients=[{"given_name": "Sabine", "family_name": "Krüger"}, {"given_name": "Thomas", "family_name": "Müller"}],
    )
    salon, other = scene.salon, scene.clients[1]
    routine = short_routine(slug="back", minutes=45, turnover=15)
    day = datetime.date.today() + datetime.timedelta(days=1)
    appointment_book(
        client=other, routine=routine, start=datetime.datetime.combine(day, datetime.time(14), tzinfo=salon.zone)
    )
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/desk/%3Fdate%3D{day:%Y-%m-%d}")
        page.get_by_label("Username").fill("clara")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"**/desk/?date={day:%Y-%m-%d}")

        # Book Sabine at 10:00 with Anna.
        panel = page.locator("#panel")
        page.get_by_role("button", name="Book Anna at 10:00").click()
        panel.get_by_label("Service", exact=True).select_option(label="Test routine")
        panel.get_by_label("Find a client").press_sequentially("Sab", delay=50)
        panel.get_by_label("Krüger, Sabine").check()
        panel.get_by_role("button", name="Book", exact=True).click()
        booking = page.locator(".booking", has_text="10:00 Sabine Krüger")
        booking.wait_for()
        assert page.locator("#desk-grid [role=status]").inner_text() == "Booked Sabine Krüger at 10:00."

        # 13:30 runs into Thomas at 14:00: the desk says so in words.
        page.get_by_role("button", name="Book Anna at 13:30").click()
        expect(panel.get_by_label("Start")).to_have_value(f"{day:%Y-%m-%d}T13:30")  # the new form is in
        panel.get_by_label("Find a client").press_sequentially("Sab", delay=50)
        panel.get_by_label("Krüger, Sabine").check()
        panel.get_by_role("button", name="Book", exact=True).click()
        alert = page.locator("#panel [role=alert]")
        alert.wait_for()
        assert "Anna is busy from" in alert.inner_text()
        assert "14:00" in alert.inner_text()

        # Move Sabine to 11:00.
        booking.click()
        page.get_by_label("Move to").fill(f"{day:%Y-%m-%d}T11:00")
        page.get_by_role("button", name="Move booking").click()
        page.locator(".booking", has_text="11:00 Sabine Krüger").wait_for()

        # Cancel it with a reason.
        page.locator(".booking", has_text="11:00 Sabine Krüger").click()
        page.get_by_label("Reason for cancelling").fill("Client is ill")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "desk.png"), full_page=True)
        page.get_by_role("button", name="Cancel booking").click()
        page.locator(".booking", has_text="Sabine").wait_for(state="detached")
    finally:
        context.close()

    sabine = Appointment.objects.get(client__given_name="Sabine")
    assert sabine.status == "cancelled"
    assert sabine.cancellation_reason == "Client is ill"
    assert sabine.start.astimezone(salon.zone).hour == 11
    assert [change.kind for change in sabine.changes.all()] == ["booked", "rescheduled", "status"]
