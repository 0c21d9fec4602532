"""The front desk in a real browser on a receptionist's 1366x768 laptop:
book, see a clash explained in place, drag a booking to another time, book
the next free slot, book by keyboard alone, cancel; axe on every view.

The clash runs with DEBUG on, as `make run` serves it, and off, as
production does: under DEBUG a refused booking once replaced the whole page."""

import datetime

import pytest
from playwright.sync_api import expect

from routines.services import service_set
from salon.roles import Role
from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book
from tests.factories import UserFactory, short_routine
from tests.helpers import ARTIFACTS, axe_violations
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(params=[True, False], ids=["debug-on", "debug-off"])
def debug(request, settings):
    """Each journey as `make run` serves it (DEBUG on) and as production does."""
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def desk_day():
    return datetime.date.today() + datetime.timedelta(days=1)


@pytest.fixture
def front_desk(desk_day):
    """Lindenhof tomorrow: Anna and Ben work 9–17 in two rooms; Thomas is
    booked with Anna at 14:00; a 45-minute routine sold at 45 and 60 minutes."""
    scene = salon_scenario(
        name="Lindenhof",
        min_notice_minutes=0,
        therapists=["Anna", "Ben"],
        rooms=["Linden", "Ulme"],
        clients=[
            {"given_name": "Sabine", "family_name": "Krüger", "email": "sabine@example.com", "consent_reminders": True},
            {"given_name": "Thomas", "family_name": "Müller"},
        ],
    )
    routine = short_routine(slug="back", minutes=45, turnover=15)
    service_set(salon=scene.salon, routine=routine, lengths=[(45, 5500), (60, 7000)])
    anna = scene.therapists[0]
    appointment_book(client=scene.clients[1], routine=routine, start=scene.at(desk_day, 14), therapist=anna, minutes=45)
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    scene.routine = routine
    return scene


def open_desk(browser, live_server, password, address):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={address.replace('?', '%3F').replace('&', '%26')}")
    try:
        expect(page.get_by_label("Username")).to_be_visible()
    except AssertionError:
        shot(page, "desk-login-missing")
        raise AssertionError(f"No sign-in form at {page.url}: {page.content()[:2000]}") from None
    page.get_by_label("Username").fill("clara")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{address}")
    return context, page


def shot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def choose_client(panel, typed: str, label: str):
    panel.get_by_label("Find a client").press_sequentially(typed, delay=40)
    panel.get_by_label(label).check()


def test_a_clash_is_explained_in_the_panel_and_keeps_the_grid_and_the_client(
    browser, live_server, password, front_desk, desk_day, debug
):
    # Given the desk, as `make run` (DEBUG on) or production serves it
    service = f"{front_desk.routine.pk}:45"
    context, page = open_desk(browser, live_server, password, f"/desk/?date={desk_day}&service={service}")
    try:
        panel = page.locator("#panel")
        # When Clara books Sabine with Anna at 13:30, which runs into Thomas at 14:00
        page.get_by_role("button", name="Book Anna at 13:00").click()
        choose_client(panel, "Krü", "Krüger, Sabine")
        panel.get_by_label("Start").fill(f"{desk_day}T13:30")
        panel.get_by_role("button", name="Book", exact=True).click()

        # Then the refusal is in the panel, in words, with focus on it
        alert = panel.get_by_role("alert")
        expect(alert).to_contain_text("Anna is busy from")
        expect(alert).to_contain_text("14:00")
        expect(alert).to_be_focused()
        shot(page, f"desk-clash-{'debug' if debug else 'production'}")
        # and the grid, the chosen client and what was typed are all still there
        expect(page.locator("#desk-table")).to_be_visible()
        expect(panel.get_by_label("Krüger, Sabine")).to_be_checked()
        expect(panel.get_by_label("Start")).to_have_value(f"{desk_day}T13:30")
        expect(panel.get_by_label("Service")).to_have_value(service)

        # When she picks 13:00 instead, the booking is made
        panel.get_by_label("Start").fill(f"{desk_day}T13:00")
        panel.get_by_role("button", name="Book", exact=True).click()
        expect(page.get_by_role("status")).to_have_text("Booked Sabine Krüger at 13:00.")
    finally:
        context.close()
    booked = Appointment.objects.get(client__given_name="Sabine")
    assert booked.start.astimezone(front_desk.salon.zone).time() == datetime.time(13)
    assert booked.therapist.display_name == "Anna"


def test_dragging_a_booking_to_another_therapist_moves_it_and_tells_the_client(
    browser, live_server, password, front_desk, desk_day, debug
):
    # Given Sabine booked with Anna at 10:00
    sabine = appointment_book(
        client=front_desk.clients[0], routine=front_desk.routine, start=front_desk.at(desk_day, 10),
        therapist=front_desk.therapists[0], minutes=45,
    )  # fmt: skip
    service = f"{front_desk.routine.pk}:45"
    context, page = open_desk(browser, live_server, password, f"/desk/?date={desk_day}&service={service}")
    try:
        # When Clara drags the booking onto Ben at 11:00 and confirms
        booking = page.locator(".booking", has_text="10:00 Sabine Krüger")
        target = page.get_by_role("button", name="Book Ben at 11:00")
        target.scroll_into_view_if_needed()
        booking.drag_to(target)
        panel = page.locator("#panel")
        expect(panel).to_contain_text("To")
        expect(panel).to_contain_text("11:00 with Ben")
        shot(page, "desk-drag-confirm")
        assert axe_violations(page) == []
        panel.get_by_role("button", name="Yes, move it").click()

        # Then the grid shows it with Ben at 11:00
        expect(page.get_by_role("status")).to_contain_text("Moved to")
        expect(page.locator(".booking", has_text="11:00 Sabine Krüger")).to_be_visible()
    finally:
        context.close()
    sabine.refresh_from_db()
    assert sabine.therapist.display_name == "Ben"
    assert sabine.start.astimezone(front_desk.salon.zone).time() == datetime.time(11)
    # and Sabine is told of the new time (a row in the outbox)
    assert Notification.objects.filter(appointment=sabine, kind=Notification.Kind.RESCHEDULE).count() == 1


def test_a_drop_where_the_booking_does_not_fit_is_refused_before_anything_moves(
    browser, live_server, password, front_desk, desk_day
):
    sabine = appointment_book(
        client=front_desk.clients[0], routine=front_desk.routine, start=front_desk.at(desk_day, 12),
        therapist=front_desk.therapists[0], minutes=45,
    )  # fmt: skip
    context, page = open_desk(browser, live_server, password, f"/desk/?date={desk_day}&service={sabine.routine_id}:45")
    try:
        # When the booking is dropped on Anna at 13:30, where Thomas's 14:00 is in the way
        target = page.locator("td[data-drop][data-therapist]", has=page.locator("text=Busy from 14:00")).first
        target.scroll_into_view_if_needed()  # a drag that has to scroll the grid first never starts
        page.locator(".booking", has_text="12:00 Sabine Krüger").drag_to(target)
        # Then the panel says why, and nothing moved
        shot(page, "desk-drag-refused")
        expect(page.locator("#panel").get_by_role("alert")).to_contain_text("busy from")
    finally:
        context.close()
    sabine.refresh_from_db()
    assert sabine.start.astimezone(front_desk.salon.zone).time() == datetime.time(12)


def test_next_free_keeps_the_service_and_length_and_spreads_across_therapists(
    browser, live_server, password, front_desk, desk_day, debug
):
    context, page = open_desk(browser, live_server, password, f"/desk/?date={desk_day}")
    try:
        # When Clara asks for the next free 60 minutes of the test routine
        page.get_by_label("Service", exact=True).first.select_option(label="Test routine · 60 min · €70.00")
        page.get_by_role("button", name="Find").click()
        offers = page.locator("#next-free li button")
        expect(offers.first).to_be_visible()
        names = [text.split(" · ")[-1].strip() for text in offers.all_inner_texts()]
        # Then both therapists are offered, not six starts of one
        assert {"Anna", "Ben"} <= set(names)
        assert names.count("Anna") <= 3

        # When she takes the first one, the form has that service and length
        offers.first.click()
        panel = page.locator("#panel")
        expect(panel.get_by_label("Service")).to_have_value(f"{front_desk.routine.pk}:60")
        expect(panel.get_by_label("Find a client")).to_be_focused()
        expect(panel).to_be_in_viewport()
        choose_client(panel, "Krü", "Krüger, Sabine")
        panel.get_by_role("button", name="Book", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("Booked Sabine Krüger")
    finally:
        context.close()
    booked = Appointment.objects.get(client__given_name="Sabine")
    assert booked.routine_id == front_desk.routine.pk
    assert booked.end - booked.start == datetime.timedelta(minutes=60)


def test_a_whole_booking_by_keyboard_takes_at_most_25_key_presses(
    browser, live_server, password, front_desk, desk_day, debug
):
    service = f"{front_desk.routine.pk}:45"
    context, page = open_desk(browser, live_server, password, f"/desk/?date={desk_day}&service={service}")
    presses = 0

    def press(key, times=1):
        nonlocal presses
        for _ in range(times):
            page.keyboard.press(key)
            presses += 1

    try:
        page.locator("body").focus()
        # Skip to content, skip to the grid, follow it: on the first start where the service fits
        press("Tab")
        press("Tab")
        expect(page.get_by_role("link", name="Skip to the grid")).to_be_focused()
        press("Enter")
        expect(page.get_by_role("button", name="Book Anna at 09:00")).to_be_focused()
        # Down to 10:00 and across to Ben
        press("ArrowDown", 4)
        press("ArrowRight")
        expect(page.get_by_role("button", name="Book Ben at 10:00")).to_be_focused()
        # Open the form: the client search has the focus
        press("Enter")
        search = page.locator("#panel").get_by_label("Find a client")
        expect(search).to_be_focused()
        for letter in "Krü":
            page.keyboard.type(letter)  # one key each (press() knows no "ü")
            presses += 1
        expect(page.locator("#panel").get_by_label("Krüger, Sabine")).to_be_checked()
        press("Enter")
        expect(page.get_by_role("status")).to_have_text("Booked Sabine Krüger at 10:00.")
    finally:
        context.close()
    assert presses <= 25, presses
    booked = Appointment.objects.get(client__given_name="Sabine")
    assert (booked.therapist.display_name, booked.start.astimezone(front_desk.salon.zone).hour) == ("Ben", 10)


@pytest.mark.parametrize("view", ["therapists", "rooms", "week"])
def test_every_view_passes_axe_and_marks_where_the_service_fits(
    browser, live_server, password, front_desk, desk_day, view
):
    context, page = open_desk(
        browser, live_server, password, f"/desk/?date={desk_day}&view={view}&service={front_desk.routine.pk}:45"
    )
    try:
        table = page.get_by_role("grid")
        expect(table).to_be_visible()
        expect(page.locator(".booking", has_text="14:00 Thomas Müller")).to_be_visible()
        if view == "rooms":
            expect(page.get_by_role("button", name="Book Linden at 09:00")).to_be_visible()
        else:
            expect(
                page.get_by_role(
                    "button", name="Book Anna" if view == "therapists" else "Book Anna on", exact=False
                ).first
            ).to_be_visible()
        # A cell where the service does not fit says why when focused.
        reason = page.locator("td.unfit", has_text="Busy from 14:00").first
        reason.focus()
        expect(reason.locator(".why")).to_be_visible()
        shot(page, f"desk-view-{view}")
        assert axe_violations(page) == []
        # The booking form too.
        page.locator("td.fits button").first.click()
        expect(page.locator("#panel").get_by_label("Find a client")).to_be_visible()
        assert axe_violations(page) == []
    finally:
        context.close()


def test_cancel_from_the_panel_takes_the_booking_off_the_grid(browser, live_server, password, front_desk, desk_day):
    appointment_book(
        client=front_desk.clients[0], routine=front_desk.routine, start=front_desk.at(desk_day, 11),
        therapist=front_desk.therapists[0], minutes=45,
    )  # fmt: skip
    context, page = open_desk(browser, live_server, password, f"/desk/?date={desk_day}")
    try:
        page.locator(".booking", has_text="11:00 Sabine Krüger").click()
        page.get_by_label("Reason for cancelling").fill("Client is ill")
        page.get_by_role("button", name="Cancel booking").click()
        expect(page.locator(".booking", has_text="Sabine")).to_have_count(0)
    finally:
        context.close()
    sabine = Appointment.objects.get(client__given_name="Sabine")
    assert (sabine.status, sabine.cancellation_reason) == ("cancelled", "Client is ill")


def test_today_scrolls_to_a_line_at_now_and_passed_time_cannot_be_booked(browser, live_server, password):
    # Given a salon where it is now early afternoon (a fixed-offset zone chosen for that), open 00:00–23:45
    hour_here = datetime.datetime.now(datetime.UTC).hour
    offset = (13 - hour_here + 12) % 24 - 12  # -12..+11 hours from UTC
    zone = f"Etc/GMT{'-' if offset >= 0 else '+'}{abs(offset)}"  # (POSIX signs: GMT-3 is three hours ahead)
    scene = salon_scenario(
        name="Anywhere", time_zone=zone, min_notice_minutes=0, therapists=["Anna"],
        opens=datetime.time(0), closes=datetime.time(23, 45), works=(datetime.time(0), datetime.time(23, 45)),
    )  # fmt: skip
    routine = short_routine(slug="back", minutes=45, turnover=15)
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    context, page = open_desk(browser, live_server, password, f"/desk/?service={routine.pk}")
    try:
        # Then the row of now is marked and scrolled into view
        now_row = page.locator("tr.now")
        expect(now_row).to_have_count(1)
        expect(now_row).to_be_in_viewport()
        expect(now_row.locator(".now-mark")).to_have_text("now")
        local_now = datetime.datetime.now(scene.salon.zone)
        # and an hour ago is passed: shaded and not offered for booking
        earlier = (local_now - datetime.timedelta(hours=1)).replace(minute=0)
        if earlier.date() == local_now.date():
            row = page.locator("tr", has=page.locator(f"th:text-is('{earlier:%H:%M}')"))
            expect(row.locator("td.past")).to_have_count(1)
            expect(row.get_by_role("button")).to_have_count(0)
        shot(page, "desk-today")
    finally:
        context.close()
