from django.utils import timezone
from rest_framework import serializers

from clients.models import Client
from clients.selectors import clients_visible_to
from routines.models import BodyArea, Position, Pressure, Qualification, RoutineTemplate
from routines.serializers import PainPointSerializer
from salon.inputs import DateField, DateTimeField, ModelSerializer, WallClockTimeField
from salon.models import Room, SpecialDay, Therapist, TimeOff, WorkingHours
from sessions.models import Appointment, AppointmentChange, Notification, PressureFeedback, SessionNote


class AvailabilityQuerySerializer(serializers.Serializer):
    routine = serializers.PrimaryKeyRelatedField(queryset=RoutineTemplate.objects.all())
    start = DateField(help_text="First day, in the salon's calendar.")
    end = DateField(help_text="Last day (included).")
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all(), required=False)
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the clients the caller (context "user") may see: someone
        # else's client reads as no client at all, so a therapist learns
        # neither their availability nor that the id exists.
        user = self.context.get("user")
        self.fields["client"].queryset = (
            clients_visible_to(user, Client.objects.all()) if user else Client.objects.none()
        )

    def validate(self, data):
        from sessions.selectors import MAX_DAYS

        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["The last day comes before the first."]})
        if (data["end"] - data["start"]).days >= MAX_DAYS:
            raise serializers.ValidationError({"end": [f"Ask for at most {MAX_DAYS} days at a time."]})
        return data


class SlotSerializer(serializers.Serializer):
    start = DateTimeField()
    end = DateTimeField()
    therapist = serializers.IntegerField()
    room = serializers.IntegerField()


class AvailabilitySerializer(serializers.Serializer):
    slots = SlotSerializer(many=True)
    reason = serializers.CharField(allow_blank=True, help_text="Why there are no slots for this client, if so.")


class AppointmentChangeSerializer(ModelSerializer):
    by = serializers.CharField(
        source="by.username", default=None, read_only=True, allow_null=True, help_text="Null for the system's changes."
    )

    class Meta:
        model = AppointmentChange
        fields = ["kind", "from_start", "to_start", "from_status", "to_status", "reason", "by", "at"]


class AppointmentSerializer(ModelSerializer):
    client_name = serializers.CharField(source="client.full_name", read_only=True)
    therapist_name = serializers.CharField(source="therapist.display_name", read_only=True)
    room_name = serializers.CharField(source="room.name", read_only=True)
    location = serializers.IntegerField(source="room.salon_id", read_only=True, help_text="Where: the location's id.")
    routine_name = serializers.CharField(source="routine.name", read_only=True)
    history = AppointmentChangeSerializer(source="changes", many=True, read_only=True)

    class Meta:
        model = Appointment
        fields = [
            "id",
            "client",
            "client_name",
            "therapist",
            "therapist_name",
            "room",
            "room_name",
            "location",
            "routine",
            "routine_name",
            "start",
            "end",
            "busy_until",
            "status",
            "cancellation_reason",
            "booked_by",
            "history",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        """Times with the offset of the appointment's location, whoever asks."""
        with timezone.override(instance.room.salon.zone):
            return super().to_representation(instance)


class BookingSerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    routine = serializers.PrimaryKeyRelatedField(queryset=RoutineTemplate.objects.filter(is_current=True))
    start = DateTimeField()
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all(), required=False)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False)


class RescheduleSerializer(serializers.Serializer):
    start = DateTimeField()
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all(), required=False)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NotesSerializer(ModelSerializer):
    class Meta:
        model = SessionNote
        fields = ["client_reported", "therapist_found", "work_done", "advice"]
        extra_kwargs = {name: {"required": False, "allow_blank": True, "default": ""} for name in fields}


class PressureFeedbackSerializer(ModelSerializer):
    class Meta:
        model = PressureFeedback
        fields = ["step", "area", "verdict", "at"]
        read_only_fields = ["at"]
        extra_kwargs = {"area": {"required": False, "default": ""}, "step": {"required": False}}


class NotificationSerializer(ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "channel", "status", "appointment", "due_at", "sent_at", "attempts", "last_error"]
        read_only_fields = fields


# Previewing a plan: a routine, an outcome of the shape of clients/outcome.py,
# and booked minutes.
LIMIT_PRESSURES = [Pressure.LIGHT, Pressure.MEDIUM, Pressure.FIRM]


class SupportSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=80)
    area = serializers.ChoiceField(choices=BodyArea.choices)
    position = serializers.ChoiceField(
        choices=["", *Position.values],
        required=False,
        default="",
        help_text="The only position it is for; empty for any.",
    )


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField(max_length=60)
    severity = serializers.ChoiceField(choices=["blocked", "review", "info"])
    message = serializers.CharField(max_length=300)


class ScreeningOutcomeSerializer(serializers.Serializer):
    """The shape of a screening outcome (see clients/outcome.py)."""

    findings = FindingSerializer(many=True, required=False, default=list)
    blocked_areas = serializers.ListField(child=serializers.ChoiceField(choices=BodyArea.choices), required=False)
    avoid_areas = serializers.ListField(child=serializers.ChoiceField(choices=BodyArea.choices), required=False)
    pressure_caps = serializers.DictField(child=serializers.ChoiceField(choices=LIMIT_PRESSURES), required=False)
    max_pressure = serializers.ChoiceField(choices=LIMIT_PRESSURES, required=False, allow_null=True)
    position = serializers.ChoiceField(choices=Position.choices, required=False, allow_null=True)
    qualification = serializers.ChoiceField(choices=Qualification.choices, required=False, allow_null=True)
    supports = SupportSerializer(many=True, required=False, default=list)
    oil = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    pain_points = PainPointSerializer(many=True, required=False, default=list)
    precautions = serializers.ListField(child=serializers.CharField(max_length=300), required=False)

    def validate_pressure_caps(self, caps):
        unknown = sorted(set(caps) - set(BodyArea.values))
        if unknown:
            raise serializers.ValidationError(f"Unknown body area: {', '.join(unknown)}.")
        return caps


class PlanPreviewRequestSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=480, help_text="Minutes booked for the session.")
    outcome = ScreeningOutcomeSerializer(required=False)


class SpecialDaySerializer(ModelSerializer):
    closed = serializers.BooleanField(read_only=True, help_text="True: the location is closed that day.")
    opens = WallClockTimeField(read_only=True, allow_null=True)
    closes = WallClockTimeField(read_only=True, allow_null=True)

    class Meta:
        model = SpecialDay
        fields = ["day", "closed", "opens", "closes", "reason"]
        read_only_fields = fields


class SpecialDaysQuerySerializer(serializers.Serializer):
    start = DateField(required=False, help_text="First day (default: today at the location).")
    end = DateField(required=False, help_text="Last day, included (default: a year after the first).")


class ClosureSerializer(serializers.Serializer):
    first_day = DateField()
    last_day = DateField(help_text="Included; a closure lasts a year at most.")
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class OpeningSpanSerializer(serializers.Serializer):
    opens = WallClockTimeField()
    closes = WallClockTimeField()

    def validate(self, data):
        if data["closes"] <= data["opens"]:
            raise serializers.ValidationError({"closes": ["Closing comes after opening."]})
        return data


class SpecialHoursSerializer(serializers.Serializer):
    day = DateField()
    hours = OpeningSpanSerializer(many=True, allow_empty=False, max_length=6)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TimeOffSerializer(ModelSerializer):
    start = DateTimeField()
    end = DateTimeField()
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all(), required=False, allow_null=True)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False, allow_null=True)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = TimeOff
        fields = ["id", "therapist", "room", "start", "end", "reason"]
        read_only_fields = ["id"]


class ShiftSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday, 6 Sunday.")
    starts = WallClockTimeField()
    ends = WallClockTimeField()


class RotaSerializer(serializers.Serializer):
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all())
    valid_from = DateField()
    valid_to = DateField(required=False, allow_null=True, help_text="Last day; after it the rota before resumes.")
    shifts = ShiftSerializer(many=True, max_length=42, help_text="The week's shifts; none: not working here then.")


class WorkingHoursSerializer(ModelSerializer):
    starts = WallClockTimeField(read_only=True)
    ends = WallClockTimeField(read_only=True)

    class Meta:
        model = WorkingHours
        fields = ["id", "therapist", "weekday", "starts", "ends", "valid_from", "valid_to"]
        read_only_fields = fields
