"""The public API's input and output (``/api/v1/public/``). Input is bounded
as everywhere else on the API; output carries nothing about any client:
no names, addresses, rooms or health data."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from clients.search import normalise_phone
from routines.selectors import routine_active_with_steps
from salon.compiled import CompiledQuery
from salon.inputs import DateField, DateTimeField, validate_visible
from salon.models import Salon
from sessions.availability import therapists_at

MAX_DAYS = 14


class PublicLocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    time_zone = serializers.CharField(help_text="IANA name; the times of availability are in it.")
    currency = serializers.CharField(help_text="ISO 4217; prices are in its minor units.")
    online_booking = serializers.BooleanField(help_text="Whether clients may book this location online.")


class PublicLengthSerializer(serializers.Serializer):
    minutes = serializers.IntegerField()
    price_minor = serializers.IntegerField(help_text="In minor units of the location's currency (cents).")


class PublicServiceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(help_text="For clients, as the salon wrote it.")
    currency = serializers.CharField()
    lengths = PublicLengthSerializer(many=True)


# Every question to the public API names its location: compiled once, only the id changes.
_LOCATION = CompiledQuery(lambda pk: Salon.objects.select_related("business").filter(pk=pk), pk=-1)


def location_named(pk: int) -> Salon:
    found = _LOCATION.objects(pk=pk)
    if not found:
        raise serializers.ValidationError(_("There is no such location."))
    return found[0]


class PublicLocationQuerySerializer(serializers.Serializer):
    location = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The location (id).")

    def validate_location(self, value: int) -> Salon:
        return location_named(value)


class ServiceChoiceMixin:
    """``service`` (a slug) as the current version of the routine, and
    ``therapist`` (an id) as one who works at the location."""

    def _routine(self, slug: str):
        routine = routine_active_with_steps(slug=slug)
        if routine is None:
            raise serializers.ValidationError({"service": [_("There is no such service.")]})
        return routine

    def _therapist(self, location: Salon, therapist_id: int | None):
        if therapist_id is None:
            return None
        therapist = therapists_at(location).filter(pk=therapist_id).first()
        if therapist is None:
            raise serializers.ValidationError({"therapist": [_("No such therapist at this location.")]})
        return therapist


class PublicAvailabilityQuerySerializer(ServiceChoiceMixin, serializers.Serializer):
    """Checks the shape of the question only, so that an answer given a
    moment ago can be found without a query (``online.api``); ``resolve``
    then reads the location, service and therapist named."""

    location = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The location (id).")
    service = serializers.SlugField(max_length=100, help_text="The service's slug (/api/v1/public/services/).")
    minutes = serializers.IntegerField(
        required=False, min_value=1, max_value=1440, help_text="One of the service's lengths; else its default one."
    )
    therapist = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Only this therapist's times; else anyone's."
    )
    days = serializers.IntegerField(
        required=False, default=7, min_value=1, max_value=MAX_DAYS, help_text=f"How many days, at most {MAX_DAYS}."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so it cannot be declared above.
        self.fields["from"] = DateField(required=False, help_text="The first day (the location's); else today.")

    def resolve(self) -> tuple[Salon, object, object]:
        """The location, the routine and the therapist (or None) named; a
        400 naming the field when one is unknown."""
        data = self.validated_data
        try:
            location = location_named(data["location"])
        except serializers.ValidationError as unknown:
            raise serializers.ValidationError({"location": unknown.detail}) from None
        return location, self._routine(data["service"]), self._therapist(location, data.get("therapist"))


class PublicTherapistNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PublicStartSerializer(serializers.Serializer):
    start = DateTimeField(help_text="In the location's zone, with its offset.")
    therapists = serializers.ListField(
        child=serializers.IntegerField(), help_text="Who is free then (ids of `therapists`)."
    )


class PublicDaySerializer(serializers.Serializer):
    date = DateField()
    starts = PublicStartSerializer(many=True, help_text="Empty: nothing free that day.")


class PublicAvailabilitySerializer(serializers.Serializer):
    location = serializers.IntegerField()
    service = serializers.CharField()
    minutes = serializers.IntegerField(help_text="The length the times are for.")
    time_zone = serializers.CharField()
    therapists = PublicTherapistNameSerializer(many=True, help_text="Everyone free at one of the times, by name.")
    days = PublicDaySerializer(many=True, help_text="Every day asked for, earliest first.")


class HoldRequestSerializer(ServiceChoiceMixin, PublicLocationQuerySerializer):
    """What a client gives to hold a time. The link to confirm it goes to
    ``email``, or by SMS to ``phone`` when no email is given (one of the two
    is needed); nothing is booked until it is opened."""

    service = serializers.SlugField(max_length=100)
    minutes = serializers.IntegerField(required=False, min_value=1, max_value=1440)
    start = DateTimeField(help_text="One of the starts from /api/v1/public/availability/.")
    therapist = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1, help_text="Else anyone free."
    )
    given_name = serializers.CharField(max_length=80, validators=[validate_visible])
    family_name = serializers.CharField(max_length=80, validators=[validate_visible])
    email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        default="",
        help_text="The link to confirm the booking is sent here. Give this or `phone`.",
    )
    phone = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="Without `email`, the link to confirm the booking is sent here by SMS. "
        "With the country code, or else read as the location's country's.",
    )
    consent_reminders = serializers.BooleanField(default=False, help_text="Send reminders before the session.")
    consent_feedback = serializers.BooleanField(default=False, help_text="Ask for feedback after it.")
    privacy_notice_accepted = serializers.BooleanField(help_text="The client read the privacy notice (must be true).")
    message = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    website = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Leave empty (a field for robots)."
    )

    def validate_website(self, value: str) -> str:
        # People never see the field (the salon's form hides it); robots fill every field.
        if value:
            raise serializers.ValidationError(_("Leave this field empty."))
        return value

    def validate_privacy_notice_accepted(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(_("Please read and accept the privacy notice."))
        return value

    def validate(self, data):
        location = data["location"]
        data["routine"] = self._routine(data["service"])
        data["therapist"] = self._therapist(location, data.get("therapist"))
        try:
            data["phone"] = normalise_phone(data["phone"], region=location.phone_region)
        except ValidationError as error:
            raise serializers.ValidationError({"phone": error.messages}) from None
        if not data["email"] and not data["phone"]:
            needed = [_("Give an email address or a phone number: the link to confirm the booking goes there.")]
            raise serializers.ValidationError({"email": needed, "phone": needed})
        return data


class HoldSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="`held`: waiting for the client to open the link sent to them (by email, else by SMS)."
    )
    expires_at = DateTimeField(help_text="Unconfirmed by then, the time is offered again.")
    start = DateTimeField()
    detail = serializers.CharField()


class ConfirmRequestSerializer(serializers.Serializer):
    token = serializers.CharField(
        max_length=500, help_text="From the link sent (by email or SMS) when the time was held."
    )


class SummaryServiceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class BookingSummarySerializer(serializers.Serializer):
    status = serializers.CharField(help_text="`booked`.")
    start = DateTimeField()
    end = DateTimeField()
    service = SummaryServiceSerializer()
    therapist = serializers.CharField(help_text="The therapist's name.")
    location = PublicLocationSerializer()
    price_minor = serializers.IntegerField(allow_null=True)
    currency = serializers.CharField(allow_blank=True)
