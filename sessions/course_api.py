"""Courses of sessions in the API (``/api/v1/courses/``): which dates fit,
then booking the chosen ones together. The front desk's, like booking."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.models import Client
from routines.models import RoutineTemplate
from salon.inputs import DateTimeField
from salon.locations import location_for
from salon.models import Therapist
from sessions.api import FRONT_DESK, LOCATION
from sessions.courses import MAX_INTERVAL_DAYS, MAX_SESSIONS, course_plan
from sessions.services.courses import course_book


class CourseShapeSerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.select_related("business"))
    routine = serializers.PrimaryKeyRelatedField(queryset=RoutineTemplate.objects.filter(is_current=True))
    sessions = serializers.IntegerField(min_value=2, max_value=MAX_SESSIONS, help_text=_("How many sessions."))
    interval_days = serializers.IntegerField(min_value=1, max_value=MAX_INTERVAL_DAYS, help_text=_("Days apart."))
    minutes = serializers.IntegerField(
        required=False, min_value=1, max_value=1440, help_text=_("A length on the menu.")
    )


class CoursePlanQuerySerializer(CourseShapeSerializer):
    start = DateTimeField(help_text=_("The first session; the others at the same local time."))
    therapist = serializers.PrimaryKeyRelatedField(
        queryset=Therapist.objects.all(), required=False, help_text=_("Else whoever is free at most of the dates.")
    )


class ChoiceSerializer(serializers.Serializer):
    start = DateTimeField()
    therapist = serializers.IntegerField()


class CourseDateSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    wanted = DateTimeField(help_text=_("The first session's local time on this date."))
    fits = serializers.BooleanField(help_text=_("The course's therapist is free then."))
    alternatives = ChoiceSerializer(many=True, help_text=_("When it does not fit: another therapist, or other times."))


class CoursePlanSerializer(serializers.Serializer):
    therapist = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(help_text=_("Why nothing can be booked for this client, if so."))
    dates = CourseDateSerializer(many=True)


class ChosenDateSerializer(serializers.Serializer):
    start = DateTimeField()
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all(), required=False, allow_null=True)


class CourseBookSerializer(CourseShapeSerializer):
    dates = ChosenDateSerializer(many=True, min_length=1, max_length=MAX_SESSIONS)


class CourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    planned = serializers.IntegerField()
    interval_days = serializers.IntegerField()
    appointments = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("The sessions booked, by start.")
    )


class CoursePlanView(APIView):
    """The course's dates and whether each fits (nothing is booked)."""

    permission_classes = [FRONT_DESK]

    @extend_schema(parameters=[CoursePlanQuerySerializer, LOCATION], responses=CoursePlanSerializer)
    def get(self, request):
        query = CoursePlanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        salon = location_for(request.user, request.query_params.get("location"))
        plan = course_plan(
            salon=salon, client=data["client"], routine=data["routine"], first=data["start"],
            sessions=data["sessions"], interval_days=data["interval_days"], minutes=data.get("minutes"),
            therapist_id=data["therapist"].pk if data.get("therapist") else None,
        )  # fmt: skip
        return Response(CoursePlanSerializer(plan).data)


class CourseView(APIView):
    """Book the chosen dates of a course together: all or none (409 naming
    the date that is taken); one confirmation lists them all."""

    permission_classes = [FRONT_DESK]

    @extend_schema(parameters=[LOCATION], request=CourseBookSerializer, responses={201: CourseSerializer})
    def post(self, request):
        body = CourseBookSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        salon = location_for(request.user, request.query_params.get("location"))
        course = course_book(
            salon=salon, client=data["client"], routine=data["routine"], planned=data["sessions"],
            interval_days=data["interval_days"], minutes=data.get("minutes"), booked_by=request.user,
            dates=[(chosen["start"], chosen.get("therapist")) for chosen in data["dates"]],
        )  # fmt: skip
        booked = list(course.appointments.order_by("start").values_list("pk", flat=True))
        answer = {"id": course.pk, "planned": course.planned, "interval_days": course.interval_days,
                  "appointments": booked}  # fmt: skip
        return Response(CourseSerializer(answer).data, status=201)
