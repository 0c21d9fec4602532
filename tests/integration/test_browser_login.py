"""Smoke test of the pages in a real browser: the login page."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from salon.roles import Role
from tests.factories import SalonFactory, UserFactory
from tests.helpers import ARTIFACTS, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_staff_log_in_and_out_in_the_browser(page, live_server, transactional_db, password):
    SalonFactory(name="Lindenhof")
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

    # a manager's first sign-in sets up the authenticator app
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/set-up/?next=%2F")
    assert page.locator(".qr svg").is_visible()
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "two-factor-set-up.png", full_page=True)
    secret = page.locator(".secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept them; continue").click()
    page.wait_for_url(f"{live_server.url}/manage/staff/")  # a manager starts in the manager's area
    assert page.get_by_role("navigation", name="Manage").is_visible()
    assert page.get_by_role("link", name="Admin").count() == 0  # the admin is for superusers

    page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_url(f"{live_server.url}/manage/staff/")  # already signed in: no second login

    page.goto(f"{live_server.url}/admin/")
    page.wait_for_url(f"{live_server.url}/manage/staff/")
    assert "The admin is for superusers" in page.get_by_role("status").inner_text()


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


def test_the_code_page_and_the_security_page_work_on_a_tablet(browser, live_server, transactional_db, password):
    from salon.services import second_factor_app_add

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    therapist = UserFactory(username="tom", roles=[Role.THERAPIST])
    second_factor_app_add(user=therapist, secret=secret)
    context = browser.new_context(viewport={"width": 834, "height": 1194})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/accounts/security/")
        page.get_by_label("Username").fill("tom")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/accounts/two-factor/?next=%2Faccounts%2Fsecurity%2F")
        assert page.get_by_role("navigation", name="Main").count() == 0  # its links would only lead back
        assert axe_violations(page) == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "two-factor-code.png", full_page=True)

        page.get_by_label("Code").fill(f"{totp(b32decode(secret)):06d}")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(f"{live_server.url}/accounts/security/")
        assert "On: you sign in with your password and a code" in page.content()
        assert "You have no recovery codes left" in page.content()
        assert axe_violations(page) == []
        page.screenshot(path=ARTIFACTS / "security.png", full_page=True)
    finally:
        context.close()
