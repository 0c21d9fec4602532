"""Invitations: how a new member of staff gets their first password.

A manager never types or sees a password. The account starts with an
unusable one, and an email carries a link to ``/accounts/invitation/<token>/``
where the person chooses their own. The token is signed (``django.core.signing``
with a salt of its own), expires after ``INVITATION_DAYS`` and works once: it
holds a fingerprint of the password hash as it was when the link was made, so
it stops working when a password is set, when a new invitation replaces
the unusable password with another one, when the email address changes,
and when the account is deactivated.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from salon.errors import Gone, InvalidInput
from salon.languages import language_for_location, language_supported
from salon.locations import locations_granted_queryset
from salon.models import Business, User
from salon.roles import Role, user_roles

INVITATION_SALT = "salon.staff-invitation"


def invitation_max_age() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_DAYS)


def password_fingerprint(user: User) -> str:
    """A keyed digest of the stored password hash and the email address: it
    changes whenever the password does (so a link works once) and when a
    mistyped address is corrected (so a link sent there stops working), and
    says nothing about either."""
    return salted_hmac(INVITATION_SALT, f"{user.password}\n{user.email.lower()}", algorithm="sha256").hexdigest()[:32]


def invitation_token(user: User) -> str:
    return signing.dumps([user.pk, password_fingerprint(user)], salt=INVITATION_SALT)


def invitation_url(user: User) -> str:
    return settings.SITE_URL + reverse("invitation", args=[invitation_token(user)])


def invited_user(token: str, *, max_age: datetime.timedelta | None = None) -> User:
    """The account a link invites. Refused with 400 (``invitation_invalid``)
    for a forged or mistyped link, 410 for one that has expired
    (``invitation_expired``) or been used or replaced (``invitation_used``),
    or whose account was deactivated (``invitation_withdrawn``)."""
    ask_again = _("Ask your manager to send you a new invitation.")
    try:
        pk, fingerprint = signing.loads(token, salt=INVITATION_SALT, max_age=max_age or invitation_max_age())
    except signing.SignatureExpired:
        raise Gone(
            _("This invitation has expired. %(ask_again)s") % {"ask_again": ask_again}, code="invitation_expired"
        ) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInput(
            _("This invitation link is not valid; check that it was copied whole. %(ask_again)s")
            % {"ask_again": ask_again},
            code="invitation_invalid",
        ) from None
    user = User.objects.filter(pk=pk).first() if isinstance(pk, int) and isinstance(fingerprint, str) else None
    if user is None:
        raise InvalidInput(
            _("This invitation link is not valid. %(ask_again)s") % {"ask_again": ask_again},
            code="invitation_invalid",
        )
    if not user.is_active:
        raise Gone(
            _("This account is no longer active. %(ask_again)s") % {"ask_again": ask_again},
            code="invitation_withdrawn",
        )
    if user.has_usable_password() or not constant_time_compare(fingerprint, password_fingerprint(user)):
        raise Gone(
            _(
                "This invitation has been used already, or a newer one replaced it. If you have set your "
                "password, sign in with it; otherwise ask your manager to send you a new invitation."
            ),
            code="invitation_used",
        )
    return user


def invitation_language(user: User) -> str:
    """The invitation's language: the one chosen for the account, else that
    of the first location it is granted (the manager's browser says nothing
    about the new colleague's)."""
    return language_supported(user.language) or language_for_location(locations_granted_queryset(user).first())


def invitation_email(user: User) -> EmailMultiAlternatives:
    """The invitation, with a fresh link, ready to send."""
    business = Business.objects.order_by("pk").first()
    with translation.override(invitation_language(user)):
        context = {
            "user": user,
            "business": business.name if business else "Salon",
            "link": invitation_url(user),
            "days": settings.INVITATION_DAYS,
            "roles": sorted(str(role.label) for role in user_roles(user)),
            "second_factor": Role.MANAGER in user_roles(user),
        }
        email = EmailMultiAlternatives(
            subject=_("Set your password · %(business)s") % {"business": context["business"]},
            body=render_to_string("registration/invitation_email.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        )
        email.attach_alternative(render_to_string("registration/invitation_email.html", context), "text/html")
    return email
