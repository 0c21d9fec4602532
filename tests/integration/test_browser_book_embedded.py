"""The booking page in a frame on the salon's own website (README,
"Embedding the booking page"): the website is another site than the
booking server, so the browser sends the frame neither the session nor the
CSRF cookie (both SameSite=Lax). A client still books through the frame up
to "check your email"; a form on a site the location does not list is
refused."""

import datetime
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from routines.models import RoutineTemplate
from routines.services import service_set
from sessions.models import BookingHold
from tests.factories import RoomFactory, SalonFactory, TherapistFactory, open_every_day, works_every_day
from tests.integration.test_browser_book import CLASSIC, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def salon(db):
    """Lindenhof: open every day, Anna works 9–17; the guide's classic back massage online at 60 minutes."""
    salon = SalonFactory(name="Lindenhof", time_zone="Europe/Berlin", min_notice_minutes=0)
    open_every_day(salon)
    works_every_day(TherapistFactory(salon=salon, display_name="Anna"))
    RoomFactory(salon=salon, name="Linden")
    routine = RoutineTemplate.objects.get(slug=CLASSIC, is_current=True)
    service_set(salon=salon, routine=routine, lengths=[(60, 7000)], online=True)
    return salon


class OutsideSite:
    """A website on another site than the live server: it answers every
    path with ``html``. Of ``localhost`` and ``127.0.0.1`` it takes the one
    the live server does not use; ports do not make another site."""

    def __init__(self, live_url: str, port: int):
        self.html = ""
        live_host = urlsplit(live_url).hostname
        self.url = f"http://{'127.0.0.1' if live_host == 'localhost' else 'localhost'}:{port}"
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = site.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def page(self, body: str) -> str:
        self.html = f'<!doctype html><html lang="en"><head><title>Lindenhof</title></head><body>{body}</body></html>'
        return f"{self.url}/"


@pytest.fixture
def outside_site(live_server, unused_tcp_port):
    site = OutsideSite(live_server.url, unused_tcp_port)
    site.thread.start()
    yield site
    site.server.shutdown()
    site.server.server_close()


def test_a_client_books_through_the_frame_on_the_salons_website(
    browser, live_server, salon, outside_site, eager_celery
):
    # Given the salon's website, listed as a site that may embed the booking page
    salon.online_embed_origins = [outside_site.url]
    salon.save()
    day = timezone.now().astimezone(salon.zone).date() + datetime.timedelta(days=3)
    website = outside_site.page(
        f'<h1>Lindenhof</h1><iframe src="{live_server.url}/book/?service={CLASSIC}" title="Book a massage"'
        ' width="390" height="1400" style="border:0"></iframe>'
    )
    phone = browser.new_context(**PHONE)
    # A SameSite=Lax cookie of the booking server's, as the session and CSRF cookies are: in the frame,
    # the browser must not send it (else this would not test a frame on another site)
    phone.add_cookies([{"name": "probe", "value": "1", "url": live_server.url, "sameSite": "Lax"}])
    to_booking = []
    phone.on("request", lambda request: to_booking.append(request) if "/book/" in request.url else None)
    page = phone.new_page()
    try:
        # When a client books in its frame, up to holding the time
        page.goto(website)
        frame = page.frame_locator('iframe[title="Book a massage"]')
        frame.get_by_role("link", name="Anyone (the first free time)").click()
        frame.locator(f'.book-days a[href*="date={day:%Y-%m-%d}"]').click()
        frame.get_by_role("link", name="10:00", exact=True).click()
        frame.get_by_label("First name").fill("Ada")
        frame.get_by_label("Last name").fill("Lovelace")
        frame.get_by_label("Email").fill("ada@example.com")
        frame.get_by_label("I have read the privacy notice").check()
        frame.get_by_role("button", name="Continue").click()
        expect(frame.get_by_role("heading", name="Check your booking")).to_be_visible()
        frame.get_by_role("button", name="Hold this time").click()

        # Then the frame says to check the email, the time is held, and the website stayed where it was
        expect(frame.get_by_role("heading", name="Check your email")).to_be_visible()
        assert page.url == website
        held = page.frames[1].url
        assert held.startswith(f"{live_server.url}/book/{salon.pk}/hold/?held=")
        assert "ada" not in held.lower()
        framed = [request.all_headers().get("cookie", "") for request in to_booking]
        assert len(framed) >= 6
        assert not any("probe" in cookies for cookies in framed)
        # (while the same browser, on the booking server's own page, does send it)
        page.goto(f"{live_server.url}/book/privacy/")
        assert "probe" in to_booking[-1].all_headers().get("cookie", "")
    finally:
        phone.close()
    hold = BookingHold.objects.get()
    assert (hold.email, hold.status) == ("ada@example.com", BookingHold.Status.HELD)
    assert hold.start.astimezone(salon.zone) == datetime.datetime.combine(day, datetime.time(10), salon.zone)


def test_a_form_on_a_site_the_location_does_not_list_is_refused(browser, live_server, salon, outside_site):
    # Given details signed by the booking page (anyone can have them: it needs no login)
    day = timezone.now().astimezone(salon.zone).date() + datetime.timedelta(days=3)
    query = f"service={CLASSIC}&minutes=60&therapist=any&date={day:%Y-%m-%d}&time=10:00"
    summary = Client().post(
        f"/book/{salon.pk}/details/?{query}",
        {"given_name": "Eve", "family_name": "Mallory", "email": "eve@example.com", "privacy": "on"},
    )
    signed = re.search(r'name="details" value="([^"]+)"', summary.content.decode()).group(1)
    # and another website, not listed, whose button posts them to "hold this time"
    foreign = outside_site.page(
        f'<form method="post" action="{live_server.url}/book/{salon.pk}/hold/?{query.replace("&", "&amp;")}">'
        f'<input type="hidden" name="details" value="{signed}"><button type="submit">Win a massage</button></form>'
    )
    laptop = browser.new_context()
    page = laptop.new_page()
    try:
        page.goto(foreign)

        # When a visitor presses it
        with page.expect_response(lambda response: "/hold/" in response.url) as answer:
            page.get_by_role("button", name="Win a massage").click()

        # Then the booking server refuses it with a page that says why, and holds nothing
        assert answer.value.status == 403
        expect(page.get_by_role("heading", name="Sent from another website")).to_be_visible()
    finally:
        laptop.close()
    assert not BookingHold.objects.exists()
