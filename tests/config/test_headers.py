"""Every page and API answer carries the Content-Security-Policy, and those
with client or health data ``Cache-Control: no-store`` (issue 14, points 4
and 12). The pages are taken from the URLconf: a new page without an entry
in ``PAGES`` fails ``test_every_page_of_the_urlconf_is_checked_here``."""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from clients.models import ClientLink
from clients.services import client_link_create
from salon.invitations import invitation_token
from salon.roles import Role
from salon.selectors import calendar_feed_url
from sessions.models import Notification
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import UserFactory, screening_for, short_routine
from tests.helpers import ROOT, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
# Attributes and elements the policy refuses: an inline <script> (one without
# src), an on...= handler, a <style> element, a javascript: address.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


@dataclass
class Salon:
    """What the pages need: a salon with a booked, a completed and a
    cancelled-by-link-able appointment, and one member of staff per role."""

    scene: object
    routine: object
    booked: object
    completed: object
    staff: dict = field(default_factory=dict)


@pytest.fixture
def salon():
    scene = salon_scenario(clients=[{"given_name": "Sabine", "consent_feedback": True, "consent_reminders": True}])
    routine = short_routine(minutes=45, turnover=15)
    screening_for(scene.client, allergies="almond oil")
    tomorrow = (timezone.now().astimezone(scene.salon.zone) + datetime.timedelta(days=1)).date()
    booked = appointment_book(client=scene.client, routine=routine, start=scene.at(tomorrow, 10))
    completed = appointment_book(client=scene.client, routine=routine, start=scene.at(tomorrow, 12))
    for status in ("checked_in", "in_progress", "completed"):
        completed = appointment_transition(appointment=completed, to_status=status, now=completed.start)
    staff = {
        Role.RECEPTIONIST: UserFactory(roles=[Role.RECEPTIONIST]),
        Role.THERAPIST: scene.therapist.user,
        Role.MANAGER: UserFactory(roles=[Role.MANAGER]),
    }
    return Salon(scene=scene, routine=routine, booked=booked, completed=completed, staff=staff)


def client_link(salon: Salon, purpose: str) -> str:
    reference = {
        ClientLink.Purpose.FEEDBACK: salon.completed.pk,
        ClientLink.Purpose.CANCEL: salon.booked.pk,
        ClientLink.Purpose.RESCHEDULE: salon.booked.pk,
    }
    _, url = client_link_create(client=salon.scene.client, purpose=purpose, reference=reference.get(purpose))
    return url.removeprefix(SITE)


def hold_link(salon: Salon) -> str:
    """The link of an online booking's confirmation email (a time held, not yet confirmed)."""
    from sessions.models import BookingHold
    from sessions.services.online import hold_token

    start = salon.booked.start + datetime.timedelta(days=1)
    hold = BookingHold.objects.create(
        salon=salon.scene.salon, therapist=salon.scene.therapist, room=salon.scene.room, routine=salon.routine,
        start=start, busy_until=start + datetime.timedelta(hours=1),
        expires_at=timezone.now() + datetime.timedelta(minutes=15),
        given_name="Ada", family_name="Neu", email="ada@example.com", nonce="headers-hold",
    )  # fmt: skip
    return f"/book/confirm/{hold_token(hold)}/"


def waitlist_links(salon: Salon) -> tuple[str, str]:
    """The links of a waitlist entry (to leave it) and of an offer made to it."""
    from sessions.models import WaitlistEntry, WaitlistOffer
    from sessions.services.waitlist import entry_token, offer_token

    start = salon.booked.start + datetime.timedelta(days=1)
    entry = WaitlistEntry.objects.create(
        salon=salon.scene.salon, routine=salon.routine, first_day=start.date(), last_day=start.date(),
        given_name="Ada", family_name="Neu", email="ada@example.com", nonce="headers-entry",
    )  # fmt: skip
    offer = WaitlistOffer.objects.create(
        entry=entry, therapist=salon.scene.therapist, room=salon.scene.room, start=start,
        busy_until=start + datetime.timedelta(hours=1), expires_at=timezone.now() + datetime.timedelta(minutes=30),
        nonce="headers-offer",
    )  # fmt: skip
    return f"/book/waitlist/{entry_token(entry)}/", f"/book/offer/{offer_token(offer)}/"


@dataclass(frozen=True)
class Page:
    """How to fetch a page: its address (from the salon), as whom (a role,
    ``None`` for a client or anonymous visitor), by which method, after
    opening which client link, and whether client or health data may be in
    it (then it must not be stored)."""

    path: object  # callable(salon) -> str
    who: Role | None
    private: bool
    method: str = "get"
    link: str | None = None  # a client link to open first, in the same browser
    status: int = 200


PAGES = {
    "home": Page(lambda s: "/", Role.RECEPTIONIST, private=True, status=302),
    "login": Page(lambda s: "/accounts/login/", None, private=False),
    # Signed out by the time the answer leaves: a bare redirect to the login.
    "logout": Page(lambda s: "/accounts/logout/", Role.RECEPTIONIST, private=False, method="post", status=302),
    "routines": Page(lambda s: "/routines/", Role.THERAPIST, private=True),
    "routine": Page(lambda s: f"/routines/{s.routine.slug}/", Role.THERAPIST, private=True),
    "intake-form-link": Page(lambda s: client_link(s, ClientLink.Purpose.INTAKE), None, private=True, status=302),
    "intake-form": Page(lambda s: "/forms/intake/", None, private=True, link=ClientLink.Purpose.INTAKE),
    "clients": Page(lambda s: "/clients/?q=Sabine", Role.RECEPTIONIST, private=True),
    "client": Page(lambda s: f"/clients/{s.scene.client.pk}/", Role.THERAPIST, private=True),
    "client-edit": Page(lambda s: f"/clients/{s.scene.client.pk}/edit/", Role.RECEPTIONIST, private=True),
    # No channel chosen: the page says so beside the buttons.
    "client-intake-link": Page(
        lambda s: f"/clients/{s.scene.client.pk}/intake-link/",
        Role.RECEPTIONIST,
        private=True,
        method="post",
        status=400,
    ),
    # The client into itself: the page says why not.
    "client-merge": Page(
        lambda s: f"/clients/{s.scene.client.pk}/merge/?merge={s.scene.client.pk}",
        Role.RECEPTIONIST,
        private=True,
        status=409,
    ),
    "feedback-form-link": Page(lambda s: client_link(s, ClientLink.Purpose.FEEDBACK), None, private=True, status=302),
    "feedback-form": Page(lambda s: "/forms/feedback/", None, private=True, link=ClientLink.Purpose.FEEDBACK),
    "cancel-link": Page(lambda s: client_link(s, ClientLink.Purpose.CANCEL), None, private=True, status=302),
    "cancel-form": Page(lambda s: "/forms/cancel/", None, private=True, link=ClientLink.Purpose.CANCEL),
    "desk": Page(lambda s: "/desk/", Role.RECEPTIONIST, private=True),
    "desk-book": Page(lambda s: "/desk/book/", Role.RECEPTIONIST, private=True),
    "desk-clients": Page(lambda s: "/desk/clients/?q=Sab", Role.RECEPTIONIST, private=True),
    "desk-next-free": Page(lambda s: "/desk/next-free/", Role.RECEPTIONIST, private=True),
    "desk-appointment": Page(lambda s: f"/desk/appointments/{s.booked.pk}/", Role.RECEPTIONIST, private=True),
    # A drop with no time to move to: the panel names the field (400).
    "desk-move": Page(lambda s: f"/desk/appointments/{s.booked.pk}/move/", Role.RECEPTIONIST, private=True, status=400),
    "desk-course": Page(lambda s: f"/desk/appointments/{s.booked.pk}/course/", Role.RECEPTIONIST, private=True),
    # Tomorrow's session: check-in has not opened, which the panel says (409).
    "desk-action": Page(
        lambda s: f"/desk/appointments/{s.booked.pk}/check-in/",
        Role.RECEPTIONIST,
        private=True,
        method="post",
        status=409,
    ),
    "my-day": Page(lambda s: f"/my-day/?date={s.booked.start.date()}", Role.THERAPIST, private=True),
    "day-sheet": Page(lambda s: f"/my-day/print/?date={s.booked.start.date()}", Role.THERAPIST, private=True),
    "calendar-feed-reset": Page(
        lambda s: "/my-day/calendar-feed/reset/", Role.THERAPIST, private=True, method="post", status=302
    ),
    # A phone's calendar app opens it with the token; times and first names
    # only, so it keeps its own short private caching (salon.middleware).
    "calendar-feed": Page(lambda s: calendar_feed_url(s.scene.therapist).removeprefix(SITE), None, private=False),
    "session-run": Page(lambda s: f"/sessions/{s.booked.pk}/", Role.THERAPIST, private=True),
    "session-action": Page(
        lambda s: f"/sessions/{s.booked.pk}/acknowledge/", Role.THERAPIST, private=True, method="post", status=302
    ),
    "two-factor-verify": Page(lambda s: "/accounts/two-factor/", Role.MANAGER, private=True),
    "two-factor-enrol": Page(lambda s: "/accounts/two-factor/set-up/", Role.RECEPTIONIST, private=True),
    # Nothing fresh to show: back to the security page.
    "recovery-codes": Page(lambda s: "/accounts/two-factor/recovery-codes/", Role.MANAGER, private=True, status=302),
    "account-security": Page(lambda s: "/accounts/security/", Role.MANAGER, private=True),
    "manage": Page(lambda s: "/manage/", Role.MANAGER, private=True, status=302),
    "manage-hours": Page(lambda s: "/manage/hours/", Role.MANAGER, private=True),
    "manage-opening-hours": Page(
        lambda s: "/manage/hours/week/", Role.MANAGER, private=True, method="post", status=400
    ),
    "manage-rotas": Page(lambda s: "/manage/rotas/", Role.MANAGER, private=True),
    "manage-rota": Page(lambda s: f"/manage/rotas/{s.scene.therapist.pk}/", Role.MANAGER, private=True),
    "manage-rota-preview": Page(
        lambda s: f"/manage/rotas/{s.scene.therapist.pk}/preview/",
        Role.MANAGER,
        private=True,
        method="post",
        status=400,
    ),
    "manage-settings": Page(lambda s: "/manage/settings/", Role.MANAGER, private=True),
    "manage-routines": Page(lambda s: "/manage/routines/", Role.MANAGER, private=True),
    "manage-routine-new": Page(lambda s: "/manage/routines/new/", Role.MANAGER, private=True),
    "manage-routine": Page(lambda s: f"/manage/routines/{s.routine.slug}/", Role.MANAGER, private=True),
    "manage-routine-preview": Page(
        lambda s: f"/manage/routines/{s.routine.slug}/preview/", Role.MANAGER, private=True, method="post", status=400
    ),
    "manage-settings-business": Page(
        lambda s: "/manage/settings/business/", Role.MANAGER, private=True, method="post", status=400
    ),
    "manage-closure-add": Page(
        lambda s: "/manage/hours/closures/", Role.MANAGER, private=True, method="post", status=400
    ),
    "manage-special-hours": Page(
        lambda s: "/manage/hours/special/", Role.MANAGER, private=True, method="post", status=400
    ),
    "manage-special-day-clear": Page(
        lambda s: f"/manage/hours/special/{s.booked.start.date() + datetime.timedelta(days=400)}/clear/",
        Role.MANAGER,
        private=True,
        method="post",
        status=302,
    ),
    "my-time-off": Page(lambda s: "/my-day/time-off/", Role.THERAPIST, private=True),
    "my-time-off-request": Page(
        lambda s: "/my-day/time-off/request/", Role.THERAPIST, private=True, method="post", status=400
    ),
    "my-time-off-withdraw": Page(
        lambda s: "/my-day/time-off/999999/withdraw/", Role.THERAPIST, private=True, method="post", status=404
    ),
    "manage-time-off": Page(lambda s: "/manage/time-off/", Role.MANAGER, private=True),
    "manage-time-off-add": Page(
        lambda s: "/manage/time-off/add/", Role.MANAGER, private=True, method="post", status=400
    ),
    # No such request (withdrawn meanwhile): the page says so.
    "manage-time-off-approve": Page(
        lambda s: "/manage/time-off/999999/approve/", Role.MANAGER, private=True, method="post", status=409
    ),
    "manage-time-off-decline": Page(
        lambda s: "/manage/time-off/999999/decline/", Role.MANAGER, private=True, method="post", status=409
    ),
    "manage-time-off-remove": Page(
        lambda s: "/manage/time-off/999999/remove/", Role.MANAGER, private=True, method="post", status=302
    ),
    "manage-rooms": Page(lambda s: "/manage/rooms/", Role.MANAGER, private=True),
    "manage-room-add": Page(lambda s: "/manage/rooms/add/", Role.MANAGER, private=True, method="post", status=400),
    "manage-room-out-of-service": Page(
        lambda s: "/manage/rooms/out-of-service/", Role.MANAGER, private=True, method="post", status=400
    ),
    "manage-room-edit": Page(
        lambda s: f"/manage/rooms/{s.scene.room.pk}/", Role.MANAGER, private=True, method="post", status=400
    ),
    "manage-room-in-use": Page(
        lambda s: f"/manage/rooms/{s.scene.room.pk}/in-use/", Role.MANAGER, private=True, method="post", status=400
    ),
    "location-choose": Page(
        lambda s: "/accounts/location/", Role.RECEPTIONIST, private=True, method="post", status=302
    ),
    "account-language": Page(
        lambda s: "/accounts/language/", Role.RECEPTIONIST, private=True, method="post", status=302
    ),
    # The scripts' texts, the same for everyone in a language.
    "javascript-catalog": Page(lambda s: "/jsi18n/", None, private=False),
    "account-token-revoke": Page(
        lambda s: "/accounts/tokens/not-a-token-key/revoke/", Role.MANAGER, private=True, method="post", status=404
    ),
    "invitation": Page(
        lambda s: f"/accounts/invitation/{invitation_token(UserFactory(password=None))}/", None, private=True
    ),
    "manage-staff": Page(lambda s: "/manage/staff/", Role.MANAGER, private=True),
    "manage-staff-new": Page(lambda s: "/manage/staff/new/", Role.MANAGER, private=True),
    "manage-staff-detail": Page(lambda s: f"/manage/staff/{s.scene.therapist.user.pk}/", Role.MANAGER, private=True),
    # She has set her password: no invitation to send.
    "manage-staff-resend": Page(
        lambda s: f"/manage/staff/{s.scene.therapist.user.pk}/invitation/",
        Role.MANAGER,
        private=True,
        method="post",
        status=409,
    ),
    # She has a session booked: the page lists it.
    "manage-staff-deactivate": Page(
        lambda s: f"/manage/staff/{s.scene.therapist.user.pk}/deactivate/",
        Role.MANAGER,
        private=True,
        method="post",
        status=409,
    ),
    "manage-staff-reactivate": Page(
        lambda s: f"/manage/staff/{s.scene.therapist.user.pk}/reactivate/",
        Role.MANAGER,
        private=True,
        method="post",
        status=302,
    ),
    "manage-staff-lockout": Page(
        lambda s: f"/manage/staff/{s.scene.therapist.user.pk}/lockout/",
        Role.MANAGER,
        private=True,
        method="post",
        status=302,
    ),
    # She has no email address for the link.
    "manage-staff-password": Page(
        lambda s: f"/manage/staff/{s.scene.therapist.user.pk}/password/",
        Role.MANAGER,
        private=True,
        method="post",
        status=400,
    ),
    "manage-staff-second-factor": Page(
        lambda s: f"/manage/staff/{s.scene.therapist.user.pk}/second-factor/",
        Role.MANAGER,
        private=True,
        method="post",
        status=302,
    ),
    "manage-access-log": Page(lambda s: "/manage/access-log/", Role.MANAGER, private=True),
    "reports": Page(lambda s: "/reports/", Role.MANAGER, private=True),
    "report-csv": Page(lambda s: "/reports/appointments.csv", Role.MANAGER, private=True),
    "manage-services": Page(lambda s: "/manage/services/", Role.MANAGER, private=True),
    "manage-service": Page(lambda s: f"/manage/services/{s.routine.slug}/", Role.MANAGER, private=True),
    # Online booking (no login): names, addresses and times, never stored.
    "book": Page(lambda s: "/book/", None, private=True, status=302),
    "book-privacy": Page(lambda s: "/book/privacy/", None, private=True),
    "book-location": Page(lambda s: f"/book/{s.scene.salon.pk}/", None, private=True),
    # Without the earlier choices: back to the first step.
    "book-details": Page(lambda s: f"/book/{s.scene.salon.pk}/details/", None, private=True, status=302),
    "book-hold": Page(lambda s: f"/book/{s.scene.salon.pk}/hold/", None, private=True, status=302),
    "book-confirm": Page(hold_link, None, private=True),
    "book-reschedule-link": Page(
        lambda s: client_link(s, ClientLink.Purpose.RESCHEDULE), None, private=True, status=302
    ),
    "book-reschedule": Page(lambda s: "/book/reschedule/", None, private=True, link=ClientLink.Purpose.RESCHEDULE),
    "book-waitlist-join": Page(lambda s: f"/book/{s.scene.salon.pk}/waitlist/join/", None, private=True),
    "book-waitlist": Page(lambda s: waitlist_links(s)[0], None, private=True),
    "book-offer": Page(lambda s: waitlist_links(s)[1], None, private=True),
    "desk-waitlist": Page(lambda s: "/desk/waitlist/", Role.RECEPTIONIST, private=True),
    "healthz": Page(lambda s: "/healthz", None, private=False, status=None),
    "schema": Page(lambda s: "/api/schema/", Role.RECEPTIONIST, private=True),
    "api-docs": Page(lambda s: "/api/docs/", Role.RECEPTIONIST, private=True),
    # Superusers only: a manager is sent on (the admin's own pages: see below).
    "admin:index": Page(lambda s: "/admin/", Role.MANAGER, private=True, status=302),
}


def routes(patterns=None, prefix="", namespace=""):
    """(name, route) of every URL pattern below ``patterns``."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield (namespace + pattern.name if pattern.name else None), prefix + str(pattern.pattern)


def test_every_page_of_the_urlconf_is_checked_here():
    pages = {name for name, route in routes() if not route.startswith(("admin/", "api/v1/"))}

    assert pages - set(PAGES) == set(), "add the new page to PAGES"
    assert set(PAGES) - pages == {"admin:index"}  # the admin's other pages: see below


def fetch(salon: Salon, page: Page):
    browser = Client()
    if page.who is not None:
        sign_in(browser, salon.staff[page.who])
    if page.link:
        assert browser.get(client_link(salon, page.link)).status_code == 302
    return getattr(browser, page.method)(page.path(salon))


def assert_policy(response) -> None:
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    if response.wsgi_request.path.startswith("/book/"):
        # The booking pages: also the salon's own sites (test_booking_pages_may_be_framed_...)
        assert policy["frame-ancestors"][0] == "'self'"
    else:
        assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


def assert_nothing_inline(response) -> None:
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    html = response.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert INLINE_HANDLER.findall(html) == []
    assert STYLE_ELEMENT.findall(html) == []
    assert JAVASCRIPT_URL.findall(html) == []


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_carries_the_policy_and_private_pages_are_not_stored(salon, name):
    page = PAGES[name]

    response = fetch(salon, page)

    if page.status is not None:
        assert response.status_code == page.status, response.content[:500]
    assert_policy(response)
    assert_nothing_inline(response)
    if page.private:
        assert response["Cache-Control"] == "no-store"


def test_the_calendar_feed_keeps_its_short_private_caching(salon):
    response = fetch(salon, PAGES["calendar-feed"])

    assert response["Cache-Control"] == "private, max-age=300"


@pytest.mark.parametrize(("url", "status"), [("/no-such-page/", 404), (f"/sessions/{10**9}/", 404)])
def test_error_pages_carry_the_policy_too(salon, url, status):
    browser = Client()
    sign_in(browser, salon.staff[Role.THERAPIST])

    response = browser.get(url)

    assert response.status_code == status
    assert_policy(response)
    assert response["Cache-Control"] == "no-store"


def test_a_page_refused_to_another_role_is_not_stored_either(salon):
    browser = Client()
    sign_in(browser, salon.staff[Role.RECEPTIONIST])

    response = browser.get(f"/sessions/{salon.booked.pk}/")

    assert response.status_code == 403
    assert_policy(response)
    assert response["Cache-Control"] == "no-store"


def api_kwargs(salon: Salon, name: str, route: str) -> dict:
    """Arguments for an API route, from the salon (404 where there is no such object is fine:
    the headers are what is checked)."""
    ids = {
        "salon": salon.scene.salon.pk,
        "routine": salon.routine.pk,
        "client": salon.scene.client.pk,
        "appointment": salon.booked.pk,
        "notification": getattr(Notification.objects.first(), "pk", 0),
    }
    basename = name.removeprefix("api:").split("-")[0]
    kwargs = {}
    if re.search(r"[<:]pk>", route):
        kwargs["pk"] = ids.get(basename, 0)
    if "client_pk" in route:
        kwargs["client_pk"] = salon.scene.client.pk
    if "token_key" in route:
        kwargs["token_key"] = "not-a-token-key"
    if "<day>" in route:
        kwargs["day"] = salon.booked.start.date().isoformat()
    if "<slug>" in route:
        kwargs["slug"] = salon.routine.slug
    return kwargs


@pytest.mark.parametrize("as_token", [False, True], ids=["session", "token"])
def test_every_api_answer_carries_the_policy_and_is_not_stored(salon, as_token):
    from rest_framework.test import APIClient

    checked = []
    for name, route in routes():
        if not route.startswith("api/v1/") or "format" in route:
            continue
        api = APIClient()
        if as_token:
            api.force_authenticate(salon.staff[Role.MANAGER])
        else:
            sign_in(api, salon.staff[Role.MANAGER])
        url = reverse(name, kwargs=api_kwargs(salon, name, route))
        response = api.get(url)
        assert response["Cache-Control"] == "no-store", (url, response.status_code)
        assert_policy(response)
        checked.append(url)
    assert len(checked) > 30  # the whole API, not a few


def frame_ancestors(response) -> list[str]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()]
    return next(words[1:] for words in directives if words[0] == "frame-ancestors")


def test_booking_pages_may_be_framed_by_the_salons_sites_and_no_other_page(salon):
    """Online booking embedded on the salon's website (README, "Online
    booking"): /book/ allows the sites every location lists; everything
    else, the API included, stays unframeable."""
    location = salon.scene.salon
    location.online_embed_origins = ["https://www.lindenhof.example", "https://shop.lindenhof.example:8443"]
    location.save()
    browser = Client()

    # A path under /book/ that no view answers: the rule is the prefix's, not a view's.
    booking = browser.get("/book/no-such-page/")
    assert frame_ancestors(booking) == [
        "'self'",
        "https://shop.lindenhof.example:8443",
        "https://www.lindenhof.example",
    ]
    assert "X-Frame-Options" not in booking  # it cannot name other sites; it would contradict the policy

    for other in (browser.get("/accounts/login/"), browser.get("/api/v1/public/locations/"), browser.get("/nope/")):
        assert frame_ancestors(other) == ["'none'"]
        assert other["X-Frame-Options"] == "DENY"


def test_booking_pages_without_listed_sites_are_framed_by_this_site_only(salon):
    booking = Client().get("/book/no-such-page/")

    assert frame_ancestors(booking) == ["'self'"]
    assert booking["X-Frame-Options"] == "SAMEORIGIN"


def test_anonymous_api_answers_are_not_stored(salon):
    response = Client().get("/api/v1/clients/")

    assert response.status_code == 401
    assert response["Cache-Control"] == "no-store"


def test_the_admin_carries_the_policy_and_is_not_stored(salon):
    browser = Client()
    sign_in(browser, UserFactory(username="root", is_superuser=True))

    for url in ["/admin/", "/admin/clients/client/", f"/admin/clients/client/{salon.scene.client.pk}/change/"]:
        response = browser.get(url)
        assert response.status_code == 200, url
        assert_policy(response)
        assert response["Cache-Control"] == "no-store"


def test_static_files_are_left_to_whitenoise_caching(salon):
    response = Client().get("/static/salon/salon.css")

    assert "no-store" not in response.get("Cache-Control", "")


def test_no_template_has_inline_script_handlers_or_style_elements():
    """The policy refuses them; the e-mail templates are not pages."""
    offenders = []
    for template in ROOT.glob("*/templates/**/*.html"):
        if "email" in template.parts or ".venv" in template.parts:
            continue
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, STYLE_ELEMENT, JAVASCRIPT_URL):
            offenders += [f"{template.relative_to(ROOT)}: {hit}" for hit in pattern.findall(text)]
    assert offenders == []


def test_the_static_scripts_the_pages_name_exist():
    for name in ["sessions/my_day.js", "sessions/session_timer.js", "clients/bodychart.js", "clients/client_record.js"]:
        assert (ROOT / Path(name).parts[0] / "static" / name).is_file(), name
