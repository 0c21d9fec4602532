from django.utils import timezone
from rest_framework import serializers

from clients.models import CLIENT_FIELDS, PAIN_POINTS_MAX, Client, HealthDataAccess, HealthScreening
from clients.selectors import front_desk_notes_warning
from routines.models import BodyArea
from routines.serializers import PainPointSerializer
from salon.inputs import DateTimeField, ModelSerializer


class ClientSerializer(ModelSerializer):
    front_desk_notes_warning = serializers.SerializerMethodField(
        help_text="Said when the front-desk notes look like they hold health information (they are not refused)."
    )

    class Meta:
        model = Client
        fields = ["id", *CLIENT_FIELDS, "front_desk_notes_warning", "archived", "created_at"]
        read_only_fields = ["archived", "created_at"]
        extra_kwargs = {"phone": {"max_length": 40, "help_text": "Any format; stored as E.164."}}

    def get_front_desk_notes_warning(self, client) -> str:
        return front_desk_notes_warning(client)

    def validate(self, data):
        email = data.get("email", getattr(self.instance, "email", ""))
        phone = data.get("phone", getattr(self.instance, "phone", ""))
        if not email and not phone:
            raise serializers.ValidationError({"email": ["Give an email address or a phone number."]})
        return data


class ClientCreatedSerializer(ClientSerializer):
    possible_duplicates = serializers.SerializerMethodField(
        help_text="Ids of other clients with the same email or phone."
    )

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "possible_duplicates"]

    def get_possible_duplicates(self, client) -> list[int]:
        return self.context.get("duplicates", [])


class ScreeningSerializer(ModelSerializer):
    skin_injury_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=BodyArea.choices),
        required=False,
        default=list,
        max_length=len(BodyArea.values),
    )
    prone_discomfort = serializers.ListField(
        child=serializers.ChoiceField(choices=BodyArea.choices),
        required=False,
        default=list,
        max_length=len(BodyArea.values),
    )
    recent_injury_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=BodyArea.choices),
        required=False,
        default=list,
        max_length=len(BodyArea.values),
    )
    pain_map = serializers.ListField(
        child=PainPointSerializer(), required=False, default=list, max_length=PAIN_POINTS_MAX
    )
    consent_treatment = serializers.BooleanField()
    consent_health_data = serializers.BooleanField()
    entered_by = serializers.CharField(
        source="entered_by.username",
        read_only=True,
        default=None,
        allow_null=True,
        help_text="Null for the client's own.",
    )

    class Meta:
        model = HealthScreening
        fields = [
            "id",
            *HealthScreening.ANSWER_FIELDS,
            "consent_at",
            "entered_via",
            "entered_by",
            "entered_by_role",
            "created_at",
            "confirmed_at",
        ]
        read_only_fields = ["consent_at", "entered_via", "entered_by_role", "created_at", "confirmed_at"]

    def validate(self, data):
        errors = {}
        for name in ("consent_treatment", "consent_health_data"):
            if not data.get(name):
                errors[name] = ["Consent is needed to store a screening."]
        if not data.get("skin_injuries") and data.get("skin_injury_areas"):
            errors["skin_injury_areas"] = ["Tick 'wounds or skin injuries' or leave the places empty."]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class FlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=["blocked_until_cleared", "needs_therapist_review"])
    label = serializers.CharField()


class ScreeningReceiptSerializer(serializers.Serializer):
    """What someone who may not read answers gets back after entering them:
    no answers, only the flags the front desk sees."""

    id = serializers.IntegerField()
    created_at = DateTimeField()
    flags = FlagSerializer(many=True, help_text="What the front desk may know of the outcome.")


class ClearanceRequestSerializer(serializers.Serializer):
    rule = serializers.CharField(max_length=40, help_text="The blocking rule, e.g. acute_spinal_inflammation.")
    note = serializers.CharField(max_length=1000)


class AreasMarkSerializer(serializers.Serializer):
    areas = serializers.ListField(child=serializers.ChoiceField(choices=BodyArea.choices), min_length=1)
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True)


class IntakeLinkSerializer(serializers.Serializer):
    url = serializers.URLField()
    expires_at = DateTimeField()


def client_export_data(client: Client) -> dict:
    """Everything held about the client, as JSON-ready data: details,
    screenings with their clearances, links, and who touched the health data."""
    screenings = client.screenings.select_related("entered_by").prefetch_related("clearances")
    return {
        "exported_at": timezone.now().isoformat(),
        "client": ClientSerializer(client).data,
        "screenings": [
            {
                **ScreeningSerializer(screening).data,
                "clearances": [
                    {
                        "rule": clearance.rule,
                        "cleared_at": clearance.cleared_at.isoformat(),
                        "note": clearance.note,
                        "areas": clearance.areas,
                        "expires_at": clearance.expires_at and clearance.expires_at.isoformat(),
                    }
                    for clearance in screening.clearances.all()
                ],
            }
            for screening in screenings
        ],
        "links": [
            {
                "purpose": link.purpose,
                "created_at": link.created_at.isoformat(),
                "used_at": link.used_at and link.used_at.isoformat(),
            }
            for link in client.links.all()
        ],
        "health_data_access": [
            {"at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action}
            for entry in HealthDataAccess.objects.filter(client=client)
        ],
    }
