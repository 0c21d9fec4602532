from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from salon import staff_selectors
from salon.inputs import DateTimeField, ModelSerializer, WallClockTimeField
from salon.models import Business, Room, Salon
from salon.roles import Role
from salon.services import (
    BUSINESS_SETTINGS,
    EMBED_ORIGINS_AT_MOST,
    FEEDBACK_DELAY_MINUTES_MAX,
    LOCATION_SETTINGS,
    MIN_NOTICE_MINUTES_MAX,
    REMINDER_LEAD_HOURS_MAX,
    REMINDERS_AT_MOST,
)


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


class RoomSerializer(ModelSerializer):
    location = serializers.IntegerField(source="salon_id", read_only=True)
    name = serializers.CharField(max_length=80)
    equipment = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="What the room has, e.g. massage table."
    )
    active = serializers.BooleanField(
        required=False,
        help_text="In use: offered for bookings. Setting false is refused (409 bookings_in_the_way) "
        "while sessions are booked in the room.",
    )

    class Meta:
        model = Room
        fields = ["id", "location", "name", "equipment", "active"]
        read_only_fields = ["id", "location"]


class RoomCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    equipment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class StrictFieldsMixin:
    """Refuse names that are no field of the serializer (400 naming them)
    rather than ignoring them, so a mistyped setting is never taken for done.
    Read-only fields may be sent back as they were read."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [_("No such field; the fields are %(fields)s.") % {"fields": ", ".join(self.fields)}]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class LocationSettingsSerializer(StrictFieldsMixin, ModelSerializer):
    """A location's settings. Wall-clock times (quiet hours) are local times
    in the location's ``time_zone``, as HH:MM."""

    quiet_hours_start = WallClockTimeField(
        help_text="No text message to clients from this local time on (HH:MM, the location's zone)."
    )
    quiet_hours_end = WallClockTimeField(
        help_text="... until this local time; the same as the start: no quiet hours. A message due in them waits."
    )
    reminder_lead_hours = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=REMINDER_LEAD_HOURS_MAX),
        max_length=REMINDERS_AT_MOST,
        help_text="Hours before a session that reminders go out, e.g. [24, 2]; empty means 24 and 2.",
    )
    min_notice_minutes = serializers.IntegerField(
        min_value=0,
        max_value=MIN_NOTICE_MINUTES_MAX,
        help_text="How soon before its start a session can still be booked (shorter than the horizon).",
    )
    feedback_delay_minutes = serializers.IntegerField(
        min_value=0,
        max_value=FEEDBACK_DELAY_MINUTES_MAX,
        help_text="How long after a completed session the feedback request goes out.",
    )
    online_embed_origins = serializers.ListField(
        child=serializers.CharField(max_length=200),
        max_length=EMBED_ORIGINS_AT_MOST,
        help_text="Sites that may show the booking pages (/book/) in a frame: https origins such as "
        "https://www.example.com (scheme, host, port; nothing after it).",
    )

    class Meta:
        model = Salon
        fields = ["id", *LOCATION_SETTINGS]
        read_only_fields = ["id"]
        extra_kwargs = {
            "time_zone": {
                "help_text": "IANA name, e.g. Europe/Berlin. Refused (409 time_zone_in_use) while sessions are "
                "booked ahead: opening hours and rotas are wall-clock times in it."
            },
            "address": {"max_length": 1000},
        }


class BusinessSettingsSerializer(StrictFieldsMixin, ModelSerializer):
    """What every location of the business shares."""

    class Meta:
        model = Business
        fields = ["id", *BUSINESS_SETTINGS, "time_zone"]
        read_only_fields = ["id", "time_zone"]


# Staff (the manager's staff API, /api/v1/staff/)

NAME_LENGTH = 150


class StaffSerializer(serializers.Serializer):
    """A member of staff as a manager looks after them."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True, help_text="The login name.")
    first_name = serializers.CharField(read_only=True, help_text="Given name.")
    last_name = serializers.CharField(read_only=True, help_text="Family name.")
    email = serializers.CharField(read_only=True, help_text="Empty for an account made without one.")
    roles = serializers.SerializerMethodField()
    locations = serializers.SerializerMethodField(help_text="Ids of the locations granted (empty with all_locations).")
    all_locations = serializers.BooleanField(read_only=True, help_text="Granted every location, also ones added later.")
    state = serializers.SerializerMethodField(
        help_text="invited: has not set a password yet; active; inactive: deactivated."
    )
    invited_at = DateTimeField(read_only=True, allow_null=True, help_text="When the last invitation was sent.")
    therapist = serializers.SerializerMethodField(help_text="Id of the therapist record; null for other staff.")
    display_name = serializers.SerializerMethodField(help_text="The name clients see; null for other staff.")
    qualified_therapeutic = serializers.SerializerMethodField()
    qualified_pregnancy = serializers.SerializerMethodField()
    rooms = serializers.SerializerMethodField(
        help_text="Ids of the rooms the therapist can work in; at a location where none is listed, any room there."
    )

    @staticmethod
    def _therapist(user):
        return staff_selectors.staff_therapist(user)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Role.choices)))
    def get_roles(self, user) -> list[str]:
        return [role.value for role in staff_selectors.staff_roles(user)]

    def get_locations(self, user) -> list[int]:
        return [] if user.all_locations else [location.pk for location in user.locations.all()]

    @extend_schema_field(serializers.ChoiceField(choices=["invited", "active", "inactive"]))
    def get_state(self, user) -> str:
        return staff_selectors.staff_state(user)

    def get_therapist(self, user) -> int | None:
        therapist = self._therapist(user)
        return therapist.pk if therapist else None

    def get_display_name(self, user) -> str | None:
        therapist = self._therapist(user)
        return therapist.display_name if therapist else None

    def get_qualified_therapeutic(self, user) -> bool:
        therapist = self._therapist(user)
        return bool(therapist and therapist.qualified_therapeutic)

    def get_qualified_pregnancy(self, user) -> bool:
        therapist = self._therapist(user)
        return bool(therapist and therapist.qualified_pregnancy)

    def get_rooms(self, user) -> list[int]:
        therapist = self._therapist(user)
        return [room.pk for room in therapist.rooms.all()] if therapist else []


class StaffChangeSerializer(serializers.Serializer):
    """What a manager changes (PATCH: only the fields sent)."""

    first_name = serializers.CharField(max_length=NAME_LENGTH, help_text="Given name.")
    last_name = serializers.CharField(max_length=NAME_LENGTH, allow_blank=True, default="", help_text="Family name.")
    email = serializers.EmailField(max_length=254, help_text="Where the invitation goes.")
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), min_length=1, max_length=len(Role.values)
    )
    locations = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Salon.objects.all()),
        max_length=200,
        default=list,
        help_text="Ids of the locations to grant; only the caller's own. Required unless all_locations.",
    )
    all_locations = serializers.BooleanField(
        default=False, help_text="Grant every location; only a manager granted every location may."
    )
    display_name = serializers.CharField(
        max_length=80,
        allow_blank=True,
        default="",
        help_text="For therapists: the name clients and the desk see (default: the full name).",
    )
    qualified_therapeutic = serializers.BooleanField(default=False, help_text="May give therapeutic massage.")
    qualified_pregnancy = serializers.BooleanField(default=False, help_text="May give the pregnancy massage.")
    rooms = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Room.objects.all()),
        max_length=200,
        default=list,
        help_text="For therapists: ids of the rooms they can work in; at a location where none is listed, any room.",
    )


class StaffInviteSerializer(StaffChangeSerializer):
    """A new member of staff: no password; they get an invitation email."""

    username = serializers.CharField(max_length=NAME_LENGTH, help_text="The login name.")


class StaffDeactivateSerializer(serializers.Serializer):
    cancel_bookings = serializers.BooleanField(
        default=False,
        help_text="Cancel the therapist's sessions booked ahead (the clients are told); "
        "without it, sessions ahead refuse the deactivation (409 bookings_in_the_way).",
    )
    reason = serializers.CharField(
        max_length=300, allow_blank=True, default="", help_text="Why the sessions are cancelled; told to the clients."
    )
