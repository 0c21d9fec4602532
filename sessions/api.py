"""Availability and appointments. Thin: validate, call one service or selector, render."""

import datetime

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from salon.roles import HasRole, Role
from salon.selectors import salon_current
from sessions import selectors, services
from sessions.models import Appointment
from sessions.serializers import (
    AppointmentSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BookingSerializer,
    ReasonSerializer,
    RescheduleSerializer,
)

FRONT_DESK = HasRole.of(Role.RECEPTIONIST, Role.MANAGER)
STAFF = HasRole.of(Role.RECEPTIONIST, Role.THERAPIST, Role.MANAGER)


class AvailabilityView(APIView):
    """Every start where a qualified therapist and a free room can take the
    routine's slot (session + turnover), in the salon's zone, ordered by start."""

    permission_classes = [STAFF]

    @extend_schema(parameters=[AvailabilityQuerySerializer], responses=AvailabilitySerializer)
    def get(self, request):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        salon = salon_current()
        slots, reason = selectors.availability(
            salon=salon,
            routine=data["routine"],
            first_day=data["start"],
            last_day=data["end"],
            therapist_id=data["therapist"].pk if data.get("therapist") else None,
            client=data.get("client"),
        )
        zone = salon.zone
        body = {"slots": [slot.as_dict(zone) for slot in slots], "reason": reason}
        return Response(AvailabilitySerializer(body).data)


class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Appointments. ``?date=YYYY-MM-DD`` (the salon's day) and ``?therapist=ID`` filter the list."""

    serializer_class = AppointmentSerializer

    def get_permissions(self):
        if self.action in {"list", "retrieve"}:
            return [STAFF()]
        if self.action in {"start", "complete"}:
            return [HasRole.of(Role.THERAPIST, Role.MANAGER)()]
        return [FRONT_DESK()]

    def get_queryset(self):
        appointments = Appointment.objects.select_related("client", "therapist", "room", "routine").prefetch_related(
            "changes__by"
        )
        if self.action == "list":
            day = self.request.query_params.get("date")
            if day:
                salon = salon_current()
                try:
                    first = datetime.date.fromisoformat(day)
                except ValueError:
                    raise ValidationError({"date": ["Use YYYY-MM-DD."]}) from None
                since = datetime.datetime.combine(first, datetime.time(0), tzinfo=salon.zone)
                appointments = appointments.filter(start__lt=since + datetime.timedelta(days=1), busy_until__gt=since)
            therapist = self.request.query_params.get("therapist")
            if therapist and therapist.isdigit():
                appointments = appointments.filter(therapist_id=therapist)
        return appointments.order_by("start", "pk")

    @extend_schema(request=BookingSerializer, responses={201: AppointmentSerializer})
    def create(self, request):
        booking = BookingSerializer(data=request.data)
        booking.is_valid(raise_exception=True)
        appointment = services.appointment_book(**booking.validated_data, booked_by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=appointment.pk)).data, status=201)

    def _render(self, appointment, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=appointment.pk)).data, status=code)

    @extend_schema(request=RescheduleSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        body = RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = services.appointment_reschedule(
            appointment=self.get_object(), by=request.user, **body.validated_data
        )
        return self._render(appointment)

    def _transition(self, request, to_status):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = services.appointment_transition(
            appointment=self.get_object(), to_status=to_status, by=request.user, reason=body.validated_data["reason"]
        )
        return self._render(appointment)

    @extend_schema(request=ReasonSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(request, Appointment.Status.CANCELLED)

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        return self._transition(request, Appointment.Status.CHECKED_IN)

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._transition(request, Appointment.Status.NO_SHOW)

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._transition(request, Appointment.Status.IN_PROGRESS)

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(request, Appointment.Status.COMPLETED)
