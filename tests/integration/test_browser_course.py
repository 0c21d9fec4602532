"""A course at the desk in a browser: from a booked session the receptionist
asks for the next weekly sessions, sees which dates fit (and another
therapist for the one that does not), books them and finds them on the
grid. The page passes axe-core (no critical or serious finding)."""

import datetime

import pytest
from playwright.sync_api import expect

from salon.roles import Role
from sessions.models import Course
from sessions.services.booking import appointment_book
from tests.factories import UserFactory, short_routine
from tests.helpers import ARTIFACTS, axe_violations
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_the_desk_books_a_course_from_a_session(browser, live_server, password):
    scene = salon_scenario(therapists=["Anna", "Ben"], rooms=["Linden", "Birke"], name="Lindenhof")
    routine = short_routine(slug="classic", minutes=45, turnover=15)
    anna, ben = scene.therapists
    today = datetime.datetime.now(scene.salon.zone).date()
    monday = today + datetime.timedelta(days=7 - today.weekday())
    at_ten = datetime.datetime.combine(monday, datetime.time(10), tzinfo=scene.salon.zone)
    seed = appointment_book(client=scene.client, routine=routine, start=at_ten, therapist=anna)
    # In the way: Anna is booked two weeks on
    appointment_book(client=scene.client, routine=routine, start=at_ten + datetime.timedelta(weeks=2), therapist=anna)
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/desk/appointments/{seed.pk}/course/")
        page.get_by_label("Username").fill("clara")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"**/desk/appointments/{seed.pk}/course/")
        page.get_by_label("Sessions").fill("3")
        page.get_by_role("button", name="Show the dates").click()
        expect(page.get_by_role("heading", name="The dates: 2 of 3 fit")).to_be_visible()
        assert axe_violations(page) == []
        page.get_by_role("group", name="2.").get_by_label("with Ben").first.check()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "desk-course.png"), full_page=True)
        page.get_by_role("button", name="Book the course").click()
        page.wait_for_url("**/desk/?date=*")
        course = Course.objects.get()
        assert [session.therapist for session in course.appointments.order_by("start")] == [anna, ben, anna]
        expect(page.locator("#desk-grid")).to_contain_text(scene.client.family_name)
    finally:
        desk.close()
