"""Client records on a 1366 by 768 laptop: a receptionist corrects a client's
phone number (a mistyped one first: the form says which field, keeps what was
typed and takes the focus to the message), sends the intake link by email,
and merges the two records of one client. axe finds nothing critical or
serious on the client page, the edit form and the merge page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.models import Client, ClientConsentChange, ClientMerge
from clients.services import client_create
from salon.roles import Role
from sessions.models import Appointment, Notification
from sessions.services.booking import appointment_book
from tests.factories import UserFactory, short_routine
from tests.helpers import ARTIFACTS, axe_violations
from tests.scenario import salon_scenario

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_receptionist_edits_a_phone_sends_the_intake_link_and_merges_duplicates(browser, live_server, password):
    scene = salon_scenario(
        name="Lindenhof",
        therapists=["Anna", "Ben"],
        clients=[{"given_name": "Sabine", "family_name": "Krüger", "email": "sabine@example.com",
                  "phone": "+49 170 9876543"}],
    )  # fmt: skip
    sabine = scene.client
    routine = short_routine(slug="back", minutes=45, turnover=15)
    tomorrow = (timezone.now().astimezone(scene.salon.zone) + datetime.timedelta(days=1)).date()
    appointment_book(client=sabine, routine=routine, start=scene.at(tomorrow, 10), therapist=scene.therapists[0])
    # The same Sabine, added again another day, with a session of her own.
    again = client_create(
        salon=scene.salon, given_name="Sabine", family_name="Kruger", email="Sabine@Example.com",
        date_of_birth=datetime.date(1985, 4, 12),
    )  # fmt: skip
    theirs = appointment_book(
        client=again, routine=routine, start=scene.at(tomorrow, 14), therapist=scene.therapists[1]
    )
    clara = UserFactory(username="clara", first_name="Clara", last_name="Brandt", roles=[Role.RECEPTIONIST])

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/clients/{sabine.pk}/")
        page.get_by_label("Username").fill("clara")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/clients/{sabine.pk}/")
        assert page.get_by_role("heading", name="Sabine Krüger", level=1).is_visible()
        assert page.get_by_role("heading", name="Possible duplicates").is_visible()
        shot(page, "client-record")
        assert axe_violations(page) == []

        # A mistyped number: refused beside the field, the rest kept, the focus on the message.
        page.get_by_role("link", name="Edit details and consents").click()
        page.wait_for_url(f"{live_server.url}/clients/{sabine.pk}/edit/")
        assert axe_violations(page) == []
        page.get_by_label("Phone").fill("0170 12")
        page.get_by_label("Agrees to appointment reminders").check()
        page.get_by_role("button", name="Save").click()
        summary = page.locator("#form-errors")
        expect(summary).to_be_focused()
        assert "Phone: This phone number is not valid" in summary.inner_text()
        assert page.get_by_label("Agrees to appointment reminders").is_checked()
        expect(page.get_by_label("Phone")).to_have_value("0170 12")
        shot(page, "client-edit-refused")
        assert axe_violations(page) == []

        page.get_by_label("Phone").fill("0170 1234567")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(f"{live_server.url}/clients/{sabine.pk}/")
        assert "Saved the details of Sabine Krüger." in page.get_by_role("status").inner_text()
        assert page.get_by_text("+491701234567").is_visible()
        history = page.get_by_role("table").filter(has_text="Recorded by")
        assert "Appointment reminders Agreed Clara Brandt At the front desk" in " ".join(history.inner_text().split())

        # The intake link, by email, through the outbox.
        page.get_by_role("button", name="Send again by email").click()
        page.wait_for_url(f"{live_server.url}/clients/{sabine.pk}/#intake")
        assert "The intake link goes to Sabine Krüger by email now." in page.get_by_role("status").inner_text()
        # The booking's own request has not gone out yet either (no worker runs here).
        expect(page.get_by_text("Waiting to go by email")).to_have_count(2)
        assert Notification.objects.filter(
            client=sabine, kind="intake_request", channel="email", key__contains=":sent:"
        ).exists()

        # The duplicate, checked side by side, then merged into this record.
        page.get_by_role("link", name=f"Merge Sabine Kruger (client {again.pk}) into this record").click()
        page.wait_for_url(f"{live_server.url}/clients/{sabine.pk}/merge/?merge={again.pk}")
        assert page.get_by_role("columnheader", name=f"Kept: Sabine Krüger client {sabine.pk}").is_visible()
        shot(page, "client-merge")
        assert axe_violations(page) == []
        page.get_by_role("button", name="Merge Sabine Kruger into Sabine Krüger").click()
        page.wait_for_url(f"{live_server.url}/clients/{sabine.pk}/")
        assert "Merged Sabine Kruger" in page.get_by_role("status").inner_text()
        assert page.get_by_role("heading", name="Possible duplicates").count() == 0
        assert "<dt>Coming</dt><dd>2</dd>" in page.content()
        shot(page, "client-record-merged")
        assert axe_violations(page) == []
    finally:
        context.close()

    again.refresh_from_db()
    assert again.merged_into == sabine
    assert Appointment.objects.get(pk=theirs.pk).client == sabine
    assert ClientMerge.objects.filter(kept=sabine, merged=again, by=clara).exists()
    assert Client.objects.get(pk=sabine.pk).date_of_birth == datetime.date(1985, 4, 12)
    assert ClientConsentChange.objects.filter(client=sabine, by=clara, via="desk").exists()
