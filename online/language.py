"""Which language a booking page speaks (README, "Languages").

A visitor reads what their browser asks for, else the location's language
(salon.middleware.LanguageMiddleware). The switcher on every page adds
``?lang=`` to the address, and the pages keep it in every link and form
they lead to, as they keep the service and the day: a page in a frame on
the salon's website gets no cookie, so the address is the only place to
remember it. A page behind a client's link (confirm, move, waitlist)
speaks the client's language, else the location's, unless the reader chose
another one with the switcher."""

from functools import wraps
from urllib.parse import urlencode

from django.utils import translation

from clients.views import client_language_use
from salon.languages import language_for_location, language_from_browser, language_supported

LANGUAGE_FIELD = "lang"


def language_in(query) -> str | None:
    """The language a page's query names (``lang=``), when the product has it."""
    return language_supported(query.get(LANGUAGE_FIELD, "")[:16])


def language_asked(request) -> str | None:
    """The language chosen with the switcher (``?lang=``), when the product has it."""
    return language_in(request.GET)


def booking_language(view):
    """Answers a booking page in the language asked with ``?lang=``, if any.
    The view may switch to a client's language inside (``link_page_language``);
    either way the language is the page's only while it is made, and the
    answer says which it is."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        asked = language_asked(request)
        request.booking_language = asked
        with translation.override(asked or translation.get_language()):
            if asked:
                request.LANGUAGE_CODE = asked
            response = view(request, *args, **kwargs)
            spoken = translation.get_language()
        response.headers["Content-Language"] = spoken
        return response

    return wrapped


def location_page_language(request, salon) -> None:
    """A location's booking page, for a browser that asks for none of the
    product's languages, speaks the location's (the middleware's fallback
    is the first location's, which may be another country's). Only inside
    ``booking_language``."""
    if getattr(request, "booking_language", None) or language_from_browser(request):
        return
    language = language_for_location(salon)
    translation.activate(language)
    request.LANGUAGE_CODE = language


def link_page_language(request, *, client=None, salon=None, asked_in: str = "") -> None:
    """The page behind a client's link speaks the client's language (their
    record's; else ``asked_in``, the one the hold or waitlist entry was made
    in; else ``salon``'s) rather than the browser's, which may be someone
    else's phone; a language chosen on the page comes first. Only inside
    ``booking_language``, which ends it with the request. Its links keep it,
    so the client goes on booking in the language they read."""
    if getattr(request, "booking_language", None):
        return
    if client is not None and (client.language or not language_supported(asked_in)):
        client_language_use(request, client=client, salon=salon)
    else:
        language = language_supported(asked_in) or language_for_location(salon)
        translation.activate(language)
        request.LANGUAGE_CODE = language
    request.booking_language = request.LANGUAGE_CODE


def with_language(request, address: str) -> str:
    """``address`` with the page's chosen language added to its query, so
    the page it leads to speaks it too; unchanged when none was chosen."""
    language = getattr(request, "booking_language", None)
    if not language:
        return address
    joiner = "&" if "?" in address else "?"
    return f"{address}{joiner}{urlencode({LANGUAGE_FIELD: language})}"
