"""A client cancels on a phone from the link in their confirmation; a
therapist subscribes to their calendar feed and makes a new address."""

import datetime

import icalendar
import pytest
from playwright.sync_api import expect

from clients.models import ClientLink
from salon.selectors import calendar_feed_url
from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book
from sessions.services.outbox import notification_deliver, notification_start_sending
from tests.factories import (
    ClientFactory,
    RoomFactory,
    SalonFactory,
    TherapistFactory,
    open_every_day,
    screening_for,
    short_routine,
    works_every_day,
)
from tests.helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.integration]
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def booked_in_three_days(db):
    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=0, phone="+49 30 1234567")
    open_every_day(salon)
    anna = TherapistFactory(salon=salon, display_name="Anna", user__username="anna")
    works_every_day(anna)
    RoomFactory(salon=salon, name="Linden")
    sabine = ClientFactory(salon=salon, given_name="Sabine", family_name="Krüger", consent_reminders=True)
    screening_for(sabine)
    day = datetime.datetime.now(salon.zone).date() + datetime.timedelta(days=3)
    return appointment_book(
        client=sabine,
        routine=short_routine(minutes=45, turnover=15),
        start=datetime.datetime.combine(day, datetime.time(10), tzinfo=salon.zone),
    )


def test_a_client_cancels_on_a_phone_from_the_confirmation(browser, live_server, booked_in_three_days, mailoutbox):
    confirmation = Notification.objects.get(appointment=booked_in_three_days, kind="confirmation")
    notification_deliver(notification=notification_start_sending(notification_id=confirmation.pk))
    link = next(word for word in mailoutbox[0].body.split() if "/forms/cancel/" in word)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    try:
        page.goto(link.replace(SITE, live_server.url))
        assert page.url == f"{live_server.url}/forms/cancel/"  # the token left the address bar
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        expect(page.locator("main")).to_contain_text("10:00")
        page.get_by_label("Would you tell us why? (optional)").fill("My daughter is ill")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "cancel-phone.png"), full_page=True)
        page.get_by_role("button", name="Cancel my appointment").click()

        expect(page.get_by_role("heading", name="Cancelled")).to_be_visible()
        page.go_back()
        page.reload()  # the form again, after the link was spent
        expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    finally:
        phone.close()

    booked_in_three_days.refresh_from_db()
    assert booked_in_three_days.status == Appointment.Status.CANCELLED
    assert booked_in_three_days.cancellation_reason.endswith("My daughter is ill")
    assert ClientLink.objects.get(purpose=ClientLink.Purpose.CANCEL).used_at is not None


def test_a_therapist_subscribes_to_the_feed_and_makes_a_new_address(
    browser, live_server, booked_in_three_days, password
):
    anna = booked_in_three_days.therapist
    tablet = browser.new_context(viewport={"width": 1024, "height": 768})
    page = tablet.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/my-day/")
        page.get_by_label("Username").fill("anna")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/my-day/")
        page.get_by_text("sessions in a phone calendar").click()
        address = page.get_by_label("Calendar address").input_value()
        assert address == calendar_feed_url(anna)

        feed = page.request.get(address.replace(SITE, live_server.url))
        assert feed.status == 200
        (event,) = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
        assert str(event["summary"]) == "Massage: Sabine K."

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Make a new address").click()
        page.wait_for_load_state()
        page.get_by_text("sessions in a phone calendar").click()
        expect(page.get_by_label("Calendar address")).not_to_have_value(address)
        assert page.request.get(address.replace(SITE, live_server.url)).status == 404
    finally:
        tablet.close()
