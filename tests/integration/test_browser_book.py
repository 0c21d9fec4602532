"""Online booking on a phone (390x844): a new client books a 60-minute
classic massage with anyone, confirms from the email, answers the health
questions from the confirmation page, moves the booking from the reminder's
link, and the desk shows it; a time held but not confirmed is offered again
once its hold has run out (time moved, not waited for)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from routines.models import RoutineTemplate
from routines.services import service_set
from salon.roles import Role
from sessions.models import Appointment, BookingHold, Notification
from sessions.services.online import booking_hold_create, hold_token
from sessions.services.outbox import notification_deliver, notification_start_sending
from tests.factories import RoomFactory, SalonFactory, TherapistFactory, UserFactory, open_every_day, works_every_day
from tests.helpers import ARTIFACTS, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.integration]
SITE = "http://127.0.0.1:8000"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CLASSIC = "classic-back-massage"


@pytest.fixture
def salon(db):
    """Lindenhof: open every day, Anna works 9–17, room Linden; the guide's
    classic back massage on the menu for online booking at 60 minutes."""
    salon = SalonFactory(name="Lindenhof", time_zone="Europe/Berlin", phone="+49 30 1234567", min_notice_minutes=0)
    open_every_day(salon)
    anna = TherapistFactory(salon=salon, display_name="Anna")
    works_every_day(anna)
    RoomFactory(salon=salon, name="Linden")
    routine = RoutineTemplate.objects.get(slug=CLASSIC, is_current=True)
    service_set(salon=salon, routine=routine, lengths=[(60, 7000)], online=True, description="Calm, firm strokes.")
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    return salon


def look(page, name: str) -> None:
    """No serious accessibility faults, nothing wider than the phone, and a picture to look at."""
    assert axe_violations(page) == [], page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"book-{name}.png"), full_page=True)


def day_link(page, day: datetime.date):
    return page.locator(f'.book-days a[href*="date={day:%Y-%m-%d}"]')


def test_a_new_client_books_confirms_answers_moves_and_the_desk_shows_it(
    browser, live_server, salon, eager_celery, mailoutbox, password
):
    zone = salon.zone
    booking_day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=3)
    moved_day = booking_day + datetime.timedelta(days=1)
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    try:
        # The deep link from the salon's website: the service is chosen, its one length too
        page.goto(f"{live_server.url}/book/?service={CLASSIC}")
        expect(page.get_by_role("heading", name="2. Who would you like?")).to_be_visible()
        look(page, "1-therapist")
        page.get_by_role("link", name="Anyone (the first free time)").click()
        expect(page.get_by_role("heading", name="3. Choose a day")).to_be_visible()
        look(page, "2-days")
        day_link(page, booking_day).click()
        page.get_by_role("link", name="10:00", exact=True).click()

        expect(page.get_by_role("heading", name="Your details")).to_be_visible()
        page.get_by_label("First name").fill("Ada")
        page.get_by_label("Last name").fill("Lovelace")
        page.get_by_label("Email").fill("ada@example.com")
        page.get_by_label("Phone", exact=True).fill("0151 23456789")
        page.get_by_label("Send me reminders before my appointment").check()
        page.get_by_label("I have read the privacy notice").check()
        look(page, "3-details")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="Check your booking")).to_be_visible()
        look(page, "4-summary")
        page.get_by_role("button", name="Hold this time").click()
        expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
        look(page, "5-held")
        assert "ada" not in page.url.lower()

        # The email's link: opening it shows the booking, the button books it
        (email,) = mailoutbox
        link = next(word for word in email.body.split() if "/book/confirm/" in word)
        page.goto(link.replace(SITE, live_server.url))
        expect(page.get_by_role("heading", name="Confirm your booking")).to_be_visible()
        look(page, "6-confirm")
        assert not Appointment.objects.exists()
        page.get_by_role("button", name="Confirm my booking").click()
        expect(page.get_by_role("heading", name="You are booked")).to_be_visible()
        look(page, "7-booked")

        # The health questions, straight from the confirmation page
        page.get_by_role("link", name="Answer the health questions").click()
        page.get_by_label("I agree to the massage treatment").check()
        page.get_by_label("I agree that the salon stores").check()
        page.get_by_label("Type your full name to sign").fill("Ada Lovelace")
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

        appointment = Appointment.objects.get()
        assert appointment.origin == Appointment.Origin.ONLINE
        assert appointment.start.astimezone(zone) == datetime.datetime.combine(booking_day, datetime.time(10), zone)
        assert appointment.client.screenings.exists()

        # The reminder carries the link to move it (sent now: its time moved, not waited for)
        reminder = Notification.objects.filter(appointment=appointment, kind="reminder").order_by("due_at").first()
        Notification.objects.filter(pk=reminder.pk).update(due_at=timezone.now())
        notification_deliver(notification=notification_start_sending(notification_id=reminder.pk))
        moving = next(word for word in mailoutbox[-1].body.split() if "/book/reschedule/" in word)
        page.goto(moving.replace(SITE, live_server.url))
        assert page.url == f"{live_server.url}/book/reschedule/"  # the token left the address bar
        look(page, "8-reschedule")
        day_link(page, moved_day).click()
        page.get_by_label("14:00").check()
        look(page, "8b-reschedule-times")
        page.get_by_role("button", name="Move my appointment").click()
        expect(page.get_by_role("heading", name="Your appointment has moved")).to_be_visible()
        look(page, "9-moved")
    finally:
        phone.close()

    appointment.refresh_from_db()
    assert appointment.start.astimezone(zone) == datetime.datetime.combine(moved_day, datetime.time(14), zone)

    # The desk shows the booking, and that it came online
    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = laptop.new_page()
    try:
        address = f"/desk/?date={moved_day:%Y-%m-%d}"
        desk.goto(f"{live_server.url}/accounts/login/?next={address.replace('?', '%3F')}")
        desk.get_by_label("Username").fill("clara")
        desk.get_by_label("Password").fill(password)
        desk.get_by_role("button", name="Log in").click()
        desk.wait_for_url(f"**{address}")
        expect(desk.locator("main")).to_contain_text("Lovelace")
        desk.goto(f"{live_server.url}/desk/appointments/{appointment.pk}/")
        expect(desk.locator("body")).to_contain_text("Online booking")
    finally:
        laptop.close()


def test_a_time_held_but_not_confirmed_is_offered_again_once_the_hold_runs_out(browser, live_server, salon):
    zone = salon.zone
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=2)
    routine = RoutineTemplate.objects.get(slug=CLASSIC, is_current=True)
    hold = booking_hold_create(
        salon=salon, routine=routine, start=datetime.datetime.combine(day, datetime.time(10), zone), minutes=60,
        given_name="Ben", family_name="Neu", email="ben@example.com",
    )  # fmt: skip
    times = f"{live_server.url}/book/{salon.pk}/?service={CLASSIC}&minutes=60&therapist=any&date={day:%Y-%m-%d}"
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    try:
        page.goto(times)
        expect(page.get_by_role("link", name="12:00", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="10:00", exact=True)).to_have_count(0)

        # When its time runs out (moved, not waited for)
        BookingHold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        page.reload()

        expect(page.get_by_role("link", name="10:00", exact=True)).to_be_visible()
        look(page, "10-times")
        # and its link says so, offering to choose again
        page.goto(f"{live_server.url}/book/confirm/{hold_token(hold)}/")
        expect(page.get_by_role("heading", name="This time was released")).to_be_visible()
        look(page, "11-expired")
        page.get_by_role("link", name="Choose a time again").click()
        expect(page.get_by_role("heading", name="2. Who would you like?")).to_be_visible()
        page.goto(f"{live_server.url}/book/privacy/?location={salon.pk}")
        look(page, "12-privacy")
    finally:
        phone.close()
