"""Which language a reader gets (README, "Languages").

- Staff read their own choice (``User.language``); without one, the first
  language their browser asks for that the product has; else their
  location's. Calls to the API go by ``Accept-Language`` first, so a script
  asks for the ``detail`` texts it wants; the ``code``s never change. A
  token call is known to be the user's only once DRF reads the token, after
  the middleware chose: ``language_for_api_caller`` chooses again then.
- Clients read the language on their record (``Client.language``); without
  one, their location's (``Salon.language``). Code that writes to a client
  (emails, SMS, link pages) wraps its rendering in
  ``translation.override(language_for_client(client=...))``.
- Anyone else reads what their browser asks for, else the first location's.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from salon.locations import location_or_none
from salon.models import Salon
from salon.selectors import salon_language_default


def language_supported(code: str | None) -> str | None:
    """``code`` as one of ``settings.LANGUAGES`` ("de-AT" is "de"), or None
    when the product does not have it."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_from_browser(request) -> str | None:
    """The first language in the request's ``Accept-Language`` that the
    product has, or None. Unlike Django's ``get_language_from_request`` it
    does not answer ``LANGUAGE_CODE`` when nothing matches, so the location's
    language can come next."""
    header = request.headers.get("Accept-Language", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        supported = language_supported(code)
        if supported:
            return supported
    return None


def language_for_location(salon: Salon | None) -> str:
    return language_supported(salon.language if salon else None) or settings.LANGUAGE_CODE


def language_for_client(*, client, salon: Salon | None = None) -> str:
    """The language to write to ``client`` in: theirs, else ``salon``'s (the
    location the message is about), else their business's first location's."""
    own = language_supported(getattr(client, "language", ""))
    if own:
        return own
    if salon is None and client is not None:
        first = (
            Salon.objects.filter(business_id=client.business_id)
            .order_by("name", "pk")
            .values_list("language", flat=True)
            .first()
        )
        return language_supported(first) or settings.LANGUAGE_CODE
    return language_for_location(salon)


def language_for_staff_request(request) -> str:
    """The language of a page or API answer (see the module's docstring)."""
    user = getattr(request, "user", None)
    signed_in = getattr(user, "is_authenticated", False)
    browser = language_from_browser(request)
    if request.path_info.startswith("/api/") and browser:
        return browser
    if signed_in:
        own = language_supported(user.language)
        if own:
            return own
        return browser or language_for_location(location_or_none(user))
    return browser or language_supported(salon_language_default()) or settings.LANGUAGE_CODE


def language_for_api_caller(request, user) -> str | None:
    """The language of an API call once DRF knows who makes it: the one
    ``Accept-Language`` asks for, else the caller's own choice; None when
    neither is one the product has (the middleware's choice stands)."""
    return language_from_browser(request) or language_supported(getattr(user, "language", ""))
