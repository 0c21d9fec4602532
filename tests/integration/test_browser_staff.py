"""The staff pages on a 1366 by 768 laptop: a manager signs in with the code,
invites a therapist with two qualifications and a room; the therapist opens
the link in the email, sets a password, signs in and lands on "My day".
axe finds nothing critical or serious on the list, the form and the
person's page."""

import re

import pytest
from django.core import mail

from config.celery import app as celery_app
from salon.models import Therapist, User
from salon.roles import Role
from tests.factories import UserFactory
from tests.helpers import ARTIFACTS, axe_violations, sign_in_with_code
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
LINK = re.compile(r"/accounts/invitation/[^/\s\"<>]+/")


@pytest.fixture
def eager_tasks():
    """The invitation task runs in the test server's thread at commit, and
    its email lands in the locmem outbox."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_manager_invites_a_therapist_who_sets_a_password_and_signs_in(browser, live_server, password, eager_tasks):
    from salon.services import second_factor_app_add

    salon_scenario(name="Lindenhof", rooms=["Linden", "Birke"])
    second_factor_app_add(
        user=UserFactory(username="petra", first_name="Petra", last_name="Wagner", roles=[Role.MANAGER]), secret=SECRET
    )

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        # the manager signs in and starts at the staff list
        sign_in_with_code(page, live_server, password=password, secret=SECRET, next_path="/manage/")
        page.wait_for_url(f"{live_server.url}/manage/staff/")
        assert page.get_by_role("link", name="Petra Wagner").is_visible()
        shot(page, "manage-staff-list")
        assert axe_violations(page) == []

        # adds a therapist
        page.get_by_role("link", name="Add a person").click()
        page.wait_for_url(f"{live_server.url}/manage/staff/new/")
        assert axe_violations(page) == []
        page.get_by_label("Given name", exact=True).fill("Mara")
        page.get_by_label("Family name", exact=True).fill("Lind")
        page.get_by_label("Login name", exact=True).fill("mara")
        page.get_by_label("Email", exact=True).fill("mara@example.com")
        page.get_by_label("Therapist", exact=True).check()
        page.get_by_label("Display name", exact=True).fill("Mara")
        page.get_by_label("Qualified for therapeutic massage").check()
        page.get_by_label("Qualified for pregnancy massage").check()
        page.get_by_label("Birke", exact=True).check()
        assert page.get_by_label("Lindenhof", exact=True).is_checked()  # the location in use
        shot(page, "manage-staff-new")
        page.get_by_role("button", name="Send invitation").click()

        mara = User.objects.get(username="mara")
        page.wait_for_url(f"{live_server.url}/manage/staff/{mara.pk}/")
        assert "The invitation to set a password goes to mara@example.com" in page.get_by_role("status").inner_text()
        assert page.get_by_label("Qualified for pregnancy massage").is_checked()
        assert page.get_by_label("Birke", exact=True).is_checked()
        shot(page, "manage-staff-detail")
        assert axe_violations(page) == []
    finally:
        context.close()

    therapist = Therapist.objects.get(user=mara)
    assert therapist.qualified_therapeutic
    assert therapist.qualified_pregnancy
    assert [room.name for room in therapist.rooms.all()] == ["Birke"]

    # the therapist opens the link in the email, in a browser of her own
    (message,) = mail.outbox
    assert message.to == ["mara@example.com"]
    link = LINK.search(message.body).group(0)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}{link}")
        assert page.get_by_role("heading", name="Set your password").is_visible()
        page.get_by_label("New password", exact=True).fill("linden-tree-at-dusk-42")
        page.get_by_label("New password again", exact=True).fill("linden-tree-at-dusk-42")
        shot(page, "invitation-set-password")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Set password").click()

        page.wait_for_url(f"{live_server.url}/accounts/login/")
        assert "Your password is set" in page.get_by_role("status").inner_text()
        page.get_by_label("Username").fill("mara")
        page.get_by_label("Password").fill("linden-tree-at-dusk-42")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/my-day/")
        assert page.title() == "My day · Salon"
        shot(page, "invitation-my-day")

        # the link has done its work
        page.goto(f"{live_server.url}{link}")
        assert "used already" in page.get_by_role("alert").inner_text()
    finally:
        context.close()
