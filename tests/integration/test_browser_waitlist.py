"""The waitlist in a browser: a client on a phone joins it, is offered a
freed time by email and books it from the link; the desk sees the list.
Each page passes axe-core (no critical or serious finding)."""

import datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from routines.services import service_set
from salon.roles import Role
from sessions.models import Appointment, WaitlistEntry
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import UserFactory, short_routine
from tests.helpers import ARTIFACTS, axe_violations
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]
SITE = "http://127.0.0.1:8000"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_client_joins_the_waitlist_and_books_a_freed_time_on_a_phone(browser, live_server, eager_celery, password):
    scene = salon_scenario(name="Lindenhof", phone="+49 30 1234567")
    routine = short_routine(slug="classic", minutes=45, turnover=15)
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7000)], online=True)
    day = (datetime.datetime.now(scene.salon.zone) + datetime.timedelta(days=3)).date()
    booked = appointment_book(
        client=scene.client, routine=routine, minutes=60,
        start=datetime.datetime.combine(day, datetime.time(10), tzinfo=scene.salon.zone),
    )  # fmt: skip
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    try:
        # Ada joins from the booking pages, for that day's mornings
        page.goto(f"{live_server.url}/book/{scene.salon.pk}/waitlist/join/?service=classic&minutes=60&date={day}")
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("To", exact=True).fill(day.isoformat())
        page.get_by_label("Mornings (8–12)").check()
        page.get_by_label("First name").fill("Ada")
        page.get_by_label("Last name").fill("Lovelace")
        page.get_by_label("Email").fill("ada@example.com")
        page.get_by_label("I have read the privacy notice").check()
        shot(page, "waitlist-join-phone")
        page.get_by_role("button", name="Join the waitlist").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You are on the waitlist")
        assert "ada" not in page.url
        assert axe_violations(page) == []
        assert WaitlistEntry.objects.get().windows == [{"from": "08:00", "to": "12:00"}]

        # Sabine cancels: Ada gets the offer by email and books it from the link
        appointment_transition(appointment=booked, to_status=Appointment.Status.CANCELLED, reason="Ill")
        link = next(word for word in mail.outbox[-1].body.split() if "/book/offer/" in word)
        page.goto(link.replace(SITE, live_server.url))
        expect(page.get_by_role("button", name="Book this time")).to_be_visible()
        assert axe_violations(page) == []
        shot(page, "waitlist-offer-phone")
        page.get_by_role("button", name="Book this time").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
        assert axe_violations(page) == []
        assert Appointment.objects.get(status="booked").origin == "waitlist"
    finally:
        phone.close()

    # The desk sees who waits (nobody now: Ada is booked) and adds a caller
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/desk/waitlist/")
        page.get_by_label("Username").fill("clara")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/desk/waitlist/")
        page.get_by_label("From", exact=True).fill(day.isoformat())
        page.get_by_label("To", exact=True).fill(day.isoformat())
        page.get_by_label("First name").fill("Tom")
        page.get_by_label("Last name").fill("Rufer")
        page.get_by_label("Phone").fill("+49 151 23456789")
        page.get_by_role("button", name="Add to the waitlist").click()
        expect(page.get_by_role("table")).to_contain_text("Tom Rufer")
        assert axe_violations(page) == []
        shot(page, "waitlist-desk")
    finally:
        desk.close()
