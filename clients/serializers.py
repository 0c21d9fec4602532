from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from clients.models import CLIENT_FIELDS, PAIN_POINTS_MAX, Client, HealthDataAccess, HealthScreening
from clients.selectors import duplicate_reasons, front_desk_notes_warning, pain_histories
from routines.models import BodyArea
from routines.serializers import PainPointSerializer
from salon.inputs import MAX_ID, DateTimeField, ModelSerializer


class ClientSerializer(ModelSerializer):
    front_desk_notes_warning = serializers.SerializerMethodField(
        help_text="Said when the front-desk notes look like they hold health information (they are not refused)."
    )

    class Meta:
        model = Client
        fields = ["id", *CLIENT_FIELDS, "front_desk_notes_warning", "archived", "merged_into", "created_at"]
        read_only_fields = ["archived", "merged_into", "created_at"]
        extra_kwargs = {"phone": {"max_length": 40, "help_text": "Any format; stored as E.164."}}

    def get_front_desk_notes_warning(self, client) -> str:
        return front_desk_notes_warning(client)

    def validate(self, data):
        email = data.get("email", getattr(self.instance, "email", ""))
        phone = data.get("phone", getattr(self.instance, "phone", ""))
        if not email and not phone:
            raise serializers.ValidationError({"email": [_("Give an email address or a phone number.")]})
        return data


class ClientCreatedSerializer(ClientSerializer):
    possible_duplicates = serializers.SerializerMethodField(
        help_text="Ids of other clients with the same email or phone, or the same name and date of birth."
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
                errors[name] = [_("Consent is needed to store a screening.")]
        if not data.get("skin_injuries") and data.get("skin_injury_areas"):
            errors["skin_injury_areas"] = [_("Tick 'wounds or skin injuries' or leave the places empty.")]
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


class IntakeLinkSendSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Client.Channel.choices, help_text="How the link goes to the client.")


class IntakeLinkSentSerializer(serializers.Serializer):
    """The message that carries the link, queued in the outbox."""

    id = serializers.IntegerField(help_text="The notification (see /api/v1/notifications/).")
    channel = serializers.ChoiceField(choices=Client.Channel.choices)
    due_at = DateTimeField(help_text="When it goes out: now, or after the quiet hours for an SMS.")
    appointment = serializers.IntegerField(source="appointment_id", help_text="The session the message names.")


class ClientDuplicateSerializer(ClientSerializer):
    reasons = serializers.SerializerMethodField(help_text="Why the record may be the same person.")

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "reasons"]

    def get_reasons(self, other) -> list[str]:
        return duplicate_reasons(self.context["client"], other)


class ClientMergeRequestSerializer(serializers.Serializer):
    merge = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The duplicate to merge into this client (it is archived)."
    )


class ClientMergeSerializer(serializers.Serializer):
    kept = serializers.IntegerField(source="kept_id")
    merged = serializers.IntegerField(source="merged_id")
    by = serializers.CharField(source="by.username", default=None, allow_null=True)
    at = DateTimeField()
    moved = serializers.DictField(child=serializers.IntegerField(), help_text="Rows moved, by relation.")
    filled = serializers.ListField(child=serializers.CharField(), help_text="Fields filled from the merged record.")


def client_export_data(client: Client) -> dict:
    """Everything held about the client, as JSON-ready data: details,
    screenings with their clearances, the pain reported before and after
    each session, links, who touched the health data, the consent history
    and the records merged into this one."""
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
        "pain": [
            {
                "session_start": visit.start.isoformat(),
                "routine": visit.routine,
                "pain_before": visit.pain_before,
                "pain_after": visit.pain_after,
                "areas": visit.areas,
            }
            for visit in pain_histories([client])[client.pk]
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
        "consent_history": [
            {"consent": change.consent, "given": change.given, "at": change.at.isoformat(), "via": change.via}
            for change in client.consent_changes.all()
        ],
        # Duplicates merged into this record keep their own details.
        "merged_records": [ClientSerializer(merged).data for merged in client.merged_from.all()],
    }
