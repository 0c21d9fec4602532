from rest_framework import serializers

from clients.models import Client
from routines.models import RoutineTemplate
from salon.models import Room, Therapist
from sessions.models import Appointment, AppointmentChange, Notification, PressureFeedback, SessionNote


class AvailabilityQuerySerializer(serializers.Serializer):
    routine = serializers.PrimaryKeyRelatedField(queryset=RoutineTemplate.objects.all())
    start = serializers.DateField(help_text="First day, in the salon's calendar.")
    end = serializers.DateField(help_text="Last day (included).")
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all(), required=False)
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all(), required=False)

    def validate(self, data):
        from sessions.selectors import MAX_DAYS

        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": ["The last day comes before the first."]})
        if (data["end"] - data["start"]).days >= MAX_DAYS:
            raise serializers.ValidationError({"end": [f"Ask for at most {MAX_DAYS} days at a time."]})
        return data


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    therapist = serializers.IntegerField()
    room = serializers.IntegerField()


class AvailabilitySerializer(serializers.Serializer):
    slots = SlotSerializer(many=True)
    reason = serializers.CharField(allow_blank=True, help_text="Why there are no slots for this client, if so.")


class AppointmentChangeSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None, read_only=True)

    class Meta:
        model = AppointmentChange
        fields = ["kind", "from_start", "to_start", "from_status", "to_status", "reason", "by", "at"]


class AppointmentSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.full_name", read_only=True)
    therapist_name = serializers.CharField(source="therapist.display_name", read_only=True)
    room_name = serializers.CharField(source="room.name", read_only=True)
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


class BookingSerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    routine = serializers.PrimaryKeyRelatedField(queryset=RoutineTemplate.objects.filter(is_current=True))
    start = serializers.DateTimeField()
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all(), required=False)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False)


class RescheduleSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all(), required=False)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NotesSerializer(serializers.ModelSerializer):
    class Meta:
        model = SessionNote
        fields = ["client_reported", "therapist_found", "work_done", "advice"]
        extra_kwargs = {name: {"required": False, "allow_blank": True, "default": ""} for name in fields}


class PressureFeedbackSerializer(serializers.ModelSerializer):
    class Meta:
        model = PressureFeedback
        fields = ["step", "area", "verdict", "at"]
        read_only_fields = ["at"]
        extra_kwargs = {"area": {"required": False, "default": ""}, "step": {"required": False}}


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "channel", "status", "appointment", "due_at", "sent_at", "attempts", "last_error"]
        read_only_fields = fields
