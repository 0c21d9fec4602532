"""The staff API, ``/api/v1/staff/``, for managers. It is served from the
sessions app, not the salon app where the accounts live, because
deactivating someone and changing a therapist look at the sessions booked
ahead (``sessions.services.staffing``). Thin: validate, call one service,
render."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from salon import services as salon_services
from salon.inputs import parse_id
from salon.locations import LOCATION_PARAMETER_HELP, location_for
from salon.roles import HasRole, Role
from salon.serializers import (
    StaffChangeSerializer,
    StaffDeactivateSerializer,
    StaffInviteSerializer,
    StaffSerializer,
)
from salon.staff_selectors import staff_at, staff_get, staff_queryset, staff_visible_to
from sessions.services import staffing

STAFF_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The member of staff (their user id).")


class StaffDeactivatedSerializer(serializers.Serializer):
    staff = StaffSerializer()
    cancelled = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Ids of the appointments cancelled (their clients are told).")
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "location",
                int,
                description="Only the staff of this location (and those granted every location). "
                + LOCATION_PARAMETER_HELP.split(". ")[0]
                + ".",
            )
        ]
    ),
    retrieve=extend_schema(parameters=[STAFF_ID]),
)
class StaffViewSet(viewsets.GenericViewSet):
    """Staff accounts, for managers: the staff granted one of the caller's
    locations (or every location); never a superuser. Adding someone sends
    them an invitation email to set their own password (``state`` is
    ``invited`` until they do). A manager grants only their own locations
    and keeps their own account and Manager role. Deactivating a therapist
    with sessions booked ahead is refused (409 ``bookings_in_the_way``, the
    sessions named) unless ``cancel_bookings``, which cancels them and tells
    the clients."""

    permission_classes = [HasRole.of(Role.MANAGER)]
    serializer_class = StaffSerializer
    queryset = staff_queryset()

    def get_queryset(self):
        staff = staff_visible_to(self.request.user)
        location = self.request.query_params.get("location")
        if self.action == "list" and location not in (None, ""):
            staff = staff_at(location_for(self.request.user, location), staff)
        return staff

    def _staff(self):
        return staff_get(manager=self.request.user, pk=parse_id(self.kwargs["pk"], field="id"))

    def _render(self, user, code=status.HTTP_200_OK):
        return Response(StaffSerializer(staff_get(manager=self.request.user, pk=user.pk)).data, status=code)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(StaffSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(StaffSerializer(self._staff()).data)

    @extend_schema(request=StaffInviteSerializer, responses={201: StaffSerializer})
    def create(self, request):
        body = StaffInviteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = salon_services.staff_invite(by=request.user, **body.validated_data)
        return self._render(user, status.HTTP_201_CREATED)

    @extend_schema(request=StaffChangeSerializer, responses=StaffSerializer, parameters=[STAFF_ID])
    def partial_update(self, request, pk=None):
        user = self._staff()
        body = StaffChangeSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        staffing.staff_update(by=request.user, user=user, **body.validated_data)
        return self._render(user)

    @extend_schema(request=StaffDeactivateSerializer, responses=StaffDeactivatedSerializer, parameters=[STAFF_ID])
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = self._staff()
        body = StaffDeactivateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        cancelled = staffing.staff_deactivate(by=request.user, user=user, **body.validated_data)
        staff = StaffSerializer(staff_get(manager=request.user, pk=user.pk)).data
        return Response({"staff": staff, "cancelled": [session.pk for session in cancelled]})

    @extend_schema(request=None, responses=StaffSerializer, parameters=[STAFF_ID])
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        user = staffing.staff_reactivate(by=request.user, user=self._staff())
        return self._render(user)

    @extend_schema(request=None, responses=StaffSerializer, parameters=[STAFF_ID])
    @action(detail=True, methods=["post"], url_path="resend-invitation")
    def resend_invitation(self, request, pk=None):
        user = salon_services.staff_invitation_resend(by=request.user, user=self._staff())
        return self._render(user)

    @extend_schema(request=None, responses=StaffSerializer, parameters=[STAFF_ID])
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, pk=None):
        """The password stops working now; an email link lets its owner choose a new one."""
        user = salon_services.staff_password_reset(by=request.user, user=self._staff())
        return self._render(user)

    @extend_schema(request=None, responses=StaffSerializer, parameters=[STAFF_ID])
    @action(detail=True, methods=["post"], url_path="reset-second-factor")
    def reset_second_factor(self, request, pk=None):
        """The authenticator app and recovery codes stop working; a new app is set up at the next sign-in."""
        user = self._staff()
        salon_services.staff_second_factor_reset(by=request.user, user=user)
        return self._render(user)
