"""Tokens for client links: signed, so they cannot be guessed or altered.
A token carries the random nonce of a ``ClientLink`` row; the row says whether
the link has expired or been used (see services/selectors)."""

from django.core import signing

from clients.models import ClientLink
from salon.errors import InvalidInput

SALT = "salon.clients.link"
DEFAULT_VALID_DAYS = 7
URL_NAMES = {
    ClientLink.Purpose.INTAKE: "intake-form-link",
    ClientLink.Purpose.FEEDBACK: "feedback-form-link",
    ClientLink.Purpose.CANCEL: "cancel-link",
}


class LinkRefused(InvalidInput):
    """``code`` is ``link_invalid`` (tampered or unknown), ``link_expired`` or ``link_used``."""


def token_for(link: ClientLink) -> str:
    return signing.dumps(link.nonce, salt=f"{SALT}.{link.purpose}")


def nonce_from(token: str, *, purpose: str) -> str:
    try:
        return signing.loads(token, salt=f"{SALT}.{purpose}")
    except signing.BadSignature:
        raise LinkRefused("This link is not valid.", code="link_invalid") from None
