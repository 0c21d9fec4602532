from zoneinfo import ZoneInfo

from django.shortcuts import render
from django.utils import timezone

from salon.errors import DomainError, error_words, http_status
from salon.selectors import salon_time_zone


class SalonTimeZoneMiddleware:
    """Pages and the API show times in the salon's zone (stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with timezone.override(ZoneInfo(salon_time_zone())):
            return self.get_response(request)


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


class NoStoreMiddleware:
    """``Cache-Control: no-store`` wherever client or health data may be in
    the answer, so that neither a shared desk's or tablet's browser (its
    back button, its disk cache) nor a proxy keeps a copy:

    - every answer to a signed-in user, by session or API token (the pages
      and the API show clients' names, times and, to therapists and
      managers, health answers); its ``Cache-Control`` replaces the view's;
    - every answer under ``/api/``, signed in or not;
    - every client-link page under ``/forms/`` (a client's health answers).

    Left alone: static files (WhiteNoise answers them before this runs), and
    what an anonymous caller gets elsewhere: the login page, the health
    check, and the calendar feed (opened by a phone with a token, not a
    login; times and first names only, ``private, max-age=300`` spares the
    phone's polling). It is the whole rule, in one place, rather than a
    decorator on each view that a new view could miss.
    """

    PRIVATE_PREFIXES = ("/api/", "/forms/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: DRF puts an API token's user on the request.
        signed_in = getattr(getattr(request, "user", None), "is_authenticated", False)
        if signed_in or request.path_info.startswith(self.PRIVATE_PREFIXES):
            response["Cache-Control"] = "no-store"
        return response
