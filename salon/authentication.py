"""How API callers prove who they are (REST_FRAMEWORK's authentication
classes). Apart from ``salon.rest``: DRF imports these while it sets up the
views that ``salon.rest`` itself imports."""

import binascii
from hmac import compare_digest

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from salon.compiled import CompiledQuery
from salon.languages import language_for_api_caller
from salon.roles import Role


def _role_flags() -> dict[str, Exists]:
    """Whether the token's user holds each role, as columns of the token's
    own query: every API call checks a role, and would otherwise read them
    in a query of its own (``salon.roles.user_roles``)."""
    return {_flag(role): Exists(Group.objects.filter(user=OuterRef("user_id"), name=role)) for role in Role}


def _flag(role: Role) -> str:
    return f"holds_{role.name.lower()}"


# Every API call reads its token: compiled once (the key is all that changes;
# the expiry is checked here, against the time of each call).
_TOKENS_WITH_KEY = CompiledQuery(
    lambda key: get_token_model().objects.filter(token_key=key).select_related("user").annotate(**_role_flags()),
    key="\0token key",
)


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's expiring tokens (``Authorization: Token <secret>``). A header
    that is not even text is refused like a wrong token, not a crash.

    Knox's own lookup, with the user's roles read in the same query.

    The rest of the call answers in the token owner's language (unless
    ``Accept-Language`` asks for another): the middleware chose before it
    knew who called."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            language = language_for_api_caller(request, found[0])
            if language:
                translation.activate(language)  # LanguageMiddleware's override ends it with the call
                request._request.LANGUAGE_CODE = language
        return found

    def authenticate_credentials(self, token: bytes):
        refused = exceptions.AuthenticationFailed("Invalid token.")
        try:
            secret = token.decode("utf-8")
        except UnicodeDecodeError:
            raise refused from None
        for auth_token in _TOKENS_WITH_KEY.objects(key=secret[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(secret)
            except (TypeError, binascii.Error):
                raise refused from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                # Kept where user_roles looks first.
                auth_token.user._salon_roles = frozenset(role for role in Role if getattr(auth_token, _flag(role)))
                return self.validate_user(auth_token)
        raise refused

    def _cleanup_token(self, auth_token) -> bool:
        """Whether this token has expired (then it is deleted). Knox also reads
        and prunes all the user's other tokens here, a query on every call;
        those are pruned when the user next signs in (``auth_token_obtain``)."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=type(self), username=username, source="auth_token")
        return True


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the tokens."""

    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 (a scheme name)
