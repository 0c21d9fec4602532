"""The booking pages (/book/) may be shown in a frame on the salon's own
websites: each location's ``online_embed_origins``. Every other page keeps
``frame-ancestors 'none'`` (config.settings.CONTENT_SECURITY_POLICY) and
``X-Frame-Options: DENY``.

A middleware keyed on the path rather than a decorator on each view, so a
booking page added later cannot miss it. It sits below django-csp's and
Django's clickjacking middleware in MIDDLEWARE, so its answer is marked
before they write their headers."""

from functools import wraps

from django.shortcuts import render

from clients.views import SAME_SITE, own_origins
from online import selectors
from salon.models import Salon

BOOKING_PREFIX = "/book/"


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
        # A location's page names its business's sites (read with the location: online.views);
        # other booking pages, every location's.
        origins = getattr(request, "frame_origins", None)
        if origins is None:
            origins = selectors.embed_origins()
        replaced = getattr(response, "_csp_replace", None) or {}
        response._csp_replace = {**replaced, "frame-ancestors": ["'self'", *origins]}
        if origins:
            response.xframe_options_exempt = True
        else:
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response


def _posted_from_booking_page(request, location) -> bool:
    origin = request.headers.get("Origin")
    if origin in (None, "null"):
        # No origin to judge (the tests' client, older browsers, a page under
        # ``no-referrer``): then the browser must not mark it as another site's.
        return request.headers.get("Sec-Fetch-Site", "same-origin") in SAME_SITE
    if origin in own_origins(request):
        return True
    listed = Salon.objects.filter(pk=location).values_list("online_embed_origins", flat=True).first()
    return origin in (listed or [])


def booking_posts_only(view):
    """For the booking forms, which work without the session and CSRF
    cookies: both are ``SameSite=Lax``, so a browser leaves them out of a
    frame on the salon's website, and Django's CSRF check would refuse every
    post made there. A post is accepted when its ``Origin`` is this site or
    one of the sites the location lists in ``online_embed_origins``;
    without an ``Origin``, when the browser does not mark it as cross-site.
    Any other is answered 403 with a page that says why, and nothing is done.

    What such a post could do, anyone can do on the page itself (no login,
    no one's session behind it); the check keeps other websites from having
    visitors' browsers fill in the forms (the rate limits count per address)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        location = kwargs.get("location")
        if request.method == "POST" and not _posted_from_booking_page(request, location):
            salon = selectors.online_locations().filter(pk=location).first()
            return render(request, "online/cross_site.html", {"salon": salon}, status=403)
        return view(request, *args, **kwargs)

    return wrapped
