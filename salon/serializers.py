from rest_framework import serializers

from salon.inputs import ModelSerializer
from salon.models import Salon


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(source="key")


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")
    roles = serializers.ListField(child=serializers.CharField())
    therapist = serializers.IntegerField(allow_null=True, help_text="Id of the therapist record, if any.")
    calendar_feed_url = serializers.URLField(
        allow_null=True, help_text="The therapist's private calendar feed (iCalendar); keep it secret."
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
