"""Who may do what: every API operation of the OpenAPI schema and every page
of the URLconf, for an anonymous caller, a receptionist, a therapist on their
own data and on another therapist's, and a manager, with the exact status
each gets.

The tables are the specification. Adding an endpoint or a page without a row
here fails ``test_the_matrix_covers_every_api_operation`` or
``test_the_matrix_covers_every_page``. Each row is
``(anonymous, receptionist, therapist on own data, therapist on another's data, manager)``.

Requests carry no body (``{}``): a role that may act gets past the gate and
is refused for the input (400), acts (200/201), or finds the state wrong
(409); a role that may not gets 401/403 (pages: 302 to the login, 403).
Each column runs on the same world (``world``), and what it changes is
rolled back before the next. A failure shows the whole row as it came out.

A new row needs its path's ids: ``api_path`` and ``page_path`` fill them from
the world's objects (the caller's own for every column but "therapist on
another's data", which gets Ben's), by the path's kind.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from clients.models import ClientLink
from clients.services import client_link_create
from salon.invitations import invitation_token
from salon.models import TimeOff
from salon.roles import Role
from salon.selectors import calendar_feed_token
from sessions.models import BookingHold, Notification, WaitlistEntry, WaitlistOffer
from sessions.services.booking import appointment_book
from sessions.services.online import hold_token
from sessions.services.waitlist import entry_token, offer_token
from tests.factories import UserFactory, screening_for, short_routine
from tests.helpers import BERLIN, at, sign_in
from tests.scenario import salon_scenario

COLUMNS = ("anonymous", "receptionist", "therapist_own", "therapist_other", "manager")


@dataclass(frozen=True)
class Expect:
    anonymous: int
    receptionist: int
    therapist_own: int
    therapist_other: int
    manager: int


E = Expect

# fmt: off
API = {
    # path template and method: who gets what
    ("/api/v1/auth/token/", "POST"):                           E(400, 400, 400, 400, 400),
    ("/api/v1/auth/tokens/", "GET"):                           E(401, 200, 200, 200, 200),
    ("/api/v1/auth/tokens/{token_key}/", "DELETE"):            E(401, 404, 404, 404, 404),
    ("/api/v1/auth/sign-out/", "POST"):                        E(401, 400, 400, 400, 400),
    ("/api/v1/me/", "GET"):                                    E(401, 200, 200, 200, 200),
    ("/api/v1/salons/", "GET"):                                E(401, 200, 200, 200, 200),
    ("/api/v1/salons/{id}/", "GET"):                           E(401, 200, 200, 200, 200),
    ("/api/v1/salons/{id}/settings/", "GET"):                  E(401, 403, 403, 403, 200),
    ("/api/v1/salons/{id}/settings/", "PATCH"):                E(401, 403, 403, 403, 200),
    ("/api/v1/business/", "GET"):                              E(401, 403, 403, 403, 200),
    ("/api/v1/business/", "PATCH"):                            E(401, 403, 403, 403, 200),
    ("/api/v1/routines/", "GET"):                              E(401, 200, 200, 200, 200),
    ("/api/v1/routines/", "POST"):                             E(401, 403, 403, 403, 400),
    ("/api/v1/routines/{id}/", "GET"):                         E(401, 200, 200, 200, 200),
    ("/api/v1/routines/{id}/", "PUT"):                         E(401, 403, 403, 403, 400),
    ("/api/v1/routines/{id}/", "PATCH"):                       E(401, 403, 403, 403, 200),
    ("/api/v1/routines/{id}/preview-plan/", "POST"):           E(401, 403, 400, 400, 400),
    ("/api/v1/services/", "GET"):                              E(401, 200, 200, 200, 200),
    ("/api/v1/services/{slug}/", "GET"):                       E(401, 200, 200, 200, 200),
    ("/api/v1/services/{slug}/", "PUT"):                       E(401, 403, 403, 403, 200),
    ("/api/v1/clients/", "GET"):                               E(401, 200, 200, 200, 200),
    ("/api/v1/clients/", "POST"):                              E(401, 400, 403, 403, 400),
    ("/api/v1/clients/{id}/", "GET"):                          E(401, 200, 200, 403, 200),
    ("/api/v1/clients/{id}/", "PUT"):                          E(401, 400, 403, 403, 400),
    ("/api/v1/clients/{id}/", "PATCH"):                        E(401, 200, 403, 403, 200),
    ("/api/v1/clients/{id}/archive/", "POST"):                 E(401, 200, 403, 403, 200),
    ("/api/v1/clients/{id}/restore/", "POST"):                 E(401, 200, 403, 403, 200),
    ("/api/v1/clients/{id}/intake-link/", "POST"):             E(401, 201, 403, 403, 201),
    ("/api/v1/clients/{id}/send-intake-link/", "POST"):        E(401, 400, 403, 403, 400),
    ("/api/v1/clients/{id}/duplicates/", "GET"):               E(401, 200, 403, 403, 200),
    ("/api/v1/clients/{id}/merge/", "POST"):                   E(401, 400, 403, 403, 400),
    ("/api/v1/clients/{id}/screening-outcome/", "GET"):        E(401, 200, 200, 403, 200),
    ("/api/v1/clients/{id}/clearance/", "POST"):               E(401, 403, 400, 403, 400),
    ("/api/v1/clients/{id}/avoid-areas/", "POST"):             E(401, 403, 400, 403, 400),
    ("/api/v1/clients/{id}/export/", "GET"):                   E(401, 403, 403, 403, 200),
    ("/api/v1/clients/{id}/erase/", "POST"):                   E(401, 403, 403, 403, 200),
    ("/api/v1/clients/{client_pk}/screenings/", "GET"):        E(401, 403, 200, 403, 200),
    ("/api/v1/clients/{client_pk}/screenings/", "POST"):       E(401, 400, 400, 403, 400),
    ("/api/v1/availability/", "GET"):                          E(401, 400, 400, 400, 400),
    ("/api/v1/appointments/", "GET"):                          E(401, 200, 200, 200, 200),
    ("/api/v1/appointments/", "POST"):                         E(401, 400, 403, 403, 400),
    ("/api/v1/courses/", "POST"):                              E(401, 400, 403, 403, 400),
    ("/api/v1/courses/plan/", "GET"):                          E(401, 400, 403, 403, 400),
    ("/api/v1/appointments/{id}/", "GET"):                     E(401, 200, 200, 403, 200),
    ("/api/v1/appointments/{id}/reschedule/", "POST"):         E(401, 400, 403, 403, 400),
    ("/api/v1/appointments/{id}/cancel/", "POST"):             E(401, 400, 403, 403, 400),
    # Tomorrow's session: past the gate, check-in has not opened and the start not passed (409).
    ("/api/v1/appointments/{id}/check-in/", "POST"):           E(401, 409, 403, 403, 409),
    ("/api/v1/appointments/{id}/no-show/", "POST"):            E(401, 409, 403, 403, 409),
    ("/api/v1/appointments/{id}/undo/", "POST"):               E(401, 400, 403, 403, 400),
    ("/api/v1/appointments/{id}/acknowledge-review/", "POST"): E(401, 403, 200, 403, 200),
    ("/api/v1/appointments/{id}/start/", "POST"):              E(401, 403, 409, 403, 409),
    ("/api/v1/appointments/{id}/complete/", "POST"):           E(401, 403, 400, 403, 400),
    ("/api/v1/appointments/{id}/plan/", "GET"):                E(401, 403, 200, 403, 200),
    ("/api/v1/appointments/{id}/notes/", "POST"):              E(401, 403, 200, 403, 200),
    ("/api/v1/appointments/{id}/pressure-feedback/", "POST"):  E(401, 403, 400, 403, 400),
    ("/api/v1/day/", "GET"):                                   E(401, 403, 200, 403, 200),
    ("/api/v1/notifications/", "GET"):                         E(401, 403, 403, 403, 200),
    ("/api/v1/notifications/{id}/", "GET"):                    E(401, 403, 403, 403, 200),
    ("/api/v1/notifications/{id}/retry/", "POST"):             E(401, 403, 403, 403, 409),
    ("/api/v1/special-days/", "GET"):                          E(401, 200, 200, 200, 200),
    ("/api/v1/special-days/closures/", "POST"):                E(401, 403, 403, 403, 400),
    ("/api/v1/special-days/hours/", "POST"):                   E(401, 403, 403, 403, 400),
    ("/api/v1/special-days/{day}/", "DELETE"):                 E(401, 403, 403, 403, 204),
    ("/api/v1/time-off/", "GET"):                              E(401, 200, 200, 200, 200),
    ("/api/v1/time-off/", "POST"):                             E(401, 403, 400, 400, 400),
    ("/api/v1/time-off/{id}/", "DELETE"):                      E(401, 403, 403, 403, 204),
    ("/api/v1/time-off/{id}/approve/", "POST"):                E(401, 403, 403, 403, 200),
    ("/api/v1/time-off/{id}/decline/", "POST"):                E(401, 403, 403, 403, 200),
    ("/api/v1/time-off/{id}/withdraw/", "POST"):               E(401, 403, 204, 403, 403),
    ("/api/v1/rooms/", "GET"):                                 E(401, 200, 200, 200, 200),
    ("/api/v1/rooms/", "POST"):                                E(401, 403, 403, 403, 400),
    ("/api/v1/rooms/{id}/", "GET"):                            E(401, 200, 200, 200, 200),
    ("/api/v1/rooms/{id}/", "PATCH"):                          E(401, 403, 403, 403, 200),
    ("/api/v1/rotas/", "GET"):                                 E(401, 200, 200, 200, 200),
    ("/api/v1/rotas/", "POST"):                                E(401, 403, 403, 403, 400),
    ("/api/v1/staff/", "GET"):                                 E(401, 403, 403, 403, 200),
    ("/api/v1/staff/", "POST"):                                E(401, 403, 403, 403, 400),
    ("/api/v1/staff/{id}/", "GET"):                            E(401, 403, 403, 403, 200),
    ("/api/v1/staff/{id}/", "PATCH"):                          E(401, 403, 403, 403, 200),
    ("/api/v1/staff/{id}/deactivate/", "POST"):                E(401, 403, 403, 403, 409),
    ("/api/v1/staff/{id}/reactivate/", "POST"):                E(401, 403, 403, 403, 200),
    ("/api/v1/staff/{id}/resend-invitation/", "POST"):         E(401, 403, 403, 403, 409),
    ("/api/v1/staff/{id}/reset-password/", "POST"):            E(401, 403, 403, 403, 400),
    ("/api/v1/staff/{id}/reset-second-factor/", "POST"):       E(401, 403, 403, 403, 200),
    ("/api/v1/opening-hours/", "GET"):                         E(401, 200, 200, 200, 200),
    ("/api/v1/opening-hours/", "PUT"):                         E(401, 403, 403, 403, 400),
    # Online booking's public API: no login; without the location or a body, refused for the input.
    ("/api/v1/public/locations/", "GET"):                      E(200, 200, 200, 200, 200),
    ("/api/v1/public/services/", "GET"):                       E(400, 400, 400, 400, 400),
    ("/api/v1/public/availability/", "GET"):                   E(400, 400, 400, 400, 400),
    ("/api/v1/public/holds/", "POST"):                         E(400, 400, 400, 400, 400),
    ("/api/v1/public/holds/confirm/", "POST"):                 E(400, 400, 400, 400, 400),
}

PAGES = {
    # URLconf route and method: who gets what
    ("", "GET"):                                               E(302, 302, 302, 302, 302),
    ("accounts/login/", "GET"):                                E(200, 302, 302, 302, 302),
    ("accounts/logout/", "POST"):                              E(302, 302, 302, 302, 302),
    ("accounts/two-factor/", "GET"):                           E(302, 200, 200, 200, 200),
    ("accounts/two-factor/set-up/", "GET"):                    E(302, 200, 200, 200, 200),
    ("accounts/two-factor/recovery-codes/", "GET"):            E(302, 302, 302, 302, 302),
    ("accounts/security/", "GET"):                             E(302, 200, 200, 200, 200),
    ("accounts/location/", "POST"):                            E(302, 302, 302, 302, 302),
    ("accounts/language/", "POST"):                            E(302, 302, 302, 302, 302),
    ("jsi18n/", "GET"):                                        E(200, 200, 200, 200, 200),
    ("accounts/tokens/<str:token_key>/revoke/", "POST"):       E(302, 404, 404, 404, 404),
    ("accounts/invitation/<str:token>/", "GET"):               E(200, 200, 200, 200, 200),
    ("healthz", "GET"):                                        E(200, 200, 200, 200, 200),
    ("api/v1/", "GET"):                                        E(401, 200, 200, 200, 200),
    ("routines/", "GET"):                                      E(302, 200, 200, 200, 200),
    ("routines/<slug:slug>/", "GET"):                          E(302, 200, 200, 200, 200),
    ("clients/", "GET"):                                       E(302, 200, 200, 200, 200),
    ("clients/<int:pk>/", "GET"):                              E(302, 200, 200, 403, 200),
    ("clients/<int:pk>/edit/", "GET"):                         E(302, 200, 403, 403, 200),
    ("clients/<int:pk>/edit/", "POST"):                        E(302, 400, 403, 403, 400),
    ("clients/<int:pk>/intake-link/", "POST"):                 E(302, 400, 403, 403, 400),
    ("clients/<int:pk>/merge/", "GET"):                        E(302, 400, 403, 403, 400),
    ("clients/<int:pk>/merge/", "POST"):                       E(302, 400, 403, 403, 400),
    ("forms/intake/<str:token>/", "GET"):                      E(302, 302, 302, 302, 302),
    ("forms/intake/", "GET"):                                  E(404, 404, 404, 404, 404),
    ("forms/feedback/<str:token>/", "GET"):                    E(302, 302, 302, 302, 302),
    ("forms/feedback/", "GET"):                                E(404, 404, 404, 404, 404),
    ("forms/cancel/<str:token>/", "GET"):                      E(302, 302, 302, 302, 302),
    ("forms/cancel/", "GET"):                                  E(404, 404, 404, 404, 404),
    ("desk/", "GET"):                                          E(302, 200, 403, 403, 200),
    ("desk/book/", "GET"):                                     E(302, 200, 403, 403, 200),
    ("desk/book/", "POST"):                                    E(302, 400, 403, 403, 400),
    ("desk/clients/", "GET"):                                  E(302, 200, 403, 403, 200),
    ("desk/next-free/", "GET"):                                E(302, 200, 403, 403, 200),
    ("desk/appointments/<int:pk>/", "GET"):                    E(302, 200, 403, 403, 200),
    ("desk/appointments/<int:pk>/move/", "GET"):               E(302, 400, 403, 403, 400),
    ("desk/appointments/<int:pk>/course/", "GET"):             E(302, 200, 403, 403, 200),
    ("desk/appointments/<int:pk>/course/", "POST"):            E(302, 400, 403, 403, 400),
    # Checking in tomorrow's session: past the gate, refused for the time (409, in the panel).
    ("desk/appointments/<int:pk>/<slug:action>/", "POST"):     E(302, 409, 403, 403, 409),
    ("my-day/", "GET"):                                        E(302, 403, 200, 200, 200),
    ("my-day/print/", "GET"):                                  E(302, 403, 200, 200, 200),
    ("my-day/calendar-feed/reset/", "POST"):                   E(302, 403, 302, 302, 302),
    ("my-day/time-off/", "GET"):                               E(302, 403, 200, 200, 302),
    ("my-day/time-off/request/", "POST"):                      E(302, 403, 400, 400, 302),
    ("my-day/time-off/<int:time_off>/withdraw/", "POST"):      E(302, 403, 302, 403, 302),
    ("calendar/<str:token>.ics", "GET"):                       E(200, 200, 200, 200, 200),
    ("sessions/<int:pk>/", "GET"):                             E(302, 403, 200, 403, 200),
    ("sessions/<int:pk>/<slug:action>/", "POST"):              E(302, 403, 302, 403, 302),
    ("manage/", "GET"):                                        E(302, 403, 403, 403, 302),
    ("manage/staff/", "GET"):                                  E(302, 403, 403, 403, 200),
    ("manage/staff/new/", "GET"):                              E(302, 403, 403, 403, 200),
    ("manage/staff/new/", "POST"):                             E(302, 403, 403, 403, 400),
    ("manage/staff/<int:staff>/", "GET"):                      E(302, 403, 403, 403, 200),
    ("manage/staff/<int:staff>/", "POST"):                     E(302, 403, 403, 403, 400),
    ("manage/staff/<int:staff>/invitation/", "POST"):          E(302, 403, 403, 403, 409),
    ("manage/staff/<int:staff>/deactivate/", "POST"):          E(302, 403, 403, 403, 409),
    ("manage/staff/<int:staff>/reactivate/", "POST"):          E(302, 403, 403, 403, 302),
    ("manage/staff/<int:staff>/lockout/", "POST"):             E(302, 403, 403, 403, 302),
    ("manage/staff/<int:staff>/password/", "POST"):            E(302, 403, 403, 403, 400),
    ("manage/staff/<int:staff>/second-factor/", "POST"):       E(302, 403, 403, 403, 302),
    ("manage/time-off/", "GET"):                               E(302, 403, 403, 403, 200),
    ("manage/time-off/add/", "POST"):                          E(302, 403, 403, 403, 400),
    ("manage/time-off/<int:time_off>/approve/", "POST"):       E(302, 403, 403, 403, 302),
    ("manage/time-off/<int:time_off>/decline/", "POST"):       E(302, 403, 403, 403, 302),
    ("manage/time-off/<int:time_off>/remove/", "POST"):        E(302, 403, 403, 403, 302),
    ("manage/rooms/", "GET"):                                  E(302, 403, 403, 403, 200),
    ("manage/rooms/add/", "POST"):                             E(302, 403, 403, 403, 400),
    ("manage/rooms/out-of-service/", "POST"):                  E(302, 403, 403, 403, 400),
    ("manage/rooms/<int:room>/", "POST"):                      E(302, 403, 403, 403, 400),
    ("manage/rooms/<int:room>/in-use/", "POST"):               E(302, 403, 403, 403, 400),
    ("manage/access-log/", "GET"):                             E(302, 403, 403, 403, 200),
    ("reports/", "GET"):                                       E(302, 403, 403, 403, 200),
    ("reports/<slug:table>.csv", "GET"):                       E(302, 403, 403, 403, 200),
    ("manage/services/", "GET"):                               E(302, 403, 403, 403, 200),
    ("manage/services/<slug:slug>/", "GET"):                   E(302, 403, 403, 403, 200),
    ("manage/services/<slug:slug>/", "POST"):                  E(302, 403, 403, 403, 400),
    ("manage/hours/", "GET"):                                  E(302, 403, 403, 403, 200),
    ("manage/hours/closures/", "POST"):                        E(302, 403, 403, 403, 400),
    ("manage/hours/special/", "POST"):                         E(302, 403, 403, 403, 400),
    ("manage/hours/special/<str:day>/clear/", "POST"):         E(302, 403, 403, 403, 302),
    ("manage/hours/week/", "POST"):                            E(302, 403, 403, 403, 400),
    ("manage/rotas/", "GET"):                                  E(302, 403, 403, 403, 200),
    ("manage/rotas/<int:therapist_id>/", "GET"):               E(302, 403, 403, 403, 200),
    ("manage/rotas/<int:therapist_id>/", "POST"):              E(302, 403, 403, 403, 400),
    ("manage/rotas/<int:therapist_id>/preview/", "POST"):      E(302, 403, 403, 403, 400),
    ("manage/routines/", "GET"):                               E(302, 403, 403, 403, 200),
    ("manage/routines/new/", "GET"):                           E(302, 403, 403, 403, 200),
    ("manage/routines/new/", "POST"):                          E(302, 403, 403, 403, 400),
    ("manage/routines/<slug:slug>/", "GET"):                   E(302, 403, 403, 403, 200),
    ("manage/routines/<slug:slug>/", "POST"):                  E(302, 403, 403, 403, 400),
    ("manage/routines/<slug:slug>/preview/", "POST"):          E(302, 403, 403, 403, 400),
    ("manage/settings/", "GET"):                               E(302, 403, 403, 403, 200),
    ("manage/settings/", "POST"):                              E(302, 403, 403, 403, 400),
    ("manage/settings/business/", "POST"):                     E(302, 403, 403, 403, 400),
    # Online booking (no login): the same for everyone. Without the earlier
    # choices a later step sends back to the first.
    ("book/", "GET"):                                          E(302, 302, 302, 302, 302),
    ("book/privacy/", "GET"):                                  E(200, 200, 200, 200, 200),
    ("book/confirm/<str:token>/", "GET"):                      E(200, 200, 200, 200, 200),
    ("book/reschedule/<str:token>/", "GET"):                   E(302, 302, 302, 302, 302),
    ("book/reschedule/", "GET"):                               E(404, 404, 404, 404, 404),
    ("book/<int:location>/", "GET"):                           E(200, 200, 200, 200, 200),
    ("book/<int:location>/details/", "GET"):                   E(302, 302, 302, 302, 302),
    ("book/<int:location>/hold/", "GET"):                      E(302, 302, 302, 302, 302),
    ("book/<int:location>/hold/", "POST"):                     E(302, 302, 302, 302, 302),
    ("book/<int:location>/waitlist/join/", "GET"):             E(200, 200, 200, 200, 200),
    ("book/<int:location>/waitlist/join/", "POST"):            E(400, 400, 400, 400, 400),
    ("book/waitlist/<str:token>/", "GET"):                     E(200, 200, 200, 200, 200),
    ("book/offer/<str:token>/", "GET"):                        E(200, 200, 200, 200, 200),
    ("desk/waitlist/", "GET"):                                 E(302, 200, 403, 403, 200),
    ("desk/waitlist/", "POST"):                                E(302, 400, 403, 403, 400),
}
# fmt: on

# Not the app's own: Django's admin, and the schema and its docs (their
# access is settled with the security headers).
NOT_THE_APPS = re.compile(r"^(admin/|api/schema/|api/docs/)")
# Under /api/v1/ the schema lists the operations; the API root is a page here.
API_PREFIX = "api/v1/"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
# The other client's family name: it must never reach a therapist who has no session with them.
OTHER_CLIENT_NAME = "Zettelmeyer"


def schema_operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"].items()
    return {(path, method.upper()) for path, item in paths for method in item if method in HTTP_METHODS}


def url_routes(patterns=None, prefix: str = "") -> set[str]:
    """Every route of the URLconf, as written there (``clients/<int:pk>/``)."""
    routes = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            routes |= url_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.add(prefix + str(pattern.pattern))
    return routes


def page_routes() -> set[str]:
    return {
        route
        for route in url_routes()
        if not NOT_THE_APPS.match(route) and (not route.startswith(API_PREFIX) or route == API_PREFIX)
    }


def test_the_matrix_covers_every_api_operation():
    assert set(API) == schema_operations()


def test_the_matrix_covers_every_page():
    assert {route for route, _ in PAGES} == page_routes()


@dataclass
class World:
    """Anna (the therapist who calls) and Ben; Sabine is Anna's client with a
    session tomorrow, Zettelmeyer Ben's."""

    users: dict
    objects: dict  # per data column ("own", "other"): what a path's ids name
    tokens: dict


@pytest.fixture
def world(db) -> World:
    tomorrow = (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=1)).date()
    scene = salon_scenario(
        therapists=[{"display_name": "Anna", "user__username": "anna"}, {"display_name": "Ben"}],
        rooms=["Linden", "Birke"],
        clients=[
            {"given_name": "Sabine", "family_name": "Krüger"},
            {"given_name": "Tom", "family_name": OTHER_CLIENT_NAME, "consent_reminders": True},
        ],
    )
    anna, ben = scene.therapists
    own_client, other_client = scene.clients
    for client in scene.clients:
        screening_for(client)
    routine = short_routine(minutes=45, turnover=15)
    own = appointment_book(client=own_client, routine=routine, start=at(tomorrow, 10), therapist=anna)
    other = appointment_book(client=other_client, routine=routine, start=at(tomorrow, 10), therapist=ben)
    notification = Notification.objects.filter(appointment=other).first()
    assert notification is not None, "the other client consents to reminders"
    shared = {
        "routine": routine.pk,
        "routine_slug": routine.slug,
        "salon": scene.salon.pk,
        "notification": notification.pk,
        "day": tomorrow.isoformat(),
        "room": scene.room.pk,
    }
    # A request of each therapist, a month ahead: the time-off paths' ids.
    requests = {
        column: TimeOff.objects.create(
            therapist=therapist,
            start=at(tomorrow + datetime.timedelta(days=30), 9),
            end=at(tomorrow + datetime.timedelta(days=30), 17),
            status=TimeOff.Status.REQUESTED,
            requested_by=therapist.user,
        ).pk
        for column, therapist in (("own", anna), ("other", ben))
    }
    links = {
        purpose: client_link_create(client=own_client, purpose=purpose, reference=own.pk)[1].rsplit("/", 2)[-2]
        for purpose in (
            ClientLink.Purpose.INTAKE,
            ClientLink.Purpose.FEEDBACK,
            ClientLink.Purpose.CANCEL,
            ClientLink.Purpose.RESCHEDULE,
        )
    }
    # A time held online for someone who has not confirmed yet (the link in their email).
    held_at = at(tomorrow + datetime.timedelta(days=1), 12)
    hold = BookingHold.objects.create(
        salon=scene.salon, therapist=anna, room=scene.room, routine=routine, start=held_at,
        busy_until=held_at + datetime.timedelta(hours=1), expires_at=timezone.now() + datetime.timedelta(minutes=15),
        given_name="Ada", family_name="Neu", email="ada@example.com", nonce="role-matrix-hold",
    )  # fmt: skip
    links["confirm"] = hold_token(hold)
    # Someone on the waitlist, and a freed time offered to them (the links in their emails).
    entry = WaitlistEntry.objects.create(
        salon=scene.salon, routine=routine, first_day=held_at.date(), last_day=held_at.date(),
        given_name="Ada", family_name="Neu", email="ada@example.com", nonce="role-matrix-entry",
    )  # fmt: skip
    offer = WaitlistOffer.objects.create(
        entry=entry, therapist=anna, room=scene.room, start=held_at + datetime.timedelta(hours=2),
        busy_until=held_at + datetime.timedelta(hours=3), expires_at=timezone.now() + datetime.timedelta(minutes=30),
        nonce="role-matrix-offer",
    )  # fmt: skip
    links["waitlist"], links["offer"] = entry_token(entry), offer_token(offer)
    return World(
        users={
            "anonymous": None,
            "receptionist": UserFactory(username="desk", roles=[Role.RECEPTIONIST]),
            "therapist_own": anna.user,
            "therapist_other": anna.user,
            "manager": UserFactory(username="boss", roles=[Role.MANAGER]),
        },
        objects={
            "own": {
                **shared,
                "appointment": own.pk,
                "client": own_client.pk,
                "therapist": anna.pk,
                "time_off": requests["own"],
                "staff": anna.user.pk,
            },
            "other": {
                **shared,
                "appointment": other.pk,
                "client": other_client.pk,
                "therapist": ben.pk,
                "time_off": requests["other"],
                "staff": ben.user.pk,
            },
        },
        tokens={
            **links,
            "calendar": calendar_feed_token(anna),
            # Someone invited who has not set a password yet (opening the link spends nothing).
            "invitation": invitation_token(UserFactory(username="newcomer", roles=[Role.THERAPIST], password=None)),
        },
    )


def api_path(template: str, ids: dict) -> str:
    """The template with its ids filled in from the column's objects; list
    calls of the other column ask for the other therapist's work."""
    kind = template.split("/")[3]  # /api/v1/<kind>/...
    object_id = {"appointments": "appointment", "clients": "client", "routines": "routine",
                 "notifications": "notification", "salons": "salon", "time-off": "time_off",
                 "rooms": "room", "staff": "staff"}.get(kind)  # fmt: skip
    # a token key nobody holds: each column may only ever reach its own
    path = template.replace("{client_pk}", str(ids["client"])).replace("{token_key}", "not-a-token-key")
    path = path.replace("{day}", ids["day"]).replace("{slug}", ids["routine_slug"])
    if object_id:
        path = path.replace("{id}", str(ids[object_id]))
    if template in {"/api/v1/appointments/", "/api/v1/day/"}:
        path += f"?therapist={ids['therapist']}"
    assert "{" not in path, f"Say in api_path which object the id of {template} names."
    return path


def page_path(route: str, ids: dict, tokens: dict) -> str:
    appointment_pages = route.startswith(("desk/appointments/", "sessions/"))
    action = "check-in" if route.startswith("desk/") else "acknowledge"
    path = (
        route.replace("<int:pk>", str(ids["appointment"] if appointment_pages else ids["client"]))
        .replace("<slug:action>", action)
        .replace("<slug:slug>", ids["routine_slug"])
        .replace("<slug:table>", "therapists")
        .replace("<str:token_key>", "not-a-token-key")
        .replace("<str:day>", ids["day"])
        .replace("<int:therapist_id>", str(ids["therapist"]))
        .replace("<int:time_off>", str(ids["time_off"]))
        .replace("<int:room>", str(ids["room"]))
        .replace("<int:staff>", str(ids["staff"]))
        .replace("<int:location>", str(ids["salon"]))
    )
    if "<str:token>" in route:
        purpose = route.split("/")[1] if route.startswith(("forms/", "accounts/", "book/")) else "calendar"
        path = path.replace("<str:token>", tokens[purpose])
    if route in {"my-day/", "my-day/print/", "desk/next-free/"}:
        path += f"?therapist={ids['therapist']}"
    return "/" + path


def data_column(column: str) -> str:
    return "other" if column == "therapist_other" else "own"


def each_column(world, request) -> Expect:
    """The status each column gets for ``request(column)``, each on the same
    world: what one column changes is rolled back before the next."""
    statuses = {}
    for column in COLUMNS:
        with transaction.atomic():
            response = request(column)
            transaction.set_rollback(True)
        statuses[column] = response.status_code
        if column.startswith("therapist"):
            body = response.content.decode(errors="replace")
            assert OTHER_CLIENT_NAME not in body, f"{column} was shown another therapist's client"
    return Expect(**statuses)


@pytest.mark.parametrize(("template", "method"), sorted(API))
def test_api_operation(world, template, method):
    def call(column):
        api = APIClient()
        if world.users[column] is not None:
            api.force_authenticate(world.users[column])
        path = api_path(template, world.objects[data_column(column)])
        return getattr(api, method.lower())(path, {}, format="json")

    assert each_column(world, call) == API[template, method]


@pytest.mark.parametrize(("route", "method"), sorted(PAGES))
def test_page(world, route, method):
    def call(column):
        browser = Client()
        if world.users[column] is not None:
            sign_in(browser, world.users[column])
        response = getattr(browser, method.lower())(page_path(route, world.objects[data_column(column)], world.tokens))
        if response.status_code == 302 and column == "anonymous" and PAGES[route, method].receptionist != 302:
            assert response["Location"].startswith("/accounts/login/"), response["Location"]
        return response

    assert each_column(world, call) == PAGES[route, method]
