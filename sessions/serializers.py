from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clients.models import Client
from clients.selectors import clients_visible_to
from routines.models import BodyArea, Position, Pressure, Qualification, RoutineTemplate
from routines.selectors import routine_current_with_steps
from routines.serializers import PainPointSerializer
from salon.inputs import MAX_ID, DateField, DateTimeField, ModelSerializer, WallClockTimeField
from salon.models import OpeningHours, Room, SpecialDay, Therapist, TimeOff, WorkingHours
from sessions.models import Appointment, AppointmentChange, Notification, PressureFeedback, SessionNote
from sessions.rota_weeks import week_letter


class AvailabilityQuerySerializer(serializers.Serializer):
    routine = serializers.PrimaryKeyRelatedField(queryset=RoutineTemplate.objects.all())
    start = DateField(help_text="First day, in the salon's calendar.")
    end = DateField(help_text="Last day (included).")
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all(), required=False)
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all(), required=False)
    minutes = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=1440,
        help_text="One of the routine's lengths on the location's menu (/api/v1/services/); else its default length.",
    )

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
            raise serializers.ValidationError({"end": [_("The last day comes before the first.")]})
        if (data["end"] - data["start"]).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"end": [_("Ask for at most %(days)s days at a time.") % {"days": MAX_DAYS}]}
            )
        return data


class SlotSerializer(serializers.Serializer):
    start = DateTimeField()
    end = DateTimeField()
    therapist = serializers.IntegerField()
    room = serializers.IntegerField()


class AvailabilitySerializer(serializers.Serializer):
    slots = SlotSerializer(many=True)
    reason = serializers.CharField(allow_blank=True, help_text="Why there are no slots for this client, if so.")


class FieldsBuiltOnce:
    """A serializer whose fields are built once per process and shared by
    its instances, instead of on every instance: for one appointment that
    took more CPU than rendering it. Only for a serializer whose fields no
    one changes per request and none reads the context, the parent or the
    instance they are bound to (a prototype without either)."""

    @property
    def fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            prototype = cls()
            built = cls._fields_built_once = super(FieldsBuiltOnce, prototype).fields
        return built


class AppointmentChangeSerializer(ModelSerializer):
    by = serializers.CharField(
        source="by.username", default=None, read_only=True, allow_null=True, help_text="Null for the system's changes."
    )

    class Meta:
        model = AppointmentChange
        fields = ["kind", "from_start", "to_start", "from_status", "to_status", "reason", "by", "at"]


class AppointmentSerializer(FieldsBuiltOnce, ModelSerializer):
    client_name = serializers.CharField(source="client.full_name", read_only=True)
    therapist_name = serializers.CharField(source="therapist.display_name", read_only=True)
    room_name = serializers.CharField(source="room.name", read_only=True)
    location = serializers.IntegerField(source="room.salon_id", read_only=True, help_text="Where: the location's id.")
    routine_name = serializers.CharField(source="routine.name", read_only=True)
    history = AppointmentChangeSerializer(source="changes", many=True, read_only=True)
    price_minor = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The price when booked, in minor units of `currency` (cents); null when the location set none.",
    )
    screening_review = serializers.BooleanField(
        source="screening_review_needed",
        read_only=True,
        help_text="A therapist must review the client's screening before this session (e.g. booked online though "
        "the screening rules the routine out). Never why: that is in the therapist's plan.",
    )

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
            "price_minor",
            "currency",
            "status",
            "cancellation_reason",
            "cancelled_late",
            "booked_by",
            "origin",
            "screening_review",
            "history",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        """Times with the offset of the appointment's location, whoever asks."""
        with timezone.override(instance.room.salon.zone):
            return super().to_representation(instance)


class CurrentRoutineField(serializers.PrimaryKeyRelatedField):
    """A routine's current version by id, read with its steps in one query:
    the booking builds its terms and its plan from them."""

    def __init__(self, **kwargs):
        super().__init__(queryset=RoutineTemplate.objects.filter(is_current=True), **kwargs)

    def to_internal_value(self, data):
        try:
            if isinstance(data, bool):
                raise TypeError
            routine = routine_current_with_steps(pk=data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if routine is None:
            self.fail("does_not_exist", pk_value=data)
        return routine


class LockedRowField(serializers.PrimaryKeyRelatedField):
    """A row by id, not read here: the booking reads it once, as it locks it,
    and refuses an id that names no row then (a 400 on the same field)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not (data.isascii() and data.isdigit()):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < int(data) <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        # The id alone, its other fields deferred, as only("pk") would give it: no queryset cloned
        # to find it, and none of the defaults that a new instance works out (a third of the cost).
        model = self.queryset.model
        return model.from_db(None, [model._meta.pk.attname], [int(data)])


class BookingSerializer(FieldsBuiltOnce, serializers.Serializer):
    client = LockedRowField(queryset=Client.objects.all())
    routine = CurrentRoutineField()
    start = DateTimeField()
    therapist = LockedRowField(queryset=Therapist.objects.all(), required=False)
    room = LockedRowField(queryset=Room.objects.all(), required=False)
    minutes = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=1440,
        help_text="One of the routine's lengths on the location's menu; else its default length. "
        "The booking keeps that length's price.",
    )


class RescheduleSerializer(FieldsBuiltOnce, serializers.Serializer):
    """As :class:`BookingSerializer`: the therapist and the room are read once, as the move locks them."""

    start = DateTimeField()
    therapist = LockedRowField(queryset=Therapist.objects.all(), required=False)
    room = LockedRowField(queryset=Room.objects.all(), required=False)


class ReasonSerializer(FieldsBuiltOnce, serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class UndoSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300, help_text="Why the check-in or no-show is taken back; kept in the appointment's history."
    )


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
            raise serializers.ValidationError(_("Unknown body area: %(areas)s.") % {"areas": ", ".join(unknown)})
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
            raise serializers.ValidationError({"closes": [_("Closing comes after opening.")]})
        return data


class SpecialHoursSerializer(serializers.Serializer):
    day = DateField()
    hours = OpeningSpanSerializer(many=True, allow_empty=False, max_length=6)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TimeOffSerializer(ModelSerializer):
    start = DateTimeField()
    end = DateTimeField()
    therapist = serializers.PrimaryKeyRelatedField(
        queryset=Therapist.objects.all(),
        required=False,
        allow_null=True,
        help_text="Whose time off. A therapist asking for their own leaves it out.",
    )
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.all(), required=False, allow_null=True, help_text="A room out of service (managers)."
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=TimeOff.Status.choices,
        read_only=True,
        help_text="requested: waits for a manager and takes no time yet; approved: takes the time; declined.",
    )
    decided_at = DateTimeField(read_only=True, allow_null=True)
    decision_note = serializers.CharField(read_only=True, help_text="What the manager told the therapist.")

    class Meta:
        model = TimeOff
        fields = [
            "id",
            "therapist",
            "room",
            "start",
            "end",
            "reason",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = ["id", "requested_by", "decided_by"]


class TimeOffQuerySerializer(serializers.Serializer):
    start = DateField(required=False, help_text="First day (default: today at the location).")
    end = DateField(required=False, help_text="Last day, included (default: a year after the first).")
    status = serializers.ChoiceField(choices=TimeOff.Status.choices, required=False, help_text="Only these.")


class TimeOffDecisionSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="Told to the therapist by email."
    )


class ShiftSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday, 6 Sunday.")
    starts = WallClockTimeField()
    ends = WallClockTimeField()
    week = serializers.ChoiceField(
        choices=["A", "B"],
        required=False,
        allow_null=True,
        default=None,
        help_text="Alternating weeks: only in week A (the week, Monday to Sunday, containing `week_a`, by default "
        "`valid_from`) or only in week B (the weeks between). Null or absent: every week.",
    )


class RotaSerializer(serializers.Serializer):
    therapist = serializers.PrimaryKeyRelatedField(queryset=Therapist.objects.all())
    valid_from = DateField()
    valid_to = DateField(required=False, allow_null=True, help_text="Last day; after it the rota before resumes.")
    week_a = DateField(
        required=False,
        allow_null=True,
        help_text="A day in week A of an alternating rota (default: `valid_from`). Send the first `valid_from` "
        "here when starting a refused rota later, so that its weeks A and B stay as planned.",
    )
    shifts = ShiftSerializer(
        many=True, max_length=84, help_text="The week's shifts (weeks A and B); none: not working here then."
    )


class WorkingHoursSerializer(ModelSerializer):
    starts = WallClockTimeField(read_only=True)
    ends = WallClockTimeField(read_only=True)
    week = serializers.SerializerMethodField(
        help_text="Null: every week. Else A or B, relative to this row's `valid_from` (week A is the week "
        "containing it), so the rows of one `valid_from` sent back as a rota from that day give the same shifts. "
        "A rota cut in two by a temporary one restarts its letters where it resumes; `week_parity` does not change."
    )

    class Meta:
        model = WorkingHours
        fields = ["id", "therapist", "weekday", "starts", "ends", "valid_from", "valid_to", "week", "week_parity"]
        read_only_fields = fields
        extra_kwargs = {
            "week_parity": {
                "help_text": "Null: every week. Else 0 or 1: worked only in weeks of that parity, counted in whole "
                "weeks since Monday 1970-01-05 (even weeks 0, odd weeks 1). Stable for every rota and row."
            }
        }

    @extend_schema_field({"type": "string", "enum": ["A", "B"], "nullable": True})
    def get_week(self, row) -> str | None:
        return week_letter(row.week_parity, week_a=row.valid_from)


class OpeningHoursSerializer(ModelSerializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday, 6 Sunday.")
    opens = WallClockTimeField()
    closes = WallClockTimeField()

    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]

    def validate(self, data):
        if data["closes"] <= data["opens"]:
            raise serializers.ValidationError({"closes": [_("Closing comes after opening.")]})
        return data


class WeeklyHoursSerializer(serializers.Serializer):
    hours = OpeningHoursSerializer(
        many=True,
        max_length=42,
        help_text="The whole week: several spans on a day make a break; a weekday without any is closed.",
    )
