from rest_framework import serializers

from salon.inputs import ModelSerializer
from salon.models import Salon


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="The current code of the authenticator app (or a recovery code), for accounts that have one.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The secret: send it as `Authorization: Token <token>`. Shown only now.")
    token_key = serializers.CharField(help_text="The token's first characters, by which it is listed and revoked.")
    expiry = serializers.DateTimeField(help_text="When it ends unless used before; each use moves this on.")


class TokenInfoSerializer(serializers.Serializer):
    token_key = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    current = serializers.BooleanField(help_text="True for the token this request was made with.")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")
    roles = serializers.ListField(child=serializers.CharField())
    therapist = serializers.IntegerField(allow_null=True, help_text="Id of the therapist record, if any.")
    calendar_feed_url = serializers.URLField(
        allow_null=True, help_text="The therapist's private calendar feed (iCalendar); keep it secret."
    )
    locations = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the locations the user may act on (?location=)."
    )
    location = serializers.IntegerField(
        allow_null=True, help_text="The location used when a call gives no ?location= (the switcher's choice)."
    )


class SalonSerializer(ModelSerializer):
    class Meta:
        model = Salon
        fields = [
            "id",
            "name",
            "time_zone",
            "address",
            "phone",
            "email",
            "currency",
            "slot_minutes",
            "default_turnover_minutes",
        ]
