"""The salon's standing structure: who works there, in which rooms, where."""

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _iana_zones():
        raise ValidationError(
            "%(value)s is not an IANA time zone; use a name such as Europe/Berlin.",
            code="invalid_time_zone",
            params={"value": value},
        )


class User(AbstractUser):
    """A member of staff. Roles are the groups Receptionist, Therapist and
    Manager (see ``salon.roles``); clients have no account."""


class Salon(models.Model):
    name = models.CharField(max_length=120)
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA name, e.g. Europe/Berlin. Working hours are wall-clock times in this zone.",
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    phone_region = models.CharField(
        max_length=2,
        default="DE",
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use a two-letter country code such as DE.")],
        help_text="Country assumed for phone numbers written without +country code.",
    )
    screening_valid_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How long a health screening stays valid before the client must fill a new one.",
    )
    health_data_retention_months = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text="Screenings of clients without a visit for this long are purged.",
    )
    currency = models.CharField(
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Use a three-letter ISO 4217 code such as EUR.")],
    )
    slot_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(60)],
        help_text="Bookings start on this grid, and a booking's length is rounded up to it.",
    )
    default_turnover_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MaxValueValidator(120)],
        help_text="Time after a session for fresh towels, oil and the table, unless the routine says otherwise.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Therapist(models.Model):
    salon = models.ForeignKey(Salon, on_delete=models.PROTECT, related_name="therapists")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist")
    display_name = models.CharField(max_length=80)
    qualified_therapeutic = models.BooleanField(
        default=False, help_text="May give therapeutic massage (injury recovery, spasm)."
    )
    qualified_pregnancy = models.BooleanField(default=False, help_text="May give the pregnancy massage.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "display_name"], name="therapist_name_unique_per_salon"),
        ]

    def __str__(self) -> str:
        return self.display_name


class Room(models.Model):
    salon = models.ForeignKey(Salon, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    equipment = models.TextField(blank=True, help_text="What the room has, e.g. massage table, heated towels.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "name"], name="room_name_unique_per_salon"),
        ]

    def __str__(self) -> str:
        return self.name
