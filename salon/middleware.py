from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from salon.errors import DomainError, InvalidInput, TooLarge, error_words, http_status
from salon.rest import error_body
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
            return InvalidInput("The Content-Length header is not a number.", code="invalid_header")
        if limit is not None and length > limit:
            return TooLarge(f"The request body is over {limit} bytes.")
        try:
            query = request.GET.lists()
            form = request.POST.lists() if request.content_type in FORM_TYPES else []
            for name, values in [*query, *form]:
                if "\x00" in name or any("\x00" in value for value in values):
                    return InvalidInput(
                        "Text may not contain NUL characters.",
                        code="nul_character",
                        fields={name.replace("\x00", ""): ["Remove the NUL character."]},
                    )
        except RequestDataTooBig:
            return TooLarge(f"The request body is over {limit} bytes.")
        except TooManyFieldsSent:
            return InvalidInput("Too many fields.", code="too_many_fields")
        return None

    @staticmethod
    def respond(request, error: DomainError):
        status = http_status(error)
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(code=error.code, detail=error.detail, fields=error.fields), status=status)
        return render(request, "salon/refused.html", {"problem": error_words(error)}, status=status)
