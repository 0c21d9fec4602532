"""A therapist on a tablet: open the day, start, give pressure feedback,
complete with notes; the printed day sheet renders."""

import datetime

import pytest
from playwright.sync_api import expect

from sessions.models import Appointment
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import (
    ClientFactory,
    RoomFactory,
    SalonFactory,
    TherapistFactory,
    open_every_day,
    screening_for,
    works_every_day,
)
from tests.helpers import ARTIFACTS, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def _seconds(timer: str) -> int:
    minutes, seconds = timer.split(":")
    return int(minutes) * 60 + int(seconds)


def test_a_therapist_runs_a_session_from_my_day(browser, live_server, password):
    from routines.models import RoutineTemplate

    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=0)
    open_every_day(salon)
    anna = TherapistFactory(salon=salon, display_name="Anna", user__username="anna")
    works_every_day(anna, datetime.time(0), datetime.time(23, 59))
    RoomFactory(salon=salon, name="Linden")
    client = ClientFactory(salon=salon, given_name="Sabine", family_name="Krüger")
    screening_for(
        client,
        oil_or_nut_allergy=True,
        allergies="almond oil",
        pressure_preference="light",
        pain_map=[{"area": "lower_back", "side": "left", "intensity": 7, "note": ""}],
    )
    now = datetime.datetime.now(salon.zone)
    start = (now + datetime.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    appointment = appointment_book(
        client=client,
        routine=RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True),
        start=start,
        therapist=anna,
    )
    appointment_transition(appointment=appointment, to_status="checked_in", now=appointment.start)

    tablet = browser.new_context(viewport={"width": 834, "height": 1194}, is_mobile=True, has_touch=True)
    page = tablet.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/my-day/%3Fdate%3D{start:%Y-%m-%d}")
        page.get_by_label("Username").fill("anna")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"**/my-day/?date={start:%Y-%m-%d}")

        session = page.locator(f"#session-{appointment.pk}")
        expect(session.get_by_role("alert")).to_contain_text("almond oil")  # review first
        session.get_by_role("button", name="I have read this").click()
        page.wait_for_url(f"**/sessions/{appointment.pk}/")  # acknowledging opens the session

        # What the table needs is on the session page, above the steps.
        expect(page.locator(".facts").first).to_contain_text("almond oil")
        expect(page.locator(".facts").first).to_contain_text("Neutral baby oil")
        expect(page.locator(".pain-points")).to_contain_text("Lower back (left): 7/10")
        page.get_by_role("button", name="Start session").click()
        expect(page.locator("#status")).to_have_text("In progress")
        shown = page.locator(".area-pressure").evaluate_all("nodes => nodes.map(n => n.dataset.pressure)")
        assert shown  # every step, every area: the client's light
        assert set(shown) == {"light"}

        page.locator("[data-timer-start]").first.click()
        page.wait_for_timeout(2200)
        before = page.locator("[data-timer]").first.inner_text()
        page.get_by_role("form", name="How the pressure feels on step 2").get_by_role(
            "button", name="Too strong"
        ).click()
        expect(page.locator("#pressure-so-far")).to_contain_text("Step 2: too strong")
        page.wait_for_timeout(1100)
        after = page.locator("[data-timer]").first.inner_text()
        assert before != f"{page.locator('[data-minutes]').first.get_attribute('data-minutes')}:00"  # it ran
        assert _seconds(after) < _seconds(before)  # and kept running through the feedback
        page.screenshot(path=str(ARTIFACTS / "session-tablet.png"), full_page=True)
        assert axe_violations(page) == []

        page.get_by_label("What the client reported").fill("Tight lower back after driving")
        page.get_by_label("Advice for next time").fill("Medium pressure on the left side")
        page.get_by_role("button", name="Complete session").click()
        expect(page.locator("#status")).to_have_text("Completed")

        page.goto(f"{live_server.url}/my-day/print/?date={start:%Y-%m-%d}")
        page.emulate_media(media="print")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "day-sheet-print.png"), full_page=True)
        expect(page.locator(".sheet")).to_have_count(1)
        expect(page.get_by_role("button", name="Print")).to_be_hidden()
    finally:
        tablet.close()

    appointment = Appointment.objects.get(pk=appointment.pk)
    assert appointment.status == "completed"
    assert appointment.note.advice == "Medium pressure on the left side"
    assert appointment.pressure_feedback.get().verdict == "too_strong"
