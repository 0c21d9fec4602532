"""The booking pages (/book/) may be shown in a frame on the salon's own
websites: each location's ``online_embed_origins``. Every other page keeps
``frame-ancestors 'none'`` (config.settings.CONTENT_SECURITY_POLICY) and
``X-Frame-Options: DENY``.

A middleware keyed on the path rather than a decorator on each view, so a
booking page added later cannot miss it. It sits below django-csp's and
Django's clickjacking middleware in MIDDLEWARE, so its answer is marked
before they write their headers."""

from salon.models import Salon

BOOKING_PREFIX = "/book/"


def embed_origins() -> list[str]:
    """Every location's allowed sites, once each, in a stable order (one query)."""
    origins: set[str] = set()
    for listed in Salon.objects.values_list("online_embed_origins", flat=True):
        origins.update(origin for origin in listed or [] if isinstance(origin, str))
    return sorted(origins)


class BookingFrameMiddleware:
    """``frame-ancestors 'self'`` plus the locations' sites on /book/ pages.
    X-Frame-Options cannot name other sites: with sites listed it is left
    off (every browser that frames honours frame-ancestors), else it says
    SAMEORIGIN, as the policy does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path_info.startswith(BOOKING_PREFIX):
            return response
        origins = embed_origins()
        replaced = getattr(response, "_csp_replace", None) or {}
        response._csp_replace = {**replaced, "frame-ancestors": ["'self'", *origins]}
        if origins:
            response.xframe_options_exempt = True
        else:
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response
