"""The rota editor on a 1366 by 768 laptop: a manager picks a new therapist
from the rotas, types a split-shift rota from next Monday (mouse and
keyboard), sees the coming weeks change before saving, saves it, and the
desk can book her then; a rota in the way of a booking is refused with the
session named and started after it with one button. axe finds no serious
problem on the way."""

import datetime

import pytest

from salon.models import WorkingHours
from salon.roles import Role
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from tests.factories import TherapistFactory, UserFactory, short_routine
from tests.helpers import ARTIFACTS, BERLIN, at, axe_violations, sign_in_with_code
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def next_monday() -> datetime.date:
    today = datetime.datetime.now(BERLIN).date()
    return today + datetime.timedelta(days=7 - today.weekday())


def signed_in_manager(browser, live_server, password, *, next_path: str):
    from salon.services import second_factor_app_add

    second_factor_app_add(user=UserFactory(username="petra", roles=[Role.MANAGER]), secret=SECRET)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    sign_in_with_code(page, live_server, password=password, secret=SECRET, next_path=next_path)
    page.wait_for_url(f"{live_server.url}{next_path}")
    return context, page


def type_time(page, keys: str) -> None:
    """Type a time into the focused time field and Tab on to the next field.
    Chromium's time fields follow the system's locale and Tab goes through
    their parts: "A" fills AM where there is such a part (it is ignored on a
    24-hour clock)."""
    field = page.evaluate("() => document.activeElement.id")
    page.keyboard.type(keys)
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") != field:
            return
    raise AssertionError(f"Tab did not leave {field}")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_manager_gives_a_new_therapist_a_split_shift_rota(browser, live_server, password):
    scene = salon_scenario(name="Lindenhof", therapists=["Anna"])
    nina = TherapistFactory(salon=scene.salon, display_name="Nina")
    routine = short_routine()
    monday = next_monday()
    assert (
        availability(salon=scene.salon, routine=routine, first_day=monday, last_day=monday, therapist_id=nina.pk)[0]
        == []
    )

    context, page = signed_in_manager(browser, live_server, password, next_path="/manage/rotas/")
    try:
        assert "clients cannot book Nina" in page.locator("tr", has_text="Nina").inner_text()
        assert axe_violations(page) == []
        shot(page, "manage-rotas")
        page.get_by_role("link", name="Nina").click()
        page.wait_for_url(f"{live_server.url}/manage/rotas/{nina.pk}/")
        assert page.get_by_label("Valid from").input_value() == f"{monday:%Y-%m-%d}"
        assert page.get_by_role("columnheader", name="Mon").is_visible()
        assert not page.get_by_role("group", name="Week B").is_visible()  # until the rota alternates

        # Monday with the mouse: a split shift.
        page.get_by_label("Monday shift 1 starts").fill("09:00")
        page.get_by_label("Monday shift 1 ends").fill("13:00")
        page.get_by_role("button", name="Add a shift on Monday").click()
        assert page.get_by_label("Monday shift 2 starts").evaluate("input => input === document.activeElement")
        page.get_by_label("Monday shift 2 starts").fill("15:00")
        page.get_by_label("Monday shift 2 ends").fill("19:00")
        # Tuesday morning with the keyboard.
        page.get_by_label("Tuesday shift 1 starts").focus()
        type_time(page, "0800A")
        type_time(page, "1130A")  # leaving the field, the preview follows
        weeks = page.locator("#coming-weeks")
        weeks.get_by_text("not saved yet").wait_for()
        next_week = weeks.locator("tbody tr").nth(1)
        next_week.locator("td", has_text="15:00–19:00").wait_for()
        assert "09:00–13:00" in next_week.locator("td").nth(0).inner_text()
        assert "08:00–11:30" in next_week.locator("td").nth(1).inner_text()
        assert "changed" in next_week.locator("td").nth(0).inner_text()
        shot(page, "manage-rota-preview")
        assert axe_violations(page) == []
        assert not WorkingHours.objects.filter(therapist=nina).exists()  # a preview saves nothing

        page.get_by_role("button", name="Save rota").click()
        page.get_by_text("Rota for Nina saved").wait_for()
        shot(page, "manage-rota-saved")
        assert axe_violations(page) == []
        page.set_viewport_size({"width": 820, "height": 1180})  # a tablet: the days wrap, nothing hides
        shot(page, "manage-rota-tablet")
        assert page.get_by_role("button", name="Add a shift on Sunday").is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        shot(page, "manage-rota-last")
        context.close()

    assert sorted(WorkingHours.objects.filter(therapist=nina).values_list("weekday", "starts", "ends")) == [
        (0, datetime.time(9), datetime.time(13)),
        (0, datetime.time(15), datetime.time(19)),
        (1, datetime.time(8), datetime.time(11, 30)),
    ]
    starts = {
        slot.as_dict(scene.salon.zone)["start"].time()
        for slot in availability(
            salon=scene.salon, routine=routine, first_day=monday, last_day=monday, therapist_id=nina.pk
        )[0]
    }
    assert datetime.time(9) in starts
    assert datetime.time(14) not in starts
    assert datetime.time(15) in starts


def test_a_rota_in_the_way_of_a_booking_starts_after_it(browser, live_server, password):
    scene = salon_scenario(name="Lindenhof", therapists=["Anna"])
    anna = scene.therapist
    monday = next_monday()
    appointment_book(client=scene.client, routine=short_routine(), start=at(monday, 10), therapist=anna)

    context, page = signed_in_manager(browser, live_server, password, next_path=f"/manage/rotas/{anna.pk}/")
    try:
        page.get_by_label("Alternating weeks (week A / week B)").check()
        assert page.get_by_role("group", name="Week B").is_visible()
        for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
            if day != "Monday":  # the rest of the week off, week A and week B alike
                for label in (f"{day} shift 1 starts", f"{day} shift 1 ends"):
                    page.get_by_label(label, exact=True).fill("")
                for label in (f"{day} (week B) shift 1 starts", f"{day} (week B) shift 1 ends"):
                    page.get_by_label(label, exact=True).fill("")
        page.get_by_label("Monday shift 1 starts", exact=True).fill("14:00")
        page.get_by_label("Monday shift 1 ends", exact=True).fill("18:00")
        page.get_by_label("Monday (week B) shift 1 starts", exact=True).fill("")
        page.get_by_label("Monday (week B) shift 1 ends", exact=True).fill("")
        page.get_by_role("button", name="Save rota").click()

        alert = page.get_by_role("alert")
        alert.get_by_text("Booked sessions are in the way").wait_for()
        assert str(scene.client) in alert.inner_text()
        assert "10:00" in alert.inner_text()
        shot(page, "manage-rota-refused")
        assert axe_violations(page) == []
        tuesday = monday + datetime.timedelta(days=1)
        page.get_by_role(
            "button", name=f"Start this rota on {tuesday:%A} {tuesday.day} {tuesday:%B %Y} instead"
        ).click()
        page.get_by_text("Rota for Anna saved").wait_for()
    finally:
        context.close()

    rows = list(WorkingHours.objects.filter(therapist=anna, valid_from=tuesday).values_list("weekday", "week_parity"))
    from salon.models import week_parity

    assert rows == [(0, week_parity(monday))]  # Mondays of week A, week A still the week asked for
