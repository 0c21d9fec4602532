"""A salon owner's first day with the manager's area, in Chromium on a
1366 by 768 laptop: the manager invites a therapist, gives her a split-shift
rota from next Monday and puts a price list on the menu; the therapist sets
her password from the invitation email; a receptionist books her on the desk
next Monday at the listed price; the manager closes a public holiday and
that day offers no slots. axe finds no critical or serious violation on any
/manage/ page on the way."""

import datetime
import re

import pytest
from django.core import mail

from config.celery import app as celery_app
from routines.models import RoutineTemplate
from salon.models import Therapist, User, WorkingHours
from salon.roles import Role
from sessions.models import Appointment
from sessions.selectors import availability
from tests.factories import UserFactory
from tests.helpers import ARTIFACTS, axe_violations, sign_in_with_code
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

LAPTOP = {"width": 1366, "height": 768}
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def tasks_in_process():
    """The invitation email goes out through Celery; here its task runs in
    the web server's thread, so the email lands in the locmem outbox."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def next_monday(zone) -> datetime.date:
    today = datetime.datetime.now(zone).date()
    return today + datetime.timedelta(days=7 - today.weekday())


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"first-day-{name}.png"), full_page=True)


def accessible(page, name: str) -> None:
    shot(page, name)
    assert axe_violations(page) == [], name


def test_a_manager_sets_up_a_therapist_who_is_then_booked(browser, live_server, password, tasks_in_process):
    from salon.services import second_factor_app_add

    scene = salon_scenario(name="Lindenhof", rooms=["Linden", "Birke"], clients=["Sabine"])
    salon = scene.salon
    monday = next_monday(salon.zone)
    holiday = monday + datetime.timedelta(days=7)
    classic = RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True)
    second_factor_app_add(user=UserFactory(username="petra", roles=[Role.MANAGER]), secret=SECRET)
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])

    contexts = [browser.new_context(viewport=LAPTOP) for _ in range(3)]
    manager, therapist, desk = (context.new_page() for context in contexts)
    try:
        sign_in_with_code(manager, live_server, password=password, secret=SECRET, next_path="/manage/")
        manager.wait_for_url(f"{live_server.url}/manage/staff/")
        accessible(manager, "staff")

        # The new therapist, invited by email.
        manager.goto(f"{live_server.url}/manage/staff/new/")
        accessible(manager, "staff-new")
        manager.get_by_label("Given name").fill("Hanna")
        manager.get_by_label("Family name").fill("Vogel")
        manager.get_by_label("Login name").fill("hanna")
        manager.get_by_label("Email").fill("hanna@lindenhof.example")
        manager.get_by_label("Therapist", exact=True).check()
        manager.get_by_label("Display name").fill("Hanna")
        manager.get_by_label("Qualified for pregnancy massage").check()
        manager.get_by_label("Linden", exact=True).check()
        manager.get_by_role("button", name="Send invitation").click()
        manager.wait_for_load_state()
        assert "Hanna" in manager.locator("main").inner_text()
        hanna = Therapist.objects.get(display_name="Hanna")
        assert not hanna.user.has_usable_password()

        # Her rota from next Monday: a split shift on Mondays, a day on Wednesdays.
        manager.goto(f"{live_server.url}/manage/rotas/{hanna.pk}/")
        accessible(manager, "rota-empty")
        assert manager.get_by_label("Valid from").input_value() == f"{monday:%Y-%m-%d}"
        manager.get_by_label("Monday shift 1 starts").fill("09:00")
        manager.get_by_label("Monday shift 1 ends").fill("13:00")
        manager.get_by_role("button", name="Add a shift on Monday").click()
        manager.get_by_label("Monday shift 2 starts").fill("15:00")
        manager.get_by_label("Monday shift 2 ends").fill("19:00")
        manager.get_by_label("Wednesday shift 1 starts").fill("10:00")
        manager.get_by_label("Wednesday shift 1 ends").fill("18:00")
        manager.get_by_role("button", name="Save rota").click()
        manager.wait_for_load_state()
        accessible(manager, "rota-saved")
        shifts = WorkingHours.objects.filter(therapist=hanna, salon=salon, valid_from=monday)
        assert sorted((shift.weekday, shift.starts, shift.ends) for shift in shifts) == [
            (0, datetime.time(9), datetime.time(13)),
            (0, datetime.time(15), datetime.time(19)),
            (2, datetime.time(10), datetime.time(18)),
        ]

        # A price list for the classic back massage.
        manager.goto(f"{live_server.url}/manage/services/")
        accessible(manager, "services")
        manager.get_by_role("link", name="Set the prices of Classic back massage").click()
        manager.get_by_label("Length 1 in minutes").fill("60")
        manager.get_by_label("Price of length 1 in EUR").fill("72,00")
        manager.get_by_label("Length 2 in minutes").fill("90")
        manager.get_by_label("Price of length 2 in EUR").fill("99")
        accessible(manager, "service-edit")
        manager.get_by_role("button", name="Save prices").click()
        manager.wait_for_url(f"{live_server.url}/manage/services/")
        row = manager.locator("tr", has_text="Classic back massage")
        assert "60 min · €72.00" in row.inner_text()
        assert "90 min · €99.00" in row.inner_text()

        # Hanna sets her password from the invitation and signs in.
        invitation = next(message for message in mail.outbox if "hanna@lindenhof.example" in message.to)
        link = re.search(r"https?://\S+/accounts/invitation/\S+/", invitation.body).group(0)
        therapist.goto(live_server.url + link[link.index("/accounts/") :])
        shot(therapist, "invitation")
        assert axe_violations(therapist) == []
        therapist.get_by_label("New password", exact=True).fill("a long and private passphrase")
        therapist.get_by_label("New password again").fill("a long and private passphrase")
        therapist.get_by_role("button", name="Set password").click()
        therapist.wait_for_url("**/accounts/login/**")
        therapist.get_by_label("Username").fill("hanna")
        therapist.get_by_label("Password").fill("a long and private passphrase")
        therapist.get_by_role("button", name="Log in").click()
        therapist.wait_for_url("**/my-day/**")
        assert User.objects.get(username="hanna").has_usable_password()

        # The receptionist books her next Monday at 15:00, the 60-minute massage at its price.
        desk.goto(f"{live_server.url}/accounts/login/?next=/desk/%3Fdate%3D{monday:%Y-%m-%d}")
        desk.get_by_label("Username").fill("clara")
        desk.get_by_label("Password").fill(password)
        desk.get_by_role("button", name="Log in").click()
        desk.wait_for_url(f"**/desk/?date={monday:%Y-%m-%d}")
        desk.get_by_role("button", name="Book Hanna at 15:00").click()
        panel = desk.locator("#panel")
        panel.get_by_label("Service", exact=True).select_option(label="Classic back massage · 60 min · €72.00")
        panel.get_by_label("Find a client").press_sequentially("Sab", delay=50)
        panel.get_by_label(re.compile("Sabine")).check()
        panel.get_by_role("button", name="Book", exact=True).click()
        desk.locator(".booking", has_text="15:00 Sabine").wait_for()
        shot(desk, "desk")
        booked = Appointment.objects.get(therapist=hanna)
        assert booked.start.astimezone(salon.zone) == datetime.datetime.combine(
            monday, datetime.time(15), tzinfo=salon.zone
        )
        assert booked.end - booked.start == datetime.timedelta(minutes=60)
        assert (booked.price_minor, booked.currency, booked.room.name) == (7200, "EUR", "Linden")

        # A public holiday the Monday after: nobody can be booked then.
        assert availability(salon=salon, routine=classic, first_day=holiday, last_day=holiday)[0]
        manager.goto(f"{live_server.url}/manage/hours/")
        manager.get_by_label("First day closed").fill(f"{holiday:%Y-%m-%d}")
        manager.get_by_label("Last day closed").fill(f"{holiday:%Y-%m-%d}")
        manager.get_by_label("Reason (optional)").first.fill("Public holiday")
        manager.get_by_role("button", name="Close", exact=True).click()
        manager.wait_for_url(f"{live_server.url}/manage/hours/")
        accessible(manager, "hours")
        manager.goto(f"{live_server.url}/manage/access-log/")
        accessible(manager, "access-log")
    finally:
        for context in contexts:
            context.close()
    assert availability(salon=salon, routine=classic, first_day=holiday, last_day=holiday)[0] == []
