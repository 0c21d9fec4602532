import time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from salon import signin
from salon.errors import DomainError, InvalidInput, TooLarge, error_words, http_status
from salon.languages import language_for_staff_request
from salon.locations import location_or_none
from salon.rest import error_body
from salon.selectors import salon_time_zone


class SalonTimeZoneMiddleware:
    """Times are stored in UTC and shown in a location's zone: a signed-in
    member of staff sees their location's (see ``salon.locations``), anyone
    else the first location's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        location = location_or_none(request.user) if request.user.is_authenticated else None
        with timezone.override(location.zone if location else ZoneInfo(salon_time_zone())):
            return self.get_response(request)


class LanguageMiddleware:
    """Answers in the reader's language (``salon.languages``), in place of
    Django's LocaleMiddleware: the addresses carry no language, and a
    signed-in member of staff's own choice comes first, which needs the user
    (so it runs after AuthenticationMiddleware). Pages for a client (their
    links, online booking) switch to the client's language in the view.

    The answer says which language it is in (``Content-Language``, unless
    the view said so itself) and that it depends on ``Accept-Language``
    (``Vary``), so no cache hands a German page to an English reader."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for_staff_request(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language",))
        # The view may have chosen again (an API token's owner, salon.authentication).
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class DomainErrorPageMiddleware:
    """A refusal that reaches the top of a page view (another therapist's
    session, a date that is no date) becomes a page with the status of the
    one mapping (``salon.errors.HTTP_STATUS``) and the words of
    ``error_words``. The API answers its own errors (``salon.rest``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        return render(request, "salon/refused.html", {"problem": error_words(exception)}, status=http_status(exception))


class StaffSignInMiddleware:
    """What a signed-in page session owes before it may go anywhere:

    - it ends ``STAFF_SESSION_HOURS`` after signing in, however busy it was
      (a desk or tablet signed in yesterday is signed out today);
    - an account with an authenticator app enters its code, and a manager
      without one sets one up, before any page or session-authenticated API
      call. Token callers gave their code when they took the token.

    Runs after django-otp's middleware, which tells whether the session has
    passed a device (``user.is_verified()``)."""

    # Where a session that still owes its second factor may go.
    OPEN_URL_NAMES = ("two-factor-verify", "two-factor-enrol", "logout", "login")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is None or not request.user.is_authenticated or self._token_call(request):
            return self.get_response(request)

        signed_in_at = session.get(signin.SIGNED_IN_AT_KEY)
        if signed_in_at is None or time.time() - signed_in_at > settings.STAFF_SESSION_HOURS * 60 * 60:
            logout(request)
            return self.get_response(request)

        owed = signin.second_factor_owed(request)
        if owed is None or self._open(request.path):
            return self.get_response(request)

        if request.path.startswith("/api/"):
            return JsonResponse(
                error_body(
                    code="second_factor_required",
                    detail=_("Enter the code from your authenticator app on the web first, or use a token."),
                ),
                status=403,
            )
        target = reverse("two-factor-enrol" if owed == signin.ENROL else "two-factor-verify")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

    @staticmethod
    def _token_call(request) -> bool:
        # An API call with a token is judged by its token (whose code was
        # given when it was taken), not by a browser session it happens to
        # carry; DRF refuses a bad token. Pages and the admin go by the
        # session whatever the headers say, and so do other schemes.
        return request.path.startswith("/api/") and request.headers.get("Authorization", "").lower().startswith(
            "token "
        )

    def _open(self, path: str) -> bool:
        return any(path == reverse(name) for name in self.OPEN_URL_NAMES)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` wherever client or health data may be in
    the answer, so that neither a shared desk's or tablet's browser (its
    back button, its disk cache) nor a proxy keeps a copy:

    - every answer to a signed-in user, by session or API token (the pages
      and the API show clients' names, times and, to therapists and
      managers, health answers); its ``Cache-Control`` replaces the view's;
    - every answer under ``/api/``, signed in or not;
    - every client-link page under ``/forms/`` (a client's health answers);
    - every online booking page under ``/book/`` (names, addresses, times).

    Left alone: static files (WhiteNoise answers them before this runs), and
    what an anonymous caller gets elsewhere: the login page, the health
    check, and the calendar feed (opened by a phone with a token, not a
    login; times and first names only, ``private, max-age=300`` spares the
    phone's polling). It is the whole rule, in one place, rather than a
    decorator on each view that a new view could miss.
    """

    PRIVATE_PREFIXES = ("/api/", "/forms/", "/book/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: DRF puts an API token's user on the request.
        signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
        if signed_in or request.path_info.startswith(self.PRIVATE_PREFIXES):
            response["Cache-Control"] = "no-store"
        return response


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RequestGuardMiddleware:
    """Input no view can take is refused before any view reads it, in one
    place for pages and the API: a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    (413), and a NUL character in a query parameter or a form field (400;
    PostgreSQL cannot store NUL in text, so it would otherwise be a 500
    wherever it reached the database). JSON bodies are checked by the API's
    parser (``salon.parsers.JSONParser``). The API answers in its error shape,
    pages with the refusal page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request)
        if refusal is not None:
            return self.respond(request, refusal)
        return self.get_response(request)

    def refusal(self, request) -> DomainError | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return InvalidInput(_("The Content-Length header is not a number."), code="invalid_header")
        if limit is not None and length > limit:
            return TooLarge(_("The request body is over %(limit)s bytes.") % {"limit": limit})
        try:
            query = request.GET.lists()
            form = request.POST.lists() if request.content_type in FORM_TYPES else []
            for name, values in [*query, *form]:
                if "\x00" in name or any("\x00" in value for value in values):
                    return InvalidInput(
                        _("Text may not contain NUL characters."),
                        code="nul_character",
                        fields={name.replace("\x00", ""): [_("Remove the NUL character.")]},
                    )
        except RequestDataTooBig:
            return TooLarge(_("The request body is over %(limit)s bytes.") % {"limit": limit})
        except TooManyFieldsSent:
            return InvalidInput(_("Too many fields."), code="too_many_fields")
        return None

    @staticmethod
    def respond(request, error: DomainError):
        status = http_status(error)
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(code=error.code, detail=error.detail, fields=error.fields), status=status)
        return render(request, "salon/refused.html", {"problem": error_words(error)}, status=status)
