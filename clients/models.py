"""Clients, their health screenings, clearances, and the log of who read or
wrote health data."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from routines.models import BodyArea, Side
from salon.inputs import LimitedTextField, validate_not_in_future, validate_visible
from salon.models import Business

# The longest free text staff or clients write (notes, allergies, medications).
NOTE_LENGTH = 2000
# The most painful points a pain map holds (the chart shows a dozen places a side).
PAIN_POINTS_MAX = 24

PRONE_DISCOMFORT_PLACES = [BodyArea.LOWER_BACK, BodyArea.NECK, BodyArea.SHOULDERS, BodyArea.ANKLES]


# What staff may set on a client (forms, the API, the admin).
CLIENT_FIELDS = [
    "given_name",
    "family_name",
    "email",
    "phone",
    "date_of_birth",
    "preferred_channel",
    "language",
    "consent_reminders",
    "consent_feedback",
    "front_desk_notes",
]


class Client(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    # A client belongs to the business: every location knows them.
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="clients")
    given_name = models.CharField(max_length=80, validators=[validate_visible])
    family_name = models.CharField(max_length=80, validators=[validate_visible])
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text=_("E.164, e.g. +493012345678."))
    date_of_birth = models.DateField(null=True, blank=True, validators=[validate_not_in_future])
    preferred_channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    # Messages, forms and link pages for the client speak it (salon.languages).
    language = models.CharField(
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the location's language."),
    )
    consent_reminders = models.BooleanField(default=False, help_text=_("Agreed to appointment reminders."))
    consent_feedback = models.BooleanField(default=False, help_text=_("Agreed to feedback requests."))
    front_desk_notes = LimitedTextField(
        _("front-desk notes — no health information"),
        max_length=NOTE_LENGTH,
        blank=True,
        help_text=_(
            "For booking: preferences, how to reach them. Receptionists read these; health answers belong "
            "in the screening."
        ),
    )
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True, help_text=_("When personal and health data were erased."))
    # Lower-case, accent-free copies for prefix search (see clients/search.py).
    name_key = models.CharField(max_length=170, editable=False, default="")
    family_key = models.CharField(max_length=80, editable=False, default="")
    # A duplicate folded into another record (``client_merge``): the row
    # stays, archived, so that its address and what named it lead on.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="merged_from"
    )
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | Q(erased_at__isnull=False),
                name="client_has_email_or_phone",
                violation_error_message=_("Give an email address or a phone number."),
            ),
            models.CheckConstraint(condition=~Q(merged_into=models.F("pk")), name="client_not_merged_into_itself"),
        ]
        indexes = [
            models.Index(
                fields=["business", "name_key"], name="client_name_key", opclasses=["", "varchar_pattern_ops"]
            ),
            models.Index(
                fields=["business", "family_key"], name="client_family_key", opclasses=["", "varchar_pattern_ops"]
            ),
            models.Index(fields=["business", "email"], name="client_email", opclasses=["", "varchar_pattern_ops"]),
            models.Index(fields=["business", "phone"], name="client_phone", opclasses=["", "varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def validate_pain_map(value) -> None:
    """A list of points: {"area", "side", "intensity" 0-10, "note"}."""
    if not isinstance(value, list):
        raise ValidationError(_("The pain map is a list of points."), code="invalid")
    if len(value) > PAIN_POINTS_MAX:
        raise ValidationError(_("Mark at most %(most)s points.") % {"most": PAIN_POINTS_MAX}, code="too_many")
    for index, point in enumerate(value):
        if not isinstance(point, dict):
            raise ValidationError(_("Point %(number)s is not a point.") % {"number": index + 1}, code="invalid")
        if point.get("area") not in BodyArea.values:
            raise ValidationError(
                _("Point %(number)s: choose a body area.") % {"number": index + 1}, code="invalid_area"
            )
        if point.get("side") not in Side.values:
            raise ValidationError(
                _("Point %(number)s: choose left, right or both.") % {"number": index + 1}, code="invalid_side"
            )
        intensity = point.get("intensity")
        if not isinstance(intensity, int) or isinstance(intensity, bool) or not 0 <= intensity <= 10:
            raise ValidationError(
                _("Point %(number)s: intensity is a whole number from 0 to 10.") % {"number": index + 1}, code="invalid"
            )
        if len(str(point.get("note", ""))) > 200:
            raise ValidationError(
                _("Point %(number)s: keep the note under 200 characters.") % {"number": index + 1}, code="too_long"
            )


def validate_areas_list(value) -> None:
    if not isinstance(value, list) or any(area not in BodyArea.values for area in value):
        raise ValidationError(
            _("Use body areas from: %(areas)s.") % {"areas": ", ".join(BodyArea.values)}, code="invalid_area"
        )
    if len(value) > len(BodyArea.values):
        raise ValidationError(_("Name each body area once."), code="too_many")


class HealthScreening(models.Model):
    """A client's answers at one moment. Never edited: a new answer is a new
    screening, and the history stays."""

    # What the client answers (the intake form and the API take these).
    ANSWER_FIELDS = [
        "pregnant",
        "pregnancy_weeks",
        "pregnancy_high_risk",
        "fever_or_acute_illness",
        "blood_clots",
        "acute_spinal_inflammation",
        "skin_injuries",
        "skin_injury_areas",
        "skin_injury_note",
        "recent_injury",
        "recent_injury_what",
        "recent_injury_when",
        "recent_injury_areas",
        "osteoporosis",
        "blood_thinners",
        "conditions",
        "medications",
        "allergies",
        "oil_or_nut_allergy",
        "prone_discomfort",
        "pressure_preference",
        "pain_map",
        "consent_treatment",
        "consent_health_data",
        "consent_name",
    ]

    class EnteredVia(models.TextChoices):
        CLIENT_LINK = "client_link", _("The client, through a link")
        STAFF = "staff", _("A member of staff")

    class PressurePreference(models.TextChoices):
        NONE = "", _("No preference")
        LIGHT = "light", _("Light")
        MEDIUM = "medium", _("Medium")
        FIRM = "firm", _("Firm")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="screenings")
    pregnant = models.BooleanField(default=False)
    pregnancy_weeks = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(42)])
    pregnancy_high_risk = models.BooleanField(default=False, help_text=_("A doctor called the pregnancy high-risk."))
    fever_or_acute_illness = models.BooleanField(default=False, help_text=_("Fever, flu or another acute illness."))
    blood_clots = models.BooleanField(default=False, help_text=_("Suspected or known blood clot (thrombosis)."))
    acute_spinal_inflammation = models.BooleanField(default=False)
    skin_injuries = models.BooleanField(default=False, help_text=_("Wounds or skin injuries."))
    skin_injury_areas = models.JSONField(default=list, blank=True, validators=[validate_areas_list])
    skin_injury_note = models.CharField(max_length=300, blank=True)
    recent_injury = models.BooleanField(default=False, help_text=_("Recent injury or surgery."))
    recent_injury_what = models.CharField(max_length=300, blank=True)
    recent_injury_when = models.DateField(null=True, blank=True, validators=[validate_not_in_future])
    recent_injury_areas = models.JSONField(
        default=list, blank=True, validators=[validate_areas_list], help_text=_("Where the fracture or surgery was.")
    )
    osteoporosis = models.BooleanField(default=False)
    blood_thinners = models.BooleanField(default=False, help_text=_("Takes blood-thinning medication."))
    conditions = LimitedTextField(max_length=NOTE_LENGTH, blank=True, help_text=_("Other conditions."))
    medications = LimitedTextField(max_length=NOTE_LENGTH, blank=True)
    allergies = LimitedTextField(max_length=NOTE_LENGTH, blank=True)
    oil_or_nut_allergy = models.BooleanField(default=False)
    prone_discomfort = models.JSONField(
        default=list, blank=True, validators=[validate_areas_list], help_text=_("Where lying on the front hurts.")
    )
    pressure_preference = models.CharField(
        max_length=8, choices=PressurePreference.choices, default=PressurePreference.NONE, blank=True
    )
    pain_map = models.JSONField(default=list, blank=True, validators=[validate_pain_map])
    consent_treatment = models.BooleanField(default=False)
    consent_health_data = models.BooleanField(default=False)
    consent_name = models.CharField(
        max_length=160, validators=[validate_visible], help_text=_("The name typed as a signature.")
    )
    consent_at = models.DateTimeField()
    entered_via = models.CharField(max_length=12, choices=EnteredVia.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by_role = models.CharField(
        max_length=16,
        blank=True,
        help_text=_(
            "The role of the member of staff who typed the answers in, when they did "
            "(Receptionist, Therapist or Manager); empty for the client's own answers."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the client last confirmed that nothing has changed.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        get_latest_by = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_treatment=True, consent_health_data=True),
                name="screening_has_consent",
                violation_error_message=_("A screening needs consent to the treatment and to storing health data."),
            ),
        ]

    def __str__(self) -> str:
        return f"Screening {self.pk} of {self.client}"

    def clean(self):
        # A wound without a place cannot be kept away from: the therapist
        # would have to guess (infection risk, the guide).
        if self.skin_injuries and not self.skin_injury_areas:
            raise ValidationError(
                {"skin_injury_areas": [_("Say where the wound or skin injury is.")]}, code="wound_without_place"
            )


class ScreeningClearance(models.Model):
    """A therapist's considered decision on a screening, kept with it, with who
    and when: that a blocking finding no longer applies (the spinal
    inflammation has settled; until ``expires_at``), or, under the rule
    ``AREAS_MARKED``, which areas to keep away from after looking."""

    AREAS_MARKED = "areas_marked"

    screening = models.ForeignKey(HealthScreening, on_delete=models.CASCADE, related_name="clearances")
    rule = models.CharField(max_length=40)
    cleared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cleared_at = models.DateTimeField(auto_now_add=True)
    note = LimitedTextField(max_length=NOTE_LENGTH)
    areas = models.JSONField(default=list, blank=True, validators=[validate_areas_list])
    expires_at = models.DateTimeField(null=True, blank=True, help_text=_("After this the block applies again."))

    class Meta:
        ordering = ["cleared_at", "pk"]

    def __str__(self) -> str:
        return f"{self.rule} cleared on screening {self.screening_id}"

    def is_in_force(self, now) -> bool:
        return self.expires_at is None or self.expires_at > now


class HealthDataAccess(models.Model):
    """Who read or wrote a client's health data, and when. Holds no health data."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed screening answers")
        CREATE = "create", _("Entered a screening")
        CLEAR = "clear", _("Recorded a clearance")
        EXPORT = "export", _("Exported the client's data")
        ERASE = "erase", _("Erased the client's data")
        PURGE = "purge", _("Purged old screenings")
        MERGE = "merge", _("Merged another record's screenings into this one")

    client = models.ForeignKey(Client, null=True, on_delete=models.SET_NULL, related_name="+")
    client_label = models.CharField(max_length=40, help_text=_("Client id, kept when the client is erased."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.CharField(max_length=60, help_text=_("Username, 'client link' or 'system'."))
    action = models.CharField(max_length=8, choices=Action.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["client", "-at"], name="health_access_by_client"),
            # The managers' log, newest first, page by page (also of one kind of access).
            models.Index(fields=["-at", "-id"], name="health_access_newest"),
            models.Index(fields=["action", "-at", "-id"], name="health_access_by_action"),
        ]

    def __str__(self) -> str:
        return f"{self.actor} {self.action} client {self.client_label}"


class ClientLink(models.Model):
    """A link sent to a client: the intake form, the feedback form, or
    cancelling an appointment. The URL carries a signed token naming this
    row; the row makes the link expire and work once."""

    class Purpose(models.TextChoices):
        INTAKE = "intake", _("Health intake form")
        FEEDBACK = "feedback", _("Feedback form")
        CANCEL = "cancel", _("Cancelling an appointment")
        RESCHEDULE = "reschedule", _("Moving an appointment")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    nonce = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # What the link is about beyond the client: the appointment of a feedback,
    # cancel or reschedule link (sessions lies to the right of clients).
    reference = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} link for client {self.client_id}"


class ClientConsentChange(models.Model):
    """A consent to messages given or withdrawn: which, by whose hand, when
    and how it reached the salon. The client's current consent is on the
    Client; this is its history."""

    class Consent(models.TextChoices):
        REMINDERS = "reminders", _("Appointment reminders")
        FEEDBACK = "feedback", _("Feedback requests")

    class Via(models.TextChoices):
        DESK = "desk", _("At the front desk")
        INTAKE = "intake", _("The client's intake form")
        API = "api", _("Through the API")
        ADMIN = "admin", _("In the admin")

    # The Client field each consent is kept in.
    FIELDS = {"consent_reminders": Consent.REMINDERS, "consent_feedback": Consent.FEEDBACK}

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consent_changes")
    consent = models.CharField(max_length=12, choices=Consent.choices)
    given = models.BooleanField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(max_length=8, choices=Via.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["client", "-at"], name="consent_change_by_client")]

    def __str__(self) -> str:
        return f"{self.consent} {'given' if self.given else 'withdrawn'} for client {self.client_id}"


class ClientMerge(models.Model):
    """Who merged which client record into which, and when, with what moved
    (rows per relation) and which empty fields of the kept record were
    filled from the other. The ids are kept as written, so the log reads the
    same after either record is erased."""

    kept = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kept_label = models.CharField(max_length=40)
    merged_label = models.CharField(max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    moved = models.JSONField(default=dict, blank=True, help_text=_("Rows moved, by relation (app.model.field)."))
    filled = models.JSONField(default=list, blank=True, help_text=_("Fields of the kept record filled from the other."))

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Client {self.merged_label} merged into {self.kept_label}"
