"""API of the salon app: tokens, the caller, the salon itself. Thin: validate,
call a service or selector, render."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from salon import selectors, services
from salon.roles import user_roles
from salon.serializers import MeSerializer, SalonSerializer, TokenRequestSerializer, TokenSerializer


class AuthTokenView(APIView):
    """Exchange a username and password for an API token
    (send it as ``Authorization: Token <token>``)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer, auth=[])
    def post(self, request):
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        token = services.auth_token_obtain(**credentials.validated_data, request=request)
        return Response(TokenSerializer(token).data)


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
        }
        return Response(MeSerializer(me).data)


class SalonViewSet(viewsets.ReadOnlyModelViewSet):
    """The salon's name, time zone and contact details; edited in the admin."""

    serializer_class = SalonSerializer

    def get_queryset(self):
        return selectors.salon_list()
