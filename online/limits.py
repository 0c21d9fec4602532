"""Rate limits on the booking pages' forms (holding a time, confirming it),
per caller's address and per email address or phone number typed, so that
nobody floods the salon's calendar or someone's inbox. The rates are the
public API's (settings: ``online_hold``, ``online_confirm``,
``online_contact``); the counts live in the cache."""

import hashlib

from rest_framework.throttling import SimpleRateThrottle

from salon.signin import AddressThrottle


class PageAddressThrottle(AddressThrottle):
    """Tries per caller's address, signed in or not (staff trying the page
    count too)."""

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": f"page_{self.scope}", "ident": self.get_ident(request)}


class PageContactThrottle(SimpleRateThrottle):
    """Holds per email address or phone number typed, from anywhere: the
    confirmation links go to that address (by email or SMS). The cache
    keeps a hash only."""

    scope = "online_contact"

    def __init__(self, contact: str):
        super().__init__()
        self.contact = contact.strip().lower()

    def get_cache_key(self, request, view):
        digest = hashlib.sha256(self.contact.encode()).hexdigest()
        return self.cache_format % {"scope": f"page_{self.scope}", "ident": digest}


def within_limits(request, *, scope: str, contacts: tuple[str, ...] = ()) -> bool:
    """Whether this try is within the caller's limit for ``scope``
    (``online_hold``, ``online_confirm``) and each contact's; each throttle
    asked records the try."""
    throttles = [PageAddressThrottle(scope), *(PageContactThrottle(contact) for contact in contacts if contact)]
    allowed = [throttle.allow_request(request, view=None) for throttle in throttles]  # each counts the try
    return all(allowed)
