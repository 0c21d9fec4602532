"""Rate limits of the public API (``/api/v1/public/``; rates: ``online_*``
in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``; the pages' are
``online.limits``):

- per caller address (``salon.signin.client_address``, which knows the
  proxy): reading the menu and free times, holding a time, confirming one;
- per email address and phone number asked for, whoever asks: every hold
  sends an email (or an SMS to a phone number alone), so nobody may flood
  someone's inbox or phone from many addresses.

Counts live in the default cache (Redis when ``CACHE_URL`` is set, so that a
limit holds across web workers). Keys hold a keyed hash of the contact, never
the address itself.
"""

import re

from django.core.cache import cache
from django.utils.crypto import salted_hmac
from rest_framework.throttling import SimpleRateThrottle

from salon.signin import AddressThrottle

# Enough of a phone number to tell it from others, however it was written:
# "+49 151 2345678" and "0151 2345678" end in the same digits.
PHONE_DIGITS = 9


class OnlineReadThrottle(AddressThrottle):
    scope = "online_read"


class OnlineHoldThrottle(AddressThrottle):
    scope = "online_hold"


class OnlineConfirmThrottle(AddressThrottle):
    scope = "online_confirm"


def contact_keys(*, email: str = "", phone: str = "") -> list[str]:
    """The cache keys of an email address and a phone number, normalised
    (case, spaces, how the number is written) and hashed."""
    keys = []
    email = email.strip().lower() if isinstance(email, str) else ""
    digits = re.sub(r"\D", "", phone)[-PHONE_DIGITS:] if isinstance(phone, str) else ""
    for kind, value in (("email", email), ("phone", digits)):
        if value:
            digest = salted_hmac("online.throttles.contact", f"{kind}:{value}").hexdigest()
            keys.append(f"throttle_online_contact_{digest}")
    return keys


class ContactThrottle(SimpleRateThrottle):
    """Holds asked for the same email address or phone number (either
    counts), from any caller."""

    scope = "online_contact"

    def allow_request(self, request, view) -> bool:
        data = request.data if isinstance(request.data, dict) else {}
        return self.allow_contact(email=data.get("email", ""), phone=data.get("phone", ""))

    def allow_contact(self, *, email: str = "", phone: str = "") -> bool:
        if self.rate is None:
            return True
        keys = contact_keys(email=email, phone=phone)
        self.now = self.timer()
        histories = {
            key: [moment for moment in cache.get(key, []) if moment > self.now - self.duration] for key in keys
        }
        full = [key for key, history in histories.items() if len(history) >= self.num_requests]
        if full:
            self.key, self.history = full[0], histories[full[0]]
            return False
        for key, history in histories.items():
            cache.set(key, [self.now, *history], self.duration)
        return True

    def get_cache_key(self, request, view):  # unused: the keys are the contacts' (allow_contact)
        return None
