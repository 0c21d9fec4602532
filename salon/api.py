"""API of the salon app: tokens, the caller, the salon itself. Thin: validate,
call a service or selector, render."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from salon import selectors, services
from salon.errors import InvalidInput, NotFound
from salon.locations import (
    business_check,
    granted_location_ids,
    location_check,
    location_for,
    location_or_none,
    locations_granted,
)
from salon.models import Salon
from salon.roles import HasRole, Role, user_roles
from salon.serializers import (
    BusinessSettingsSerializer,
    LocationSettingsSerializer,
    MeSerializer,
    SalonSerializer,
    TokenInfoSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from salon.signin import SignInThrottle


class AuthTokenView(APIView):
    """Exchange a username and password (and, for accounts with an
    authenticator app, its current code as ``otp``) for a new API token.
    Send it as ``Authorization: Token <token>``. It ends after
    ``API_TOKEN_IDLE_HOURS`` without use, on a password change, or when
    revoked. Repeated failures lock the username and the address out."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [SignInThrottle]

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer, auth=[])
    def post(self, request):
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        # Django's request: django-axes marks a lockout on it, for its middleware.
        instance, secret = services.auth_token_obtain(**credentials.validated_data, request=request._request)
        body = {"token": secret, "token_key": instance.token_key, "expiry": instance.expiry}
        return Response(TokenSerializer(body).data)


def _current_token_key(request) -> str | None:
    return request.auth.token_key if isinstance(request.auth, AuthToken) else None


class AuthTokenListView(APIView):
    """The caller's own API tokens that still work."""

    @extend_schema(responses=TokenInfoSerializer(many=True))
    def get(self, request):
        current = _current_token_key(request)
        tokens = [
            {
                "token_key": token.token_key,
                "created": token.created,
                "expiry": token.expiry,
                "current": token.token_key == current,
            }
            for token in selectors.auth_token_list(user=request.user)
        ]
        return Response(TokenInfoSerializer(tokens, many=True).data)


class AuthTokenRevokeView(APIView):
    """End one of the caller's own tokens, by its key."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, token_key: str):
        services.auth_token_revoke(user=request.user, token_key=token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuthSignOutView(APIView):
    """End the token this request was made with (``?all=1``: every token of
    the caller)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if request.query_params.get("all") == "1":
            services.auth_tokens_revoke_all(user=request.user)
        elif (current := _current_token_key(request)) is not None:
            services.auth_token_revoke(user=request.user, token_key=current)
        else:
            raise InvalidInput(
                _("This call was not made with a token: send the token to end, or ?all=1 to end them all."),
                code="no_token",
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """Who the caller is and which roles they hold."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        therapist = selectors.therapist_for_user(request.user)
        me = {
            "id": request.user.pk,
            "username": request.user.username,
            "get_full_name": request.user.get_full_name(),
            "roles": sorted(user_roles(request.user)),
            "therapist": therapist.pk if therapist else None,
            "calendar_feed_url": selectors.calendar_feed_url(therapist) if therapist else None,
            "locations": [location.pk for location in locations_granted(request.user)],
            "location": getattr(location_or_none(request.user), "pk", None),
        }
        return Response(MeSerializer(me).data)


class SalonViewSet(viewsets.ReadOnlyModelViewSet):
    """The locations the caller is granted: name, time zone and contact
    details (managers change them at ``salons/{id}/settings/``). Their ids
    are the API's ``location``."""

    serializer_class = SalonSerializer

    def get_queryset(self):
        granted = granted_location_ids(self.request.user)
        locations = selectors.salon_list().order_by("name", "pk")
        return locations if granted is None else locations.filter(pk__in=granted)


def _location_named(request, pk: int) -> Salon:
    """The location of the path, when the caller is granted it (else 403
    ``location_forbidden``; 404 when there is none)."""
    location = Salon.objects.select_related("business").filter(pk=pk).first()
    if location is None:
        raise NotFound(_("There is no such location."))
    location_check(user=request.user, location=location)
    return location


class LocationSettingsView(APIView):
    """A location's settings, for its managers: contact details, time zone,
    currency, booking rules and the messages to clients. A resource of its
    own rather than a writable ``salons/{id}/``: that one is read by all
    staff, these are changed by managers under rules of their own (a time
    zone cannot change under booked sessions). PATCH changes the fields
    sent, all or none; an unknown field is refused."""

    permission_classes = [HasRole.of(Role.MANAGER)]

    @extend_schema(responses=LocationSettingsSerializer)
    def get(self, request, pk: int):
        return Response(LocationSettingsSerializer(_location_named(request, pk)).data)

    @extend_schema(request=LocationSettingsSerializer, responses=LocationSettingsSerializer)
    def patch(self, request, pk: int):
        location = _location_named(request, pk)
        settings = LocationSettingsSerializer(location, data=request.data, partial=True)
        settings.is_valid(raise_exception=True)
        services.location_settings_update(salon=location, **settings.validated_data)
        return Response(LocationSettingsSerializer(location).data)


class BusinessSettingsView(APIView):
    """What every location of the caller's business shares: its name, how
    long screenings, clearances and health data last, and the travel time
    between locations. Managers read it; only a manager granted every
    location changes it (else 403 ``location_forbidden``)."""

    permission_classes = [HasRole.of(Role.MANAGER)]

    @extend_schema(responses=BusinessSettingsSerializer)
    def get(self, request):
        return Response(BusinessSettingsSerializer(location_for(request.user).business).data)

    @extend_schema(request=BusinessSettingsSerializer, responses=BusinessSettingsSerializer)
    def patch(self, request):
        business_check(user=request.user)
        business = location_for(request.user).business
        settings = BusinessSettingsSerializer(business, data=request.data, partial=True)
        settings.is_valid(raise_exception=True)
        services.business_settings_update(business=business, **settings.validated_data)
        return Response(BusinessSettingsSerializer(business).data)
