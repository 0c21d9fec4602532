"""Smoke test of the pages in a real browser: the login page."""

import pytest

from salon.roles import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_staff_log_in_and_out_in_the_browser(page, live_server, transactional_db, password):
    UserFactory(username="petra", first_name="Petra", last_name="Wagner", roles=[Role.MANAGER])

    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/accounts/login/?next=/"
    assert page.title() == "Log in · Salon"

    page.get_by_label("Username").fill("petra")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    assert "Please enter a correct username and password" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Username").input_value() == "petra"

    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_role("heading", name="Site administration").is_visible()

    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_url(f"{live_server.url}/admin/")  # already signed in: no second login


def test_login_page_is_usable_on_a_phone(browser, live_server, transactional_db):
    context = browser.new_context(viewport={"width": 375, "height": 667}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        button = page.get_by_role("button", name="Log in").bounding_box()
        field = page.get_by_label("Username").bounding_box()

        assert field["x"] >= 0
        assert field["x"] + field["width"] <= 375
        assert button["height"] >= 44  # a comfortable touch target
    finally:
        context.close()
