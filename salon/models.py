"""The salon's standing structure: the business, its locations, who works
where, in which rooms.

A ``Salon`` row is one location (branch) of the business; the model predates
branches, so code says ``salon`` where the pages and the API say "location".
Clients, routines and the rules about health data belong to the ``Business``
and are shared by all its locations. One installation serves one business.
"""

import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


@cache
def _iana_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _iana_zones():
        raise ValidationError(
            _("%(value)s is not an IANA time zone; use a name such as Europe/Berlin."),
            code="invalid_time_zone",
            params={"value": value},
        )


class Business(models.Model):
    """The salon business: what its locations share."""

    name = models.CharField(max_length=120)
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text=_(
            "The head office's IANA zone. Dates that belong to the client rather than to one location "
            "(when a screening runs out, the day a fever was reported) are counted in it."
        ),
    )
    screening_valid_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("How long a health screening stays valid before the client must fill a new one."),
    )
    clearance_valid_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("How long a therapist's clearance of a blocking finding lasts before the block returns."),
    )
    health_data_retention_months = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Screenings of clients without a visit for this long are purged."),
    )
    travel_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MaxValueValidator(240)],
        help_text=_("Time a therapist needs between sessions at two different locations."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Salon(models.Model):
    """One location of the business, with its own address, time zone, hours,
    rooms and booking rules."""

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=120)
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Europe/Berlin. Working hours are wall-clock times in this zone."),
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    phone_region = models.CharField(
        max_length=2,
        default="DE",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter country code such as DE."))],
        help_text=_("Country assumed for phone numbers written without +country code."),
    )
    currency = models.CharField(
        max_length=3,
        default="EUR",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter ISO 4217 code such as EUR."))],
    )
    slot_minutes = models.PositiveSmallIntegerField(
        default=15,
        choices=[
            (minutes, format_lazy(_("{minutes} minutes"), minutes=minutes)) for minutes in (5, 10, 15, 20, 30, 60)
        ],
        help_text=_(
            "Bookings start on this grid, and a booking's length is rounded up to it. "
            "It divides the hour, so the grid survives daylight-saving changes."
        ),
    )
    min_notice_minutes = models.PositiveIntegerField(
        default=60, help_text=_("How soon before its start a session can still be booked.")
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("How far ahead clients can book."),
    )
    reminder_lead_hours = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Hours before a session that reminders go out; empty means 24 and 2."),
    )
    feedback_delay_minutes = models.PositiveIntegerField(
        default=120, help_text=_("How long after a completed session the feedback request goes out.")
    )
    client_cancel_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MaxValueValidator(14 * 24)],
        help_text=_(
            "Clients may cancel from the link in their messages until this many hours before; later they call."
        ),
    )
    check_in_opens_minutes = models.PositiveSmallIntegerField(
        default=60,
        validators=[MaxValueValidator(12 * 60)],
        help_text=_("How long before its start a client can be checked in (until its end)."),
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("The language of this location's pages and messages when a client has none of their own."),
    )
    # Online booking (/book/): what clients may book themselves, and how.
    online_booking = models.BooleanField(default=True, help_text=_("Clients may book online (/book/)."))
    online_new_clients = models.BooleanField(default=True, help_text=_("Clients new to the salon may book online."))
    online_notice_minutes = models.PositiveIntegerField(
        default=120,
        validators=[MaxValueValidator(14 * 24 * 60)],
        help_text=_("How soon before its start a session can be booked online."),
    )
    online_horizon_days = models.PositiveSmallIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
        help_text=_("How far ahead clients can book online."),
    )
    online_open_bookings = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("At most this many future bookings made online per client."),
    )
    online_hold_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text=_("How long a time is held for a client who has not yet confirmed by the emailed link."),
    )
    online_screening_blocked = models.BooleanField(
        default=True,
        help_text=_("A client whose screening blocks or needs review may still book online (the desk is told)."),
    )
    online_embed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Websites (https://example.com) that may show the booking page in a frame."),
    )
    waitlist_offer_minutes = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text=_("How long an offer of a freed time to the waitlist stays open."),
    )
    quiet_hours_start = models.TimeField(default=datetime.time(21), help_text=_("No SMS from this local time ..."))
    quiet_hours_end = models.TimeField(default=datetime.time(8), help_text=_("... until this local time."))
    screening_required = models.BooleanField(
        default=False,
        help_text=_("Refuse a first booking until the client has a valid screening (else an intake request goes out)."),
    )
    default_turnover_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MaxValueValidator(120)],
        help_text=_("Time after a session for fresh towels, oil and the table, unless the routine says otherwise."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("location")
        constraints = [
            models.UniqueConstraint(fields=["business", "name"], name="location_name_unique_per_business"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class User(AbstractUser):
    """A member of staff. Roles are the groups Receptionist, Therapist and
    Manager (see ``salon.roles``); clients have no account. Staff act on the
    locations they are granted (``salon.locations``); a therapist works at
    those locations, when their rota says."""

    locations = models.ManyToManyField(
        Salon, blank=True, related_name="staff", help_text=_("Locations this person works at or for.")
    )
    all_locations = models.BooleanField(
        default=False, help_text=_("Granted every location of the business, including ones added later.")
    )
    location_chosen = models.ForeignKey(
        Salon,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The location last chosen in the switcher."),
    )
    invited_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the last invitation to set a password was sent.")
    )
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the pages. Empty: the browser's, else the location's."),
    )


class Therapist(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="therapists")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist")
    display_name = models.CharField(max_length=80)
    qualified_therapeutic = models.BooleanField(
        default=False, help_text=_("May give therapeutic massage (injury recovery, spasm).")
    )
    qualified_pregnancy = models.BooleanField(default=False, help_text=_("May give the pregnancy massage."))
    active = models.BooleanField(default=True)
    rooms = models.ManyToManyField(
        "Room",
        blank=True,
        related_name="therapists_allowed",
        help_text=_("Rooms this therapist can work in. At a location where none of them is, any room there will do."),
    )
    calendar_feed_version = models.PositiveIntegerField(
        default=0, help_text=_("Part of the signed calendar feed address; raising it retires the old address.")
    )

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(fields=["business", "display_name"], name="therapist_name_unique_per_business"),
        ]

    def __str__(self) -> str:
        return self.display_name


class Room(models.Model):
    salon = models.ForeignKey(Salon, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=80)
    equipment = models.TextField(blank=True, help_text=_("What the room has, e.g. massage table, heated towels."))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "name"], name="room_name_unique_per_salon"),
        ]

    def __str__(self) -> str:
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """When the salon is open, in its local wall-clock time. Several rows on a
    day make a lunch break."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class SpecialDay(models.Model):
    """A date on which a location keeps other hours than its week. A row
    without hours closes the location that day (a public holiday; a closed
    week is a row a day); rows with hours are the only opening hours of that
    day (several make a break). Wall-clock times in the location's zone."""

    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="special_days", verbose_name=_("location"))
    day = models.DateField()
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True, help_text=_("E.g. Christmas Day, staff training."))

    class Meta:
        ordering = ["day", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__isnull=True, closes__isnull=True)
                | models.Q(opens__isnull=False, closes__isnull=False, closes__gt=models.F("opens")),
                name="special_day_closed_or_open_in_order",
                violation_error_message=_("Give both an opening and a closing time (closing later), or neither."),
            ),
        ]
        indexes = [models.Index(fields=["salon", "day"], name="special_day_by_location")]

    def __str__(self) -> str:
        if self.opens is None:
            return f"{self.salon}: closed on {self.day:%Y-%m-%d}"
        return f"{self.salon}: {self.day:%Y-%m-%d} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def closed(self) -> bool:
        return self.opens is None


# Alternating rotas count weeks from this Monday: a week is even or odd
# for every rota alike, so splitting a rota's rows in time keeps its weeks.
WEEK_ZERO = datetime.date(1970, 1, 5)


def week_parity(day: datetime.date) -> int:
    """0 or 1: whether ``day`` falls in an even or an odd week since ``WEEK_ZERO``."""
    return ((day - WEEK_ZERO).days // 7) % 2


class WorkingHours(models.Model):
    """A therapist's shift on a weekday at a location, in that location's
    wall-clock time. Several rows on a day make a split shift;
    valid_from/valid_to plan a new rota ahead; ``week_parity`` makes a shift
    every other week (an alternating rota's week A or week B)."""

    therapist = models.ForeignKey(Therapist, on_delete=models.CASCADE, related_name="working_hours")
    salon = models.ForeignKey(Salon, on_delete=models.CASCADE, related_name="working_hours", verbose_name=_("location"))
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True, help_text=_("Last day this shift applies."))
    week_parity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=[(0, _("Even weeks")), (1, _("Odd weeks"))],
        help_text=_("Empty: every week. Else only in weeks of this parity (see salon.models.week_parity)."),
    )

    class Meta:
        ordering = ["therapist", "weekday", "starts"]
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(condition=models.Q(ends__gt=models.F("starts")), name="working_hours_order"),
            models.CheckConstraint(
                condition=models.Q(valid_from__isnull=True)
                | models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="working_hours_validity_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapist} {self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def applies_on(self, day: datetime.date) -> bool:
        """Whether this shift is worked on ``day`` (its weekday, validity and week)."""
        return (
            self.weekday == day.weekday()
            and (self.valid_from is None or self.valid_from <= day)
            and (self.valid_to is None or day <= self.valid_to)
            and (self.week_parity is None or self.week_parity == week_parity(day))
        )

    def clean(self) -> None:
        """A shift is at a location the therapist is assigned to."""
        if not (self.therapist_id and self.salon_id):
            return
        user = self.therapist.user
        assigned = user.all_locations or user.locations.filter(pk=self.salon_id).exists()
        if self.salon.business_id != self.therapist.business_id or not assigned:
            raise ValidationError(
                {"salon": f"{self.therapist} is not assigned to {self.salon}; grant that location first."}
            )


class TimeOff(models.Model):
    """A therapist away, or a room out of use, from start to end (UTC
    instants). Only approved time off takes time away: a therapist's request
    waits for a manager, who approves or declines it; what managers enter
    themselves is approved at once."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    therapist = models.ForeignKey(Therapist, null=True, blank=True, on_delete=models.CASCADE, related_name="time_off")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_off_requested"
    )
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(
        max_length=300, blank=True, help_text=_("What the manager told the therapist with the decision.")
    )

    class Meta:
        ordering = ["start"]
        verbose_name_plural = _("time off")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="time_off_order"),
            models.CheckConstraint(
                condition=models.Q(therapist__isnull=False, room__isnull=True)
                | models.Q(therapist__isnull=True, room__isnull=False),
                name="time_off_for_therapist_or_room",
                violation_error_message=_("Time off is for a therapist or for a room."),
            ),
        ]
        indexes = [models.Index(fields=["start", "end"], name="time_off_span")]

    def __str__(self) -> str:
        return f"{self.therapist or self.room}: {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}"
