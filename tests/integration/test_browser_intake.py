"""A client fills the intake form on a phone; staff then see the points."""

import pytest

from clients.models import ClientLink, HealthScreening
from clients.services import client_link_create
from salon.roles import Role
from tests.factories import ClientFactory, UserFactory
from tests.integration.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_a_client_marks_two_points_on_a_phone_and_staff_see_them(browser, live_server, password):
    client = ClientFactory(given_name="Sabine", family_name="Krüger")
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

    UserFactory(username="petra", roles=[Role.MANAGER])
    desk = browser.new_context(viewport={"width": 1024, "height": 768})
    staff = desk.new_page()
    try:
        staff.goto(f"{live_server.url}/accounts/login/?next=/clients/{client.pk}/")
        staff.get_by_label("Username").fill("petra")
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
        desk.close()
