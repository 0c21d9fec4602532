"""How a salon writes down a massage once: techniques, routine templates and
their ordered steps, and the words both use for the body."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from routines.content import TranslationsValidator
from salon.inputs import LimitedTextField, validate_visible


class BodyArea(models.TextChoices):
    """Where a step works, where a client must not be touched, where a pad goes."""

    NECK = "neck", _("Neck")
    SHOULDERS = "shoulders", _("Shoulders")
    UPPER_BACK = "upper_back", _("Upper back")
    MID_BACK = "mid_back", _("Mid back")
    LOWER_BACK = "lower_back", _("Lower back")
    SPINE = "spine", _("Spine")
    BUTTOCKS = "buttocks", _("Buttocks")
    ANKLES = "ankles", _("Ankles")


BACK_AREAS = frozenset(
    {BodyArea.NECK, BodyArea.SHOULDERS, BodyArea.UPPER_BACK, BodyArea.MID_BACK, BodyArea.LOWER_BACK, BodyArea.SPINE}
)

# How each area is written inside a sentence: English lowers the label
# ("lower back"), German keeps its nouns capitalised, so each is its own entry.
AREA_IN_A_SENTENCE = {
    BodyArea.NECK: pgettext_lazy("body area in a sentence", "neck"),
    BodyArea.SHOULDERS: pgettext_lazy("body area in a sentence", "shoulders"),
    BodyArea.UPPER_BACK: pgettext_lazy("body area in a sentence", "upper back"),
    BodyArea.MID_BACK: pgettext_lazy("body area in a sentence", "mid back"),
    BodyArea.LOWER_BACK: pgettext_lazy("body area in a sentence", "lower back"),
    BodyArea.SPINE: pgettext_lazy("body area in a sentence", "spine"),
    BodyArea.BUTTOCKS: pgettext_lazy("body area in a sentence", "buttocks"),
    BodyArea.ANKLES: pgettext_lazy("body area in a sentence", "ankles"),
}


def area_words(area: str) -> str:
    """An area as it is written in a sentence: "lower back", not ``lower_back``."""
    return str(AREA_IN_A_SENTENCE[area]) if area in AREA_IN_A_SENTENCE else area.replace("_", " ")


class Pressure(models.TextChoices):
    LIGHT = "light", _("Light")
    MEDIUM = "medium", _("Medium")
    FIRM = "firm", _("Firm")
    ADAPTIVE = "adaptive", _("Adaptive (guided by the client)")


# Adaptive pressure may rise to firm as the client allows, so it ranks as firm
# when compared with a limit.
PRESSURE_RANK = {Pressure.LIGHT: 1, Pressure.MEDIUM: 2, Pressure.FIRM: 3, Pressure.ADAPTIVE: 3}


class Position(models.TextChoices):
    PRONE = "prone", _("Prone (lying on the front)")
    SIDE_LYING = "side_lying", _("Side-lying")
    SEATED = "seated", _("Seated")


class Qualification(models.TextChoices):
    NONE = "none", _("None")
    THERAPEUTIC = "therapeutic", _("Therapeutic massage")
    PREGNANCY = "pregnancy", _("Pregnancy massage")


class HandPart(models.TextChoices):
    PALM = "palm", _("Open palm")
    BASE_OF_PALM = "base_of_palm", _("Base of the palm")
    FINGERTIPS = "fingertips", _("Fingertips")
    THUMBS = "thumbs", _("Thumbs")
    MIDDLE_FINGER = "middle_finger", _("Middle finger")
    FOREARM = "forearm", _("Forearm")


class Side(models.TextChoices):
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")
    BOTH = "both", _("Both")
    ALTERNATING = "alternating", _("Alternating sides")


class Direction(models.TextChoices):
    BOTTOM_UP = "bottom_up", _("Bottom up")
    TOP_DOWN = "top_down", _("Top down")
    SPINE_OUTWARD = "spine_outward", _("From the spine outward and back")
    CIRCULAR = "circular", _("Circular")
    TOWARD_HEAD = "toward_head", _("Towards the head")
    STATIC = "static", _("Static hold")


def validate_areas(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Name at least one body area."), code="required")
    unknown = [area for area in value if area not in BodyArea.values]
    if unknown:
        raise ValidationError(
            _("Unknown body area: %(unknown)s. Use %(known)s."),
            code="invalid_area",
            params={"unknown": ", ".join(map(str, unknown)), "known": ", ".join(BodyArea.values)},
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A body area is listed twice."), code="duplicate_area")


def validate_text_lines(value) -> None:
    if not isinstance(value, list) or not all(isinstance(line, str) and line.strip() for line in value):
        raise ValidationError(_("Give a list of non-empty lines of text."), code="invalid_lines")


class Technique(models.Model):
    name = models.CharField(max_length=80, unique=True)
    description = LimitedTextField(max_length=2000, blank=True)
    hand_part = models.CharField(max_length=16, choices=HandPart.choices)
    default_pressure = models.CharField(max_length=10, choices=Pressure.choices, default=Pressure.MEDIUM)
    beside_spine = models.BooleanField(
        default=False,
        help_text=_("Works the muscles beside the spine: left out when the spine itself must be kept away from."),
    )
    translations = models.JSONField(
        default=dict,
        blank=True,
        validators=[TranslationsValidator({"name": 80, "description": 2000})],
        help_text=_('The name and description in other languages, e.g. {"de": {"name": "..."}}.'),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutineTemplate(models.Model):
    """One version of a routine. Versions of the same routine share ``slug``;
    exactly one of them is current. A version that session plans use is never
    edited: a change makes the next version."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(max_length=100, validators=[validate_visible])
    slug = models.SlugField(max_length=100)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    purpose = LimitedTextField(max_length=2000, blank=True)
    position = models.CharField(max_length=12, choices=Position.choices, default=Position.PRONE)
    qualification = models.CharField(max_length=12, choices=Qualification.choices, default=Qualification.NONE)
    turnover_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MaxValueValidator(120)],
        help_text=_("Time after the session for fresh towels, oil and the table."),
    )
    surface = models.CharField(max_length=120, default="Massage table (or a firm bed, couch or floor mat)")
    oil = models.CharField(max_length=120, default="Massage oil (baby oil as a substitute)", blank=True)
    towels = models.PositiveSmallIntegerField(default=3, help_text=_("One to lie on, the others to cover."))
    supports = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_text_lines],
        help_text=_("Pads, rollers or pillows to have ready."),
    )
    precautions = models.JSONField(default=list, blank=True, validators=[validate_text_lines])
    aftercare = LimitedTextField(
        max_length=2000,
        blank=True,
        help_text=_("Advice sent to the client after a completed session (no health details; the same for everyone)."),
    )
    areas = models.JSONField(default=list, validators=[validate_areas], help_text=_("Body areas the routine works."))
    translations = models.JSONField(
        default=dict,
        blank=True,
        validators=[
            TranslationsValidator(
                {"name": 100, "purpose": 2000, "surface": 120, "oil": 120, "aftercare": 2000},
                lists=("supports", "precautions"),
            )
        ],
        help_text=_('Name, purpose, supplies, precautions and after-care in other languages, e.g. {"de": {...}}.'),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="routine_version_unique"),
            models.UniqueConstraint(fields=["slug"], condition=Q(is_current=True), name="routine_one_current_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class RoutineStep(models.Model):
    """One movement of a routine and how much of it: either minutes (a range)
    or a count of units with seconds per unit."""

    class DoseKind(models.TextChoices):
        DURATION = "duration", _("Duration in minutes")
        COUNT = "count", _("Count of repetitions, cycles or holds")

    routine = models.ForeignKey(RoutineTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    technique = models.ForeignKey(Technique, on_delete=models.PROTECT, related_name="steps")
    areas = models.JSONField(validators=[validate_areas])
    direction = models.CharField(max_length=16, choices=Direction.choices, blank=True)
    side = models.CharField(max_length=12, choices=Side.choices, default=Side.BOTH)
    pressure = models.CharField(max_length=10, choices=Pressure.choices)
    dose_kind = models.CharField(max_length=10, choices=DoseKind.choices)
    min_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    max_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=40, blank=True, help_text=_("movements, cycles, holds ..."))
    seconds_per_unit = models.PositiveSmallIntegerField(null=True, blank=True)
    per_side = models.BooleanField(default=False, help_text=_("The count is done on each side."))
    alternating_minutes = models.PositiveSmallIntegerField(
        default=0, help_text=_("Minutes of stroking alternated with this movement, once per side.")
    )
    uses_pain_map = models.BooleanField(
        default=False, help_text=_("The step works the client's painful points from the screening.")
    )
    repeat_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        # A repeated step goes only together with the routine (or its repeats).
        on_delete=models.RESTRICT,
        related_name="repeats",
        help_text=_("A finishing step that repeats an earlier movement."),
    )
    notes = LimitedTextField(max_length=1000, blank=True)
    area_pressure = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Lighter pressure on some of the areas, e.g. {"neck": "light"} (the guide: less at the neck).'),
    )
    core = models.BooleanField(
        default=False,
        help_text=_("Without this step the routine is not itself: a plan that would have to drop it is refused."),
    )
    translations = models.JSONField(
        default=dict,
        blank=True,
        validators=[TranslationsValidator({"notes": 1000})],
        help_text=_('The notes in other languages, e.g. {"de": {"notes": "..."}}.'),
    )

    class Meta:
        ordering = ["routine", "order"]
        constraints = [
            models.UniqueConstraint(fields=["routine", "order"], name="routine_step_order_unique"),
            models.CheckConstraint(
                name="routine_step_dose_complete",
                condition=(
                    Q(dose_kind="duration", min_minutes__gte=1, max_minutes__gte=models.F("min_minutes"))
                    | Q(dose_kind="count", count__gte=1, seconds_per_unit__gte=1)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.technique}"

    def clean(self) -> None:
        """A dose is either minutes or a count, complete and positive."""
        errors = {}
        if self.dose_kind == self.DoseKind.DURATION:
            if not self.min_minutes:
                errors["min_minutes"] = "Give the least minutes (1 or more) for a duration dose."
            if not self.max_minutes:
                errors["max_minutes"] = "Give the most minutes for a duration dose."
            elif self.min_minutes and self.max_minutes < self.min_minutes:
                errors["max_minutes"] = "The most minutes cannot be fewer than the least."
            if self.count or self.seconds_per_unit:
                errors["count"] = "A duration dose has no count; clear count and seconds per unit."
        elif self.dose_kind == self.DoseKind.COUNT:
            if not self.count:
                errors["count"] = "Give how many (1 or more) for a count dose."
            if not self.seconds_per_unit:
                errors["seconds_per_unit"] = "Give the seconds each unit takes (1 or more)."
            if self.min_minutes or self.max_minutes:
                errors["min_minutes"] = "A count dose has no minutes; clear the minute range."
        if self.repeat_of_id and (
            self.repeat_of.routine_id != self.routine_id or self.order is None or self.repeat_of.order >= self.order
        ):
            errors["repeat_of"] = "A finishing step can only repeat an earlier step of the same routine."
        lighter = [
            f"{area}: give one of this step's areas and a pressure no firmer than the step's own."
            for area, pressure in (self.area_pressure or {}).items()
            if area not in (self.areas or [])
            or pressure not in PRESSURE_RANK
            or PRESSURE_RANK[pressure] > PRESSURE_RANK.get(self.pressure, 3)
        ]
        if lighter:
            errors["area_pressure"] = lighter
        if errors:
            raise ValidationError(errors)


class RoutineWithheld(models.Model):
    """A routine (all its versions, by slug) that one location does not offer.
    Routines are shared by the business; every location offers each of them
    unless it withholds it here."""

    salon = models.ForeignKey(
        "salon.Salon", on_delete=models.CASCADE, related_name="routines_withheld", verbose_name=_("location")
    )
    slug = models.SlugField(max_length=100)

    class Meta:
        ordering = ["salon", "slug"]
        verbose_name = _("routine not offered at a location")
        verbose_name_plural = _("routines not offered at a location")
        constraints = [
            models.UniqueConstraint(fields=["salon", "slug"], name="routine_withheld_once_per_location"),
        ]

    def __str__(self) -> str:
        return f"{self.slug} not at {self.salon}"


class Service(models.Model):
    """A routine on a location's service menu: what clients read about it,
    the lengths it is sold in with their prices (:class:`ServiceLength`),
    the turnover after it, and whether clients may book it online. Keyed by
    the routine's slug, so it covers every version of the routine. A
    routine a location withholds (:class:`RoutineWithheld`) is not offered
    there, whatever its menu entry says."""

    salon = models.ForeignKey(
        "salon.Salon", on_delete=models.CASCADE, related_name="services", verbose_name=_("location")
    )
    slug = models.SlugField(max_length=100, help_text=_("The routine's slug."))
    description = LimitedTextField(
        max_length=500, blank=True, help_text=_("A short description for clients (no health advice).")
    )
    turnover_minutes = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(120)],
        help_text=_("Time after the session for towels, oil and the table; empty means the routine's own."),
    )
    online = models.BooleanField(default=False, help_text=_("Clients may book it online."))
    translations = models.JSONField(
        default=dict,
        blank=True,
        validators=[TranslationsValidator({"description": 500})],
        help_text=_('The description in other languages, e.g. {"de": {"description": "..."}}.'),
    )

    class Meta:
        ordering = ["salon", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["salon", "slug"], name="service_once_per_location"),
        ]

    def __str__(self) -> str:
        return f"{self.slug} at {self.salon}"


class ServiceLength(models.Model):
    """One length a service is sold in, with its price in the location's
    currency as an integer of minor units (cents), so sums are exact."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="lengths")
    minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(5), MaxValueValidator(480)])
    price_minor = models.PositiveIntegerField(validators=[MaxValueValidator(10_000_000)])

    class Meta:
        ordering = ["service", "minutes"]
        constraints = [
            models.UniqueConstraint(fields=["service", "minutes"], name="service_length_once"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min: {self.price_minor}"
