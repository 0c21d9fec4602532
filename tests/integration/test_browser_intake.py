"""A client fills the intake form on a phone; their therapist then sees the points."""

import pytest

from clients.models import ClientLink, HealthScreening
from clients.services import client_link_create
from tests.factories import ClientFactory
from tests.helpers import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_a_client_marks_two_points_on_a_phone_and_the_therapist_sees_them(browser, live_server, password):
    import datetime

    from sessions.services.booking import appointment_book
    from tests.factories import (
        RoomFactory,
        SalonFactory,
        TherapistFactory,
        open_every_day,
        short_routine,
        works_every_day,
    )

    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=0)
    open_every_day(salon)
    therapist = TherapistFactory(salon=salon, display_name="Anna", user__username="anna")
    works_every_day(therapist)
    RoomFactory(salon=salon)
    client = ClientFactory(salon=salon, given_name="Sabine", family_name="Krüger")
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    appointment_book(
        client=client,
        routine=short_routine(minutes=45, turnover=15),
        start=datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=salon.zone),
    )
    _, url = client_link_create(client=client, purpose=ClientLink.Purpose.INTAKE)
    path = url.removeprefix("http://127.0.0.1:8000")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    try:
        page.goto(f"{live_server.url}{path}")
        assert page.url == f"{live_server.url}/forms/intake/"  # the token left the address bar
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.locator('.region[data-area="lower_back"][data-side="left"]').first.tap()
        page.locator('.region[data-area="shoulders"][data-side="right"]').first.tap()
        page.get_by_label("How strong, 0 to 10 (2)").fill("7")
        page.get_by_label("I agree to the massage treatment").check()
        page.get_by_label("I agree that the salon stores").check()
        page.get_by_label("Type your full name to sign").fill("Sabine Krüger")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "intake-phone.png"), full_page=True)
        page.get_by_role("button", name="Send my answers").click()

        assert page.get_by_role("heading", name="Thank you").is_visible()
    finally:
        phone.close()

    screening = HealthScreening.objects.get(client=client)
    assert {(point["area"], point["side"], point["intensity"]) for point in screening.pain_map} == {
        ("lower_back", "left", 5),
        ("shoulders", "right", 7),
    }

    tablet = browser.new_context(viewport={"width": 1024, "height": 768})
    staff = tablet.new_page()
    try:
        staff.goto(f"{live_server.url}/accounts/login/?next=/clients/{client.pk}/")
        staff.get_by_label("Username").fill("anna")
        staff.get_by_label("Password").fill(password)
        staff.get_by_role("button", name="Log in").click()
        staff.wait_for_url(f"{live_server.url}/clients/{client.pk}/")

        marked = staff.locator("figure", has_text="Back").locator(".region.marked")
        assert marked.count() == 2
        assert staff.locator(".pain-points").inner_text().splitlines() == [
            "Shoulders (right): 7/10",
            "Lower back (left): 5/10",
        ]
        staff.screenshot(path=str(ARTIFACTS / "client-page-pain-map.png"), full_page=True)
    finally:
        tablet.close()


def test_the_intake_form_on_a_phone_has_big_targets_keeps_its_marks_and_names_its_errors(browser, live_server):
    from tests.helpers import axe_violations
    from tests.scenario import salon_scenario

    scene = salon_scenario(clients=[{"given_name": "Sabine", "family_name": "Krüger"}])
    _, url = client_link_create(client=scene.client, purpose=ClientLink.Purpose.INTAKE)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    try:
        page.goto(live_server.url + url.removeprefix("http://127.0.0.1:8000"))

        small = [
            (region.get_attribute("aria-label"), round(box["width"]), round(box["height"]))
            for region in page.locator(".body-chart.interactive .region").all()
            if (box := region.bounding_box()) and (box["width"] < 44 or box["height"] < 44)
        ]
        assert small == []  # every place on the chart is a 44 x 44 px target at least
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not page.get_by_label("Weeks of pregnancy").is_visible()  # asked only when pregnant
        page.get_by_label("I am pregnant").check()
        assert page.get_by_label("Weeks of pregnancy").is_visible()
        page.get_by_label("I am pregnant").uncheck()

        spine = page.locator('.region[data-area="spine"]').first
        spine.tap()
        assert spine.get_attribute("aria-pressed") == "true"
        spine.tap()  # a second tap clears it
        assert spine.get_attribute("aria-pressed") == "false"
        page.locator('.region[data-area="lower_back"][data-side="left"]').first.tap()
        page.get_by_label("I have wounds or skin injuries").check()  # but no place given
        page.get_by_label("I agree to the massage treatment").check()
        page.get_by_label("I agree that the salon stores").check()
        page.get_by_label("Type your full name to sign").fill("Sabine Krüger")
        page.get_by_role("button", name="Send my answers").click()

        summary = page.locator("#form-errors")
        assert summary.is_visible()
        link = summary.get_by_role("link", name="Where are the wounds or skin injuries?")
        assert link.get_attribute("href") == "#" + page.locator('[name="skin_injury_areas"]').first.get_attribute("id")
        marked = page.locator('.region[data-area="lower_back"][data-side="left"]').first
        assert marked.get_attribute("aria-pressed") == "true"  # the mark survived the re-shown form
        cut = page.evaluate(
            "Array.from(document.querySelectorAll('.intake select')).filter(s => s.offsetParent"
            " && s.scrollWidth > s.clientWidth + 1).map(s => s.name)"
        )
        assert cut == []
        page.screenshot(path=str(ARTIFACTS / "intake-phone-errors.png"), full_page=True)
        assert axe_violations(page) == []
    finally:
        phone.close()
