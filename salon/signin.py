"""Signing in: who is asking (their address), what a lockout answers, the
throttles on endpoints anyone may call, the record of every sign-in, and
what a signed-in session still owes (a second factor, its age).

The rules themselves live in settings (``LOGIN_FAILURE_LIMIT``,
``STAFF_SESSION_HOURS`` ...) and in the services that issue tokens and check
codes (``salon.services``); this module is the plumbing around them.
"""

import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework.throttling import AnonRateThrottle

from salon.rest import error_body
from salon.roles import Role, has_role
from salon.selectors import second_factor_devices

log = logging.getLogger("salon.security")

# What the session of a signed-in member of staff still needs, decided once
# at sign-in so that pages need no query to know it.
SECOND_FACTOR_KEY = "salon_second_factor"
SIGNED_IN_AT_KEY = "salon_signed_in_at"
VERIFY = "verify"  # has an authenticator app: enter its code
ENROL = "enrol"  # a manager without one: set it up now
NOT_NEEDED = "none"


def client_address(request) -> str:
    """The caller's address. Behind the TLS proxy (``BEHIND_TLS_PROXY``) it is
    the last one the proxy added to X-Forwarded-For; anything before it was
    written by the caller and proves nothing."""
    meta = getattr(request, "META", {})
    if settings.BEHIND_TLS_PROXY:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1][:64]
    return meta.get("REMOTE_ADDR", "")[:64]


def lockout_minutes() -> int:
    return settings.LOGIN_LOCKOUT_MINUTES


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out caller gets, on the API as on the pages (HTTP 429)."""
    detail = ngettext(
        "Too many failed sign-ins. Signing in is locked for %(minutes)d minute; "
        "a manager can lift it on the staff page in Manage.",
        "Too many failed sign-ins. Signing in is locked for %(minutes)d minutes; "
        "a manager can lift it on the staff page in Manage.",
        lockout_minutes(),
    ) % {"minutes": lockout_minutes()}
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="locked_out", detail=detail), status=429)
    return render(request, "registration/locked_out.html", {"detail": detail}, status=429)


class AddressThrottle(AnonRateThrottle):
    """Counts an anonymous caller's requests by address: ``client_address``,
    the one place that knows about the proxy (DRF's NUM_PROXIES is unused)."""

    def get_ident(self, request):
        return client_address(request)


class SignInThrottle(AddressThrottle):
    """Tries at the token endpoint per address, whoever they are for."""

    scope = "sign_in"


class ClientLinkThrottle(AddressThrottle):
    """Requests for the client-link pages per address (opening a link, the
    forms behind it): a link's token cannot be guessed, but nothing should be
    tried thousands of times."""

    scope = "client_link"


def second_factor_owed(request) -> str | None:
    """VERIFY or ENROL while a signed-in page session still owes its second
    factor, else None."""
    session = getattr(request, "session", None)
    if session is None or not request.user.is_authenticated:
        return None
    owed = session.get(SECOND_FACTOR_KEY, NOT_NEEDED)
    if owed == NOT_NEEDED or request.user.is_verified():
        return None
    return owed


def second_factor_state(user) -> str:
    if second_factor_devices(user):
        return VERIFY
    if has_role(user, Role.MANAGER):
        return ENROL
    return NOT_NEEDED


@receiver(user_logged_in)
def remember_sign_in(sender, request, user, **kwargs):
    """Log the sign-in and, for a page session, note when it began and
    whether it still owes a second factor."""
    via = "api" if request is not None and request.path.startswith("/api/") else "web"
    log.info("Sign-in: %s from %s (%s)", user.get_username(), client_address(request), via)
    session = getattr(request, "session", None)
    if session is not None and via == "web":
        session[SIGNED_IN_AT_KEY] = time.time()
        session[SECOND_FACTOR_KEY] = second_factor_state(user)


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in ``credentials``; only the
    # username is written, never anything else that was sent.
    log.warning("Failed sign-in: %r from %s", credentials.get("username", ""), client_address(request))


@receiver(user_logged_out)
def log_sign_out(sender, request, user, **kwargs):
    if user is not None:
        log.info("Sign-out: %s", user.get_username())
