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
