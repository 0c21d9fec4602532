"""Availability and appointments. Thin: validate, call one service or selector, render."""

import datetime

import django_filters
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.outcome import ScreeningOutcome
from routines.selectors import routine_spec, routine_versions
from salon.errors import Conflict, Forbidden, InvalidInput
from salon.inputs import MAX_ID, DateTimeFilter, parse_day, parse_id
from salon.locations import (
    LOCATION_PARAMETER_HELP,
    granted_location_ids,
    location_check,
    location_for,
    location_of_room,
)
from salon.models import OpeningHours, Room, SpecialDay, TimeOff, WorkingHours
from salon.roles import HasRole, Role, has_role
from salon.selectors import days_ahead, requested_day, therapist_for_user
from salon.serializers import RoomCreateSerializer, RoomSerializer
from salon.services import room_create
from sessions import selectors
from sessions.availability import therapists_at
from sessions.models import Appointment, AppointmentChange, Notification
from sessions.plans import build_plan
from sessions.serializers import (
    AppointmentSerializer,
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    BookingSerializer,
    ClosureSerializer,
    NotesSerializer,
    NotificationSerializer,
    OpeningHoursSerializer,
    PlanPreviewRequestSerializer,
    PressureFeedbackSerializer,
    ReasonSerializer,
    RescheduleSerializer,
    RotaSerializer,
    SpecialDaySerializer,
    SpecialDaysQuerySerializer,
    SpecialHoursSerializer,
    TimeOffDecisionSerializer,
    TimeOffQuerySerializer,
    TimeOffSerializer,
    UndoSerializer,
    WeeklyHoursSerializer,
    WorkingHoursSerializer,
)
from sessions.services import booking, closures, lifecycle, outbox, rooms, rotas, running, time_off

LOCATION = OpenApiParameter("location", int, description=LOCATION_PARAMETER_HELP)
# The desk's changes of an appointment, answered with the appointment as changed (``_render_changed``).
DESK_CHANGES = {"reschedule", "cancel", "check_in", "no_show"}
# A session's start and completion read it and answer alike (a therapist's every session sends both).
SESSION_CHANGES = {"start", "complete"}
FRONT_DESK = HasRole.of(Role.RECEPTIONIST, Role.MANAGER)
STAFF = HasRole.of(Role.RECEPTIONIST, Role.THERAPIST, Role.MANAGER)


class AvailabilityView(APIView):
    """Every start at the location where a qualified therapist and a free room
    can take the routine's slot (session + turnover), in the location's zone,
    ordered by start."""

    permission_classes = [STAFF]

    @extend_schema(parameters=[AvailabilityQuerySerializer, LOCATION], responses=AvailabilitySerializer)
    def get(self, request):
        query = AvailabilityQuerySerializer(data=request.query_params, context={"user": request.user})
        query.is_valid(raise_exception=True)
        data = query.validated_data
        salon = location_for(request.user, request.query_params.get("location"))
        slots, reason = selectors.availability(
            salon=salon,
            routine=data["routine"],
            first_day=data["start"],
            last_day=data["end"],
            therapist_id=data["therapist"].pk if data.get("therapist") else None,
            client=data.get("client"),
            minutes=data.get("minutes"),
        )
        zone = salon.zone
        body = {"slots": [slot.as_dict(zone) for slot in slots], "reason": reason}
        return Response(AvailabilitySerializer(body).data)


def _history() -> Prefetch:
    return Prefetch("changes", queryset=AppointmentChange.objects.select_related("by"))


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="Only appointments on this day (the location's)."),
            OpenApiParameter("therapist", int, description="Only this therapist's appointments."),
            OpenApiParameter(
                "location", int, description="Only this location's appointments (else every location granted)."
            ),
        ]
    ),
    create=extend_schema(parameters=[LOCATION]),
)
class AppointmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Appointments at the locations the caller is granted. ``?location=ID``,
    ``?date=YYYY-MM-DD`` (that location's day) and ``?therapist=ID`` filter
    the list. A therapist (without a desk role) lists and reads only their own."""

    serializer_class = AppointmentSerializer

    def get_permissions(self):
        if self.action in {"list", "retrieve"}:
            return [STAFF()]
        if self.action in {"start", "complete", "acknowledge_review", "plan", "notes", "pressure_feedback"}:
            return [HasRole.of(Role.THERAPIST, Role.MANAGER)()]
        return [FRONT_DESK()]

    def get_queryset(self):
        appointments = Appointment.objects.select_related("client", "therapist", "room__salon", "routine")
        if self.action != "list":  # the list reads a page's histories itself (list)
            appointments = appointments.prefetch_related(_history())
        if self.action == "list":
            requested = self.request.query_params.get("location")
            if requested:
                appointments = appointments.filter(room__salon=location_for(self.request.user, requested))
            day = self.request.query_params.get("date")
            if day:
                salon = location_for(self.request.user, requested)
                first = requested_day(day, salon=salon)
                since = datetime.datetime.combine(first, datetime.time(0), tzinfo=salon.zone)
                appointments = appointments.filter(start__lt=since + datetime.timedelta(days=1), busy_until__gt=since)
            therapist = parse_id(self.request.query_params.get("therapist"), field="therapist")
            if therapist is not None:
                appointments = appointments.filter(therapist_id=therapist)
            appointments = selectors.appointments_visible_to(self.request.user, appointments)
        return appointments.order_by("start", "pk")

    def list(self, request, *args, **kwargs):
        appointments = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(appointments)
        shown = list(appointments) if page is None else page
        # The page's histories by one query compiled once, where the prefetch built it on every call.
        selectors.appointments_history_read(shown)
        body = self.get_serializer(shown, many=True).data
        return Response(body) if page is None else self.get_paginated_response(body)

    def get_object(self):
        """A therapist reaches only their own sessions (403 for another's).
        The desk's changes and a session's start and completion read it
        without its history (the answer reads that after the change), by a
        query compiled once."""
        if self.action not in DESK_CHANGES and self.action not in SESSION_CHANGES:
            return selectors.appointment_for(user=self.request.user, appointment=super().get_object())
        pk = str(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        appointment = None
        if pk.isascii() and pk.isdigit() and int(pk) <= MAX_ID:
            appointment = selectors.appointment_shown(pk=int(pk))
        if appointment is None:
            raise Http404
        self.check_object_permissions(self.request, appointment)
        return selectors.appointment_for(user=self.request.user, appointment=appointment)

    @extend_schema(request=BookingSerializer, responses={201: AppointmentSerializer})
    def create(self, request):
        body = BookingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        requested = request.query_params.get("location")
        room = body.validated_data.get("room")
        # Without ?location=, a room given says where; else the caller's location.
        if requested or room is None:
            salon = location_for(request.user, requested)
        else:
            salon = location_of_room(request.user, room.pk)
        appointment = booking.appointment_book(**body.validated_data, salon=salon, booked_by=request.user)
        # Rendered as booked, with its client, therapist, room and routine as read for the booking, and the
        # history the booking wrote (the service keeps it: then no prefetch is even built).
        if "changes" not in getattr(appointment, "_prefetched_objects_cache", {}):
            prefetch_related_objects([appointment], _history())
        return Response(self.get_serializer(appointment).data, status=201)

    def _render(self, appointment, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=appointment.pk)).data, status=code)

    def _render_changed(self, appointment):
        """The appointment as the service changed it, with the rows it read
        with it (client, therapist, room with its location, routine), and its
        history read afresh: what reading it back gives, in one query."""
        return Response(self.get_serializer(selectors.appointment_history_read(appointment)).data)

    @extend_schema(request=RescheduleSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        body = RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = booking.appointment_reschedule(
            appointment=self.get_object(), by=request.user, **body.validated_data
        )
        return self._render_changed(appointment)

    def _transition(self, request, to_status):
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = lifecycle.appointment_transition(
            appointment=self.get_object(), to_status=to_status, by=request.user, reason=body.validated_data["reason"]
        )
        return self._render_changed(appointment)

    @extend_schema(request=ReasonSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._transition(request, Appointment.Status.CANCELLED)

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """Check the client in: from the location's ``check_in_opens_minutes``
        before the start until the end (409 ``check_in_too_early`` /
        ``check_in_too_late``, saying when, in the location's zone)."""
        return self._transition(request, Appointment.Status.CHECKED_IN)

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        """Mark a no-show, once the start has passed (409 ``no_show_too_early``)."""
        return self._transition(request, Appointment.Status.NO_SHOW)

    @extend_schema(request=UndoSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """Take back a check-in (to booked) or a no-show (to booked, or checked
        in if it was), on the appointment's own day in the location's zone,
        with a ``reason`` (400 naming it when missing). Both changes stay in
        ``history``. 409: ``nothing_to_undo``, ``undo_too_late`` (another
        day), ``slot_taken`` (the freed time was booked meanwhile)."""
        body = UndoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = lifecycle.appointment_status_undo(
            appointment=self.get_object(), by=request.user, reason=body.validated_data["reason"]
        )
        return self._render(appointment)

    def _own(self) -> Appointment:
        """The session, if it is the caller's (managers: any); else 403."""
        return selectors.session_of(user=self.request.user, appointment=self.get_object())

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start a checked-in session; findings that need review must be acknowledged first."""
        return self._render_changed(running.session_start(appointment=self._own(), by=request.user))

    @extend_schema(request=None, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="acknowledge-review")
    def acknowledge_review(self, request, pk=None):
        return self._render(running.session_review_acknowledge(appointment=self._own(), by=request.user))

    @extend_schema(request=NotesSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete a running session with its notes."""
        appointment = self._own()  # whose session it is, before what was sent
        notes = NotesSerializer(data=request.data)
        notes.is_valid(raise_exception=True)
        completed = running.session_complete(appointment=appointment, by=request.user, **notes.validated_data)
        return self._render_changed(completed)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def plan(self, request, pk=None):
        """The session's plan as built (a snapshot)."""
        appointment = self._own()
        return Response(
            {
                "plan": appointment.plan.plan if appointment.plan else None,
                "change_note": appointment.plan.change_note if appointment.plan else "",
                "plan_problem": appointment.plan_problem,
            }
        )

    @extend_schema(request=NotesSerializer, responses=NotesSerializer)
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        appointment = self._own()
        notes = NotesSerializer(data=request.data)
        notes.is_valid(raise_exception=True)
        note = running.session_notes_save(appointment=appointment, by=request.user, **notes.validated_data)
        return Response(NotesSerializer(note).data)

    @extend_schema(request=PressureFeedbackSerializer, responses={201: PressureFeedbackSerializer})
    @action(detail=True, methods=["post"], url_path="pressure-feedback")
    def pressure_feedback(self, request, pk=None):
        appointment = self._own()
        body = PressureFeedbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        feedback = running.session_pressure_record(appointment=appointment, **body.validated_data)
        return Response(PressureFeedbackSerializer(feedback).data, status=201)


class DayView(APIView):
    """A therapist's whole day with plans, at every location, in one request.
    ``therapist`` defaults to the caller (a manager who is no therapist: the
    first active therapist by name), ``date`` to today in the zone of the
    caller's location."""

    permission_classes = [HasRole.of(Role.THERAPIST, Role.MANAGER)]

    @extend_schema(
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, description="The day (the location's); today when left out."),
            OpenApiParameter("therapist", int),
            LOCATION,
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        therapist = selectors.day_therapist(user=request.user, wanted=request.query_params.get("therapist"))
        day, entries = selectors.therapist_day_seen_by(
            user=request.user,
            therapist=therapist,
            location=location_for(request.user, request.query_params.get("location")),
            date=request.query_params.get("date"),
        )
        return Response(
            {
                "date": day.isoformat(),
                "therapist": therapist.pk,
                "sessions": [day_entry(entry) for entry in entries],
            }
        )


def day_entry(entry: dict) -> dict:
    appointment = entry["appointment"]
    last = entry["last_visit"]
    return {
        "id": appointment.pk,
        "client": appointment.client_id,
        "client_name": appointment.client.full_name,
        "room_name": appointment.room.name,
        "location": appointment.room.salon_id,
        "location_name": appointment.room.salon.name,
        "routine_name": appointment.routine.name,
        "start": appointment.start.astimezone(appointment.room.salon.zone).isoformat(),
        "end": appointment.end.astimezone(appointment.room.salon.zone).isoformat(),
        "status": appointment.status,
        "plan": entry["plan"],
        "plan_change": entry["plan_change"],
        "plan_problem": appointment.plan_problem,
        "flags": entry["flags"],
        "findings": entry["findings"],
        "needs_review": entry["needs_review"],
        "allergies": entry["allergies"],
        "pain_points": entry["pain_points"],
        "gap_minutes": entry["gap_minutes"],
        "turnover_minutes": entry["turnover_minutes"],
        "last_visit": None
        if last is None
        else {
            "date": timezone.localtime(last.start).isoformat(),
            "advice": getattr(getattr(last, "note", None), "advice", ""),
            "pressure": [{"step": item.step, "verdict": item.verdict} for item in last.pressure_feedback.all()],
        },
    }


class NotificationFilter(django_filters.FilterSet):
    due_after = DateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = DateTimeFilter(field_name="due_at", lookup_expr="lt")

    class Meta:
        model = Notification
        fields = ["status", "kind", "appointment", "channel"]


@extend_schema_view(list=extend_schema(parameters=[LOCATION]))
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The outbox of the locations a manager is granted, for one location with
    ``?location=ID``: filter by ``status``, ``kind``, ``appointment``,
    ``channel``, ``due_after``/``due_before``; failed messages can be retried."""

    serializer_class = NotificationSerializer
    permission_classes = [HasRole.of(Role.MANAGER)]
    filterset_class = NotificationFilter

    def get_queryset(self):
        messages = Notification.objects.order_by("-due_at", "-pk")
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return messages
        granted = granted_location_ids(self.request.user)
        if granted is not None:
            messages = messages.filter(appointment__room__salon__in=granted)
        requested = self.request.query_params.get("location")
        if requested:
            messages = messages.filter(appointment__room__salon=location_for(self.request.user, requested))
        return messages

    def get_object(self):
        """A message about a session at a location the manager is not granted is 403."""
        notification = super().get_object()
        location_check(user=self.request.user, location=notification.appointment.room.salon)
        return notification

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        notification = self.get_object()
        if not outbox.notification_retry(notification=notification):
            raise Conflict(_("Only failed messages can be retried."), code="invalid_transition")
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)


@extend_schema_view(
    list=extend_schema(parameters=[SpecialDaysQuerySerializer, LOCATION], responses=SpecialDaySerializer(many=True)),
    destroy=extend_schema(
        parameters=[LOCATION, OpenApiParameter("day", OpenApiTypes.DATE, OpenApiParameter.PATH)], responses={204: None}
    ),
)
class SpecialDayViewSet(viewsets.ViewSet):
    """A location's closures and special opening hours by date (``?location=``):
    everyone reads them, managers write them. A change that would leave a
    booked session outside the hours is refused (409 ``bookings_in_the_way``)
    with the sessions named."""

    lookup_field = "day"  # a date, YYYY-MM-DD; anything else is a 400 that names it

    def get_permissions(self):
        return [STAFF()] if self.action == "list" else [HasRole.of(Role.MANAGER)()]

    def _location(self):
        return location_for(self.request.user, self.request.query_params.get("location"))

    def list(self, request):
        salon = self._location()
        query = SpecialDaysQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        first, last = days_ahead(salon, query.validated_data.get("start"), query.validated_data.get("end"))
        rows = SpecialDay.objects.filter(salon=salon, day__gte=first, day__lte=last).order_by("day", "opens")
        return Response(SpecialDaySerializer(rows, many=True).data)

    @extend_schema(request=ClosureSerializer, parameters=[LOCATION], responses={201: SpecialDaySerializer(many=True)})
    @action(detail=False, methods=["post"])
    def closures(self, request):
        body = ClosureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = closures.closure_add(salon=self._location(), **body.validated_data)
        return Response(SpecialDaySerializer(rows, many=True).data, status=201)

    @extend_schema(request=SpecialHoursSerializer, parameters=[LOCATION], responses=SpecialDaySerializer(many=True))
    @action(detail=False, methods=["post"])
    def hours(self, request):
        body = SpecialHoursSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        rows = closures.special_hours_set(
            salon=self._location(),
            day=data["day"],
            hours=[(span["opens"], span["closes"]) for span in data["hours"]],
            reason=data["reason"],
        )
        return Response(SpecialDaySerializer(rows, many=True).data)

    def destroy(self, request, day=None):
        closures.special_day_clear(salon=self._location(), day=parse_day(day, field="day"))
        return Response(status=204)


@extend_schema_view(
    list=extend_schema(parameters=[TimeOffQuerySerializer, LOCATION]),
    destroy=extend_schema(parameters=[LOCATION]),
)
class TimeOffViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Therapists away and rooms out of service at a location (``?location=``).

    Everyone reads approved time off; therapists also their own requests,
    managers every request (``?status=requested``: what waits for them).
    A therapist POSTs a request for themself (status ``requested``: it takes
    no time until approved) and may ``withdraw/`` it while it waits; a
    manager's POST is approved at once, and managers ``approve/``,
    ``decline/`` (the therapist is emailed) and remove time off. Time off
    over a booked session is refused (409 ``bookings_in_the_way``) with the
    sessions named; a decision on a request no longer waiting is 409
    ``invalid_transition``."""

    serializer_class = TimeOffSerializer
    pagination_class = None

    def get_permissions(self):
        if self.action == "list":
            return [STAFF()]
        if self.action in {"create", "withdraw"}:
            return [HasRole.of(Role.THERAPIST, Role.MANAGER)()]
        return [HasRole.of(Role.MANAGER)()]

    def _location(self):
        return location_for(self.request.user, self.request.query_params.get("location"))

    def get_queryset(self):
        away = TimeOff.objects.select_related("therapist__user", "room").order_by("start", "pk")
        if getattr(self, "swagger_fake_view", False):
            return away
        salon = self._location()
        here = away.filter(Q(room__salon=salon) | Q(therapist__in=therapists_at(salon)))
        if self.action != "list":
            return here
        if not has_role(self.request.user, Role.MANAGER):  # others' requests are between them and the manager
            here = here.filter(Q(status=TimeOff.Status.APPROVED) | Q(therapist__user=self.request.user))
        query = TimeOffQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data.get("status"):
            here = here.filter(status=query.validated_data["status"])
        first, last = days_ahead(salon, query.validated_data.get("start"), query.validated_data.get("end"))
        since = datetime.datetime.combine(first, datetime.time(0), tzinfo=salon.zone)
        until = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(0), tzinfo=salon.zone)
        return here.filter(start__lt=until, end__gt=since)

    @extend_schema(request=TimeOffSerializer, parameters=[LOCATION], responses={201: TimeOffSerializer})
    def create(self, request):
        body = TimeOffSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        salon = self._location()
        if not has_role(request.user, Role.MANAGER):
            return self._request(data)
        if data.get("room") and data["room"].salon_id != salon.pk:
            raise InvalidInput(_("That room is not at this location."), fields={"room": [_("Not at this location.")]})
        if data.get("therapist") and not therapists_at(salon).filter(pk=data["therapist"].pk).exists():
            raise InvalidInput(
                _("That therapist does not work at this location."), fields={"therapist": [_("Not at this location.")]}
            )
        away = time_off.time_off_add(**data, by=request.user)
        return Response(TimeOffSerializer(away).data, status=201)

    def _request(self, data):
        """A therapist asks for their own time off."""
        own = therapist_for_user(self.request.user)
        if own is None or data.get("room") or data.get("therapist") not in (None, own):
            raise Forbidden(_("Therapists ask for time off for themselves."), code="not_your_time_off")
        asked = time_off.time_off_request(
            therapist=own, start=data["start"], end=data["end"], reason=data["reason"], by=self.request.user
        )
        return Response(TimeOffSerializer(asked).data, status=201)

    def _decide(self, request, decide):
        body = TimeOffDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decided = decide(time_off=self.get_object(), by=request.user, note=body.validated_data["note"])
        return Response(TimeOffSerializer(decided).data)

    @extend_schema(request=TimeOffDecisionSerializer, parameters=[LOCATION], responses=TimeOffSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a request (it takes the time from now on); refused while sessions are booked then."""
        return self._decide(request, time_off.time_off_approve)

    @extend_schema(request=TimeOffDecisionSerializer, parameters=[LOCATION], responses=TimeOffSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(request, time_off.time_off_decline)

    @extend_schema(request=None, parameters=[LOCATION], responses={204: None})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The requesting therapist takes back a request that still waits."""
        time_off.time_off_withdraw(time_off=self.get_object(), by=request.user)
        return Response(status=204)

    def perform_destroy(self, instance):
        time_off.time_off_remove(time_off=instance)


@extend_schema_view(
    list=extend_schema(parameters=[LOCATION]),
    retrieve=extend_schema(parameters=[LOCATION]),
)
class RoomViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The rooms of a location (``?location=``), in use or not: staff read
    them, managers add, rename, re-equip and take them out of use (refused,
    409 ``bookings_in_the_way`` with the sessions named, while sessions are
    booked in the room). A room out of service for a while is time off
    (``/time-off/`` with ``room``)."""

    serializer_class = RoomSerializer
    pagination_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        return [STAFF()] if self.action in {"list", "retrieve"} else [HasRole.of(Role.MANAGER)()]

    def get_queryset(self):
        found = Room.objects.order_by("name", "pk")
        if getattr(self, "swagger_fake_view", False):
            return found
        return found.filter(salon=location_for(self.request.user, self.request.query_params.get("location")))

    @extend_schema(request=RoomCreateSerializer, parameters=[LOCATION], responses={201: RoomSerializer})
    def create(self, request):
        body = RoomCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        salon = location_for(request.user, request.query_params.get("location"))
        room = room_create(salon=salon, **body.validated_data)
        return Response(RoomSerializer(room).data, status=201)

    @extend_schema(request=RoomSerializer, parameters=[LOCATION], responses=RoomSerializer)
    def partial_update(self, request, pk=None):
        room = self.get_object()
        body = RoomSerializer(room, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        rooms.room_change(room=room, **body.validated_data)
        return Response(RoomSerializer(room).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[LOCATION, OpenApiParameter("therapist", int, description="Only this therapist's shifts.")]
    )
)
class RotaViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The therapists' shifts at a location (``?location=``), past, present and
    planned; managers set a therapist's week from a date (and until one),
    with split shifts and alternating weeks (``week`` "A"/"B" on a shift).
    A rota that would leave a booked session outside the therapist's hours is
    refused (409 ``bookings_in_the_way``) with the sessions named in
    ``fields.shifts`` and, in ``fields.valid_from``, the first day it could
    start on instead (``YYYY-MM-DD: ...``, the day after the last of them)."""

    serializer_class = WorkingHoursSerializer
    pagination_class = None

    def get_permissions(self):
        return [STAFF()] if self.action == "list" else [HasRole.of(Role.MANAGER)()]

    def get_queryset(self):
        shifts = WorkingHours.objects.order_by("therapist", "valid_from", "weekday", "starts")
        if getattr(self, "swagger_fake_view", False):
            return shifts
        shifts = shifts.filter(salon=location_for(self.request.user, self.request.query_params.get("location")))
        therapist = parse_id(self.request.query_params.get("therapist"), field="therapist")
        return shifts if therapist is None else shifts.filter(therapist_id=therapist)

    @extend_schema(request=RotaSerializer, parameters=[LOCATION], responses={201: WorkingHoursSerializer(many=True)})
    def create(self, request):
        body = RotaSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        salon = location_for(request.user, request.query_params.get("location"))
        if not therapists_at(salon).filter(pk=data["therapist"].pk).exists():
            raise InvalidInput(
                _("That therapist is not assigned to this location."),
                fields={"therapist": [_("Not at this location.")]},
            )
        made = rotas.rota_set(
            therapist=data["therapist"],
            salon=salon,
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
            week_a=data.get("week_a"),
            shifts=[(shift["weekday"], shift["starts"], shift["ends"], shift["week"]) for shift in data["shifts"]],
        )
        return Response(WorkingHoursSerializer(made, many=True).data, status=201)


ROUTINE_ID = "A unique integer value identifying this routine template."


class RoutinePlanPreviewView(APIView):
    """Build a plan for a screening outcome and booked minutes, without saving it."""

    permission_classes = [HasRole.of(Role.MANAGER, Role.THERAPIST)]

    @extend_schema(
        request=PlanPreviewRequestSerializer,
        responses={200: OpenApiTypes.OBJECT},
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description=ROUTINE_ID)],
    )
    def post(self, request, pk):
        routine = get_object_or_404(routine_versions(), pk=pk)
        preview = PlanPreviewRequestSerializer(data=request.data)
        preview.is_valid(raise_exception=True)
        plan = build_plan(
            routine=routine_spec(routine),
            outcome=ScreeningOutcome.from_dict(preview.validated_data.get("outcome", {})),
            booked_minutes=preview.validated_data["minutes"],
        )
        return Response(plan.to_dict())


class OpeningHoursView(APIView):
    """A location's weekly opening hours (``?location=``), in its wall-clock
    time: everyone reads them, managers replace the whole week at once. A
    week that would leave a session still to come outside the hours (on a
    day without closure or special hours) is refused (409
    ``bookings_in_the_way``) with the sessions named."""

    def get_permissions(self):
        return [STAFF()] if self.request.method == "GET" else [HasRole.of(Role.MANAGER)()]

    def _location(self):
        return location_for(self.request.user, self.request.query_params.get("location"))

    @extend_schema(parameters=[LOCATION], responses=OpeningHoursSerializer(many=True))
    def get(self, request):
        rows = OpeningHours.objects.filter(salon=self._location()).order_by("weekday", "opens")
        return Response(OpeningHoursSerializer(rows, many=True).data)

    @extend_schema(request=WeeklyHoursSerializer, parameters=[LOCATION], responses=OpeningHoursSerializer(many=True))
    def put(self, request):
        body = WeeklyHoursSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rows = closures.opening_hours_set(
            salon=self._location(),
            hours=[(span["weekday"], span["opens"], span["closes"]) for span in body.validated_data["hours"]],
        )
        return Response(OpeningHoursSerializer(rows, many=True).data)
