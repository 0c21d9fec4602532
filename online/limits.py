"""Rate limits on the booking pages' forms (holding a time, confirming it),
per caller's address and per email address or phone number typed, so that
nobody floods the salon's calendar or someone's inbox. The rates are the
public API's (settings: ``online_hold``, ``online_confirm``,
``online_contact``); the counts live in the cache, and a contact's count is
the one the public API keeps."""

from online.throttles import ContactThrottle
from salon.signin import AddressThrottle


class PageAddressThrottle(AddressThrottle):
    """Tries per caller's address, signed in or not (staff trying the page
    count too)."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": f"page_{self.scope}", "ident": self.get_ident(request)}


def within_limits(request, *, scope: str, email: str = "", phone: str = "") -> bool:
    """Whether this try is within the caller's limit for ``scope``
    (``online_hold``, ``online_confirm``) and within the limit of the email
    address and phone number it sends to. Each throttle asked records the
    try; the contacts' counts are the public API's (``ContactThrottle``), so
    a number is limited however it was written and wherever it was typed."""
    by_address = PageAddressThrottle(scope).allow_request(request, view=None)
    by_contact = ContactThrottle().allow_contact(email=email, phone=phone)
    return by_address and by_contact
