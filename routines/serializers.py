from rest_framework import serializers

from routines.models import (
    BodyArea,
    Direction,
    Position,
    Pressure,
    Qualification,
    RoutineStep,
    RoutineTemplate,
    Side,
    Technique,
)
from routines.selectors import routine_spec
from salon.inputs import ModelSerializer


class TechniqueSerializer(ModelSerializer):
    class Meta:
        model = Technique
        fields = ["id", "name", "description", "hand_part", "default_pressure"]


class DoseSerializer(serializers.Serializer):
    """How much of a step: minutes (a range) or a count of units."""

    kind = serializers.ChoiceField(choices=RoutineStep.DoseKind.choices, source="dose_kind")
    min_minutes = serializers.IntegerField(min_value=1, max_value=240, required=False, allow_null=True)
    max_minutes = serializers.IntegerField(min_value=1, max_value=240, required=False, allow_null=True)
    count = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True)
    seconds_per_unit = serializers.IntegerField(min_value=1, max_value=3600, required=False, allow_null=True)
    per_side = serializers.BooleanField(required=False, default=False)
    alternating_minutes = serializers.IntegerField(min_value=0, max_value=60, required=False, default=0)


class RoutineStepSerializer(ModelSerializer):
    technique = serializers.PrimaryKeyRelatedField(queryset=Technique.objects.all())
    technique_name = serializers.CharField(source="technique.name", read_only=True)
    areas = serializers.ListField(child=serializers.ChoiceField(choices=BodyArea.choices), allow_empty=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False, allow_blank=True)
    side = serializers.ChoiceField(choices=Side.choices, required=False)
    pressure = serializers.ChoiceField(choices=Pressure.choices)
    dose = DoseSerializer(source="*")
    repeat_of = serializers.IntegerField(
        source="repeat_of.order",
        required=False,
        allow_null=True,
        min_value=1,
        help_text="Order of the earlier step this finishing step repeats.",
    )

    class Meta:
        model = RoutineStep
        fields = [
            "order",
            "technique",
            "technique_name",
            "areas",
            "direction",
            "side",
            "pressure",
            "dose",
            "uses_pain_map",
            "repeat_of",
            "notes",
            "core",
            "area_pressure",
            "translations",
        ]
        extra_kwargs = {"order": {"min_value": 1, "max_value": 100}}

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["repeat_of"] = (values.pop("repeat_of", None) or {}).get("order")
        return values


class SuppliesSerializer(serializers.Serializer):
    surface = serializers.CharField(max_length=120, required=False)
    oil = serializers.CharField(max_length=120, required=False, allow_blank=True)
    towels = serializers.IntegerField(min_value=0, max_value=20, required=False)
    supports = serializers.ListField(child=serializers.CharField(max_length=120), required=False)


class DurationsSerializer(serializers.Serializer):
    minimum_minutes = serializers.IntegerField()
    typical_minutes = serializers.IntegerField()
    slot_minutes = serializers.IntegerField(help_text="Typical + turnover, rounded up to the salon's slot grid.")


class RoutineSerializer(ModelSerializer):
    position = serializers.ChoiceField(choices=Position.choices, required=False)
    qualification = serializers.ChoiceField(choices=Qualification.choices, required=False)
    supplies = SuppliesSerializer(source="*", required=False)
    precautions = serializers.ListField(child=serializers.CharField(max_length=300), required=False)
    durations = serializers.SerializerMethodField()
    steps = RoutineStepSerializer(many=True)

    class Meta:
        model = RoutineTemplate
        fields = [
            "id",
            "slug",
            "name",
            "version",
            "is_current",
            "status",
            "purpose",
            "position",
            "qualification",
            "turnover_minutes",
            "supplies",
            "precautions",
            "aftercare",
            "translations",
            "areas",
            "durations",
            "steps",
        ]
        read_only_fields = ["version", "is_current", "areas"]
        extra_kwargs = {"turnover_minutes": {"min_value": 0, "max_value": 120}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # the slug names the routine across versions
            fields["slug"].read_only = True
        return fields

    def get_durations(self, routine) -> DurationsSerializer:
        spec = routine_spec(routine)
        grid = self.context.get("slot_grid_minutes", 15)
        return {
            "minimum_minutes": spec.minimum_minutes,
            "typical_minutes": spec.typical_minutes,
            "slot_minutes": spec.slot_minutes(grid),
        }


class PainPointSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=BodyArea.choices)
    side = serializers.ChoiceField(choices=Side.choices)
    intensity = serializers.IntegerField(min_value=0, max_value=10)
    note = serializers.CharField(max_length=200, required=False, default="")


class ServiceLengthSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=480)
    price_minor = serializers.IntegerField(
        min_value=0, max_value=10_000_000, help_text="The price in minor units of the location's currency (cents)."
    )


class ServiceSerializer(serializers.Serializer):
    """A routine on a location's service menu."""

    slug = serializers.SlugField(read_only=True, help_text="The routine's slug (every version of it).")
    routine = serializers.IntegerField(read_only=True, help_text="The routine's current version (id).")
    name = serializers.CharField(read_only=True)
    typical_minutes = serializers.IntegerField(read_only=True)
    minimum_minutes = serializers.IntegerField(read_only=True, help_text="No length may be shorter.")
    offered = serializers.BooleanField(default=True, help_text="Offered at this location.")
    description = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    turnover_minutes = serializers.IntegerField(
        min_value=0, max_value=120, required=False, allow_null=True, default=None,
        help_text="Minutes after the session for the room; null for the routine's own.",
    )  # fmt: skip
    online = serializers.BooleanField(default=False, help_text="Clients may book it online.")
    translations = serializers.JSONField(
        required=False,
        default=None,
        help_text='The description in other languages, e.g. {"de": {"description": "..."}}; '
        "left out, the translations still true of the description are kept.",
    )
    currency = serializers.CharField(read_only=True)
    lengths = ServiceLengthSerializer(many=True, required=False, default=list)
