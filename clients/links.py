"""Tokens for client links: signed, so they cannot be guessed or altered.
A token carries the random nonce of a ``ClientLink`` row; the row says whether
the link has expired or been used (see services/selectors)."""

from django.core import signing
from django.utils.translation import gettext_lazy as _

from clients.models import ClientLink
from salon.errors import Conflict, DomainError, Forbidden, Gone, NotFound, TooManyRequests

SALT = "salon.clients.link"
DEFAULT_VALID_DAYS = 7
URL_NAMES = {
    ClientLink.Purpose.INTAKE: "intake-form-link",
    ClientLink.Purpose.FEEDBACK: "feedback-form-link",
    ClientLink.Purpose.CANCEL: "cancel-link",
    ClientLink.Purpose.RESCHEDULE: "book-reschedule-link",
}


class LinkRefused(DomainError):
    """A client link that cannot be used; ``code`` says why, the subclass
    gives the status (salon.errors.HTTP_STATUS)."""


class LinkInvalid(LinkRefused, NotFound):
    """Tampered, unknown, or posted from another site (404)."""

    default_code = "link_invalid"
    default_detail = _("This link is not valid.")


class LinkCrossSite(LinkRefused, Forbidden):
    """A form behind a client link posted from another website (403)."""

    default_code = "link_cross_site"
    default_detail = _("This form can only be sent from the salon's own page.")


class LinkThrottled(LinkRefused, TooManyRequests):
    """Too many client-link requests from one address (429)."""

    default_code = "link_throttled"


class LinkGone(LinkRefused, Gone):
    """Used already (``link_used``) or expired (``link_expired``) (410)."""


class LinkReplaced(LinkRefused, Conflict):
    """Another link was opened in this browser since the form was (409)."""

    default_code = "link_replaced"


def token_for(link: ClientLink) -> str:
    return signing.dumps(link.nonce, salt=f"{SALT}.{link.purpose}")


def nonce_from(token: str, *, purpose: str) -> str:
    try:
        return signing.loads(token, salt=f"{SALT}.{purpose}")
    except signing.BadSignature:
        raise LinkInvalid() from None
