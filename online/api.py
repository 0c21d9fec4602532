"""The public API of online booking (``/api/v1/public/``), for the salon's
own website or app: locations, the online menu, free times, holding a time
and confirming it. No token: anyone may call it, within rate limits per
caller address and, for holds, per email address and phone number
(``online.throttles``). Thin: validate, call one selector or service, render.

A hold answers without its token: the token goes only to the email address
given (or by SMS to the phone number, when there is no email address), so
whoever holds a time cannot confirm it for someone else's address, and the
answers carry nothing about any client."""

import datetime
import json
from collections import defaultdict

from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.models import Client
from online.serializers import (
    BookingSummarySerializer,
    ConfirmRequestSerializer,
    HoldRequestSerializer,
    HoldSerializer,
    PublicAvailabilityQuerySerializer,
    PublicAvailabilitySerializer,
    PublicLocationQuerySerializer,
    PublicLocationSerializer,
    PublicServiceSerializer,
)
from online.throttles import ContactThrottle, OnlineConfirmThrottle, OnlineHoldThrottle, OnlineReadThrottle
from routines.selectors import routine_spec, routines_offered_with_steps, service_menu
from salon.compiled import CompiledQuery
from salon.errors import Conflict
from salon.models import Salon, Therapist
from sessions import selectors
from sessions.availability import from_minutes
from sessions.availability_cache import one_stamp_reading, remembered
from sessions.services.online import (
    booking_hold_confirm,
    booking_hold_create,
    hold_from_token,
    link_channel,
    online_service_check,
)

TAGS = ["public"]
JSON = JSONRenderer.media_type
QUESTION_FIELDS = frozenset(PublicAvailabilityQuerySerializer().fields)
MAX_ID_DIGITS = len(str(2**31 - 1))


class PublicErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class PublicView(APIView):
    """Anyone, with no login: a session or token sent along is not read."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [OnlineReadThrottle]


# The names of who is free: every therapist of the business, compiled once (only the business changes).
_THERAPIST_NAMES = CompiledQuery(
    lambda business: Therapist.objects.filter(business_id=business).values_list("pk", "display_name"), business=-1
)


def _location_fields(location: Salon) -> dict:
    return {name: getattr(location, name) for name in PublicLocationSerializer().fields}


def _open_online(location: Salon) -> None:
    if not location.online_booking:
        raise Conflict(
            _("%(location)s takes no bookings online; please call %(phone)s.")
            % {"location": location.name, "phone": location.phone},
            code="online_closed",
        )


class LocationsView(PublicView):
    """Every location, and whether it takes bookings online."""

    @extend_schema(tags=TAGS, auth=[], responses=PublicLocationSerializer(many=True))
    def get(self, request):
        locations = Salon.objects.order_by("name", "pk")
        return Response(
            PublicLocationSerializer([_location_fields(location) for location in locations], many=True).data
        )


class ServicesView(PublicView):
    """The location's menu for online booking: each service clients may book
    there themselves, with its description and its lengths and prices."""

    @extend_schema(
        tags=TAGS, auth=[], parameters=[PublicLocationQuerySerializer], responses=PublicServiceSerializer(many=True)
    )
    def get(self, request):
        query = PublicLocationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        location = query.validated_data["location"]
        _open_online(location)
        menu = service_menu(salon=location)
        services = []
        for routine in routines_offered_with_steps(offered_at=location):
            entry = menu.get(routine.slug)
            if entry is None or not entry.online:
                continue
            # A length shorter than the routine now takes is not sold (sessions.availability.booking_terms).
            shortest = routine_spec(routine).minimum_minutes
            lengths = [{"minutes": m, "price_minor": p} for m, p in entry.prices.items() if m >= shortest]
            services.append(
                {
                    "slug": routine.slug,
                    "name": routine.name,
                    "description": entry.description,
                    "currency": location.currency,
                    "lengths": lengths,
                }
            )
        return Response(PublicServiceSerializer(services, many=True).data)


def _asked_plainly(asked) -> bool:
    """Whether the query holds only the question's fields, each once, and a
    location that is a number: the words it may be remembered under, so
    that there are as many as there are questions, not as many as queries
    anyone can type."""
    location = asked.get("location", "")
    return (
        location.isascii()
        and location.isdigit()
        and len(location) <= MAX_ID_DIGITS
        and all(name in QUESTION_FIELDS and len(values) == 1 for name, values in asked.lists())
    )


class AvailabilityView(PublicView):
    """Free starts for a service at the location, day by day (``days`` from
    ``from``, at most 14), with the notice and horizon of online bookings;
    each start names who is free then. A day with nothing free is listed
    with no starts."""

    @extend_schema(
        tags=TAGS, auth=[], parameters=[PublicAvailabilityQuerySerializer], responses=PublicAvailabilitySerializer
    )
    @one_stamp_reading
    def get(self, request):
        now = timezone.now()
        asked = request.query_params
        if _asked_plainly(asked):
            # Asked in the same words a moment ago: answered without reading the question again.
            # Only answers are remembered, never refusals, so these words were a good question.
            content = remembered(
                salon=int(asked["location"]),
                question=("public-json-asked", request.META.get("QUERY_STRING", "")),
                now=now,
                compute=lambda: self._content(asked, now),
            )
        else:
            content = self._content(asked, now)
        if type(request.accepted_renderer) is JSONRenderer and request.accepted_media_type == JSON:
            return HttpResponse(content, content_type=JSON)
        # Another rendering asked for (the browsable API, JSON indented): rendered from the data.
        return Response(json.loads(content))

    def _content(self, asked, now: datetime.datetime) -> bytes:
        query = PublicAvailabilityQuerySerializer(data=asked)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        # Remembered as JSON until a change that could alter it commits (sessions.availability_cache):
        # a website asks the same weeks again and again, and serializing and rendering the answer
        # anew would cost more than the rest of the request. It holds no translated words.
        question = ("public-json", tuple(sorted((name, str(value)) for name, value in data.items())))
        return remembered(
            salon=data["location"],
            question=question,
            now=now,
            compute=lambda: JSONRenderer().render(self._free_times(query, now)),
        )

    @staticmethod
    def _free_times(query, now: datetime.datetime) -> dict:
        data = query.validated_data
        location, routine, therapist = query.resolve()
        terms = online_service_check(salon=location, routine=routine, minutes=data.get("minutes"))
        zone = location.zone
        first = data.get("from") or now.astimezone(zone).date()
        last = first + datetime.timedelta(days=data["days"] - 1)
        slots, _ = selectors.availability(
            salon=location,
            routine=routine,
            first_day=first,
            last_day=last,
            therapist_id=therapist.pk if therapist else None,
            minutes=data.get("minutes"),
            now=now,
            online=True,
        )
        by_minute: dict[int, set[int]] = defaultdict(set)
        for slot in slots:
            by_minute[slot.start].add(slot.therapist)
        free = {from_minutes(minute, zone): therapists for minute, therapists in by_minute.items()}
        free_with = set().union(*free.values())
        names = {pk: name for pk, name in _THERAPIST_NAMES.values(business=location.business_id) if pk in free_with}
        days = {first + datetime.timedelta(days=offset): [] for offset in range(data["days"])}
        for start in sorted(free):
            days.setdefault(start.date(), []).append({"start": start, "therapists": sorted(free[start])})
        body = {
            "location": location.pk,
            "service": routine.slug,
            "minutes": terms.session_minutes,
            "time_zone": location.time_zone,
            "therapists": [{"id": pk, "name": name} for pk, name in sorted(names.items(), key=lambda item: item[1])],
            "days": [{"date": day, "starts": starts} for day, starts in sorted(days.items())],
        }
        return PublicAvailabilitySerializer(body).data


class HoldView(PublicView):
    """Hold a free time for a client while they confirm it by the link
    sent to them, by email or else by SMS (for the location's
    ``online_hold_minutes``). The answer says until when; it holds no token
    and repeats nothing that was sent."""

    throttle_classes = [OnlineHoldThrottle, ContactThrottle]

    @extend_schema(tags=TAGS, auth=[], request=HoldRequestSerializer, responses={201: HoldSerializer})
    def post(self, request):
        body = HoldRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        location = data["location"]
        hold = booking_hold_create(
            salon=location,
            routine=data["routine"],
            start=data["start"],
            minutes=data.get("minutes"),
            therapist=data["therapist"],
            language=translation.get_language(),
            given_name=data["given_name"],
            family_name=data["family_name"],
            email=data["email"],
            phone=data["phone"],
            consent_reminders=data["consent_reminders"],
            consent_feedback=data["consent_feedback"],
            message=data["message"],
        )
        expires_at = hold.expires_at.astimezone(location.zone)
        if link_channel(hold) == Client.Channel.SMS:
            detail = _("We have sent a link by SMS to confirm the booking; the time is held until %(time)s.")
        else:
            detail = _("We have emailed a link to confirm the booking; the time is held until %(time)s.")
        answer = {
            "status": hold.status,
            "expires_at": expires_at,
            "start": hold.start.astimezone(location.zone),
            "detail": detail % {"time": f"{expires_at:%H:%M}"},
        }
        return Response(HoldSerializer(answer).data, status=status.HTTP_201_CREATED)


class ConfirmView(PublicView):
    """Confirm a held time with the token from the link sent: the booking
    is made for the client the address belongs to (a new one when none
    has it). A hold that ran out is 410 ``hold_expired``."""

    throttle_classes = [OnlineConfirmThrottle]

    @extend_schema(
        tags=TAGS,
        auth=[],
        request=ConfirmRequestSerializer,
        responses={
            201: BookingSummarySerializer,
            410: OpenApiResponse(PublicErrorSerializer, description="The hold ran out (`hold_expired`)."),
        },
    )
    def post(self, request):
        body = ConfirmRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = booking_hold_confirm(hold=hold_from_token(body.validated_data["token"]))
        location = appointment.room.salon
        zone = location.zone
        summary = {
            "status": "booked",
            "start": appointment.start.astimezone(zone),
            "end": appointment.end.astimezone(zone),
            "service": {"slug": appointment.routine.slug, "name": appointment.routine.name},
            "therapist": appointment.therapist.display_name,
            "location": _location_fields(location),
            "price_minor": appointment.price_minor,
            "currency": appointment.currency,
        }
        return Response(BookingSummarySerializer(summary).data, status=status.HTTP_201_CREATED)
