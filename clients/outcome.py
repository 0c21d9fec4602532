"""What a health screening means for a session: the object the screening
rules produce and the session-plan builder consumes.

The screening rules (clients issue) fill it; until a client has a screening,
``ScreeningOutcome.neutral()`` stands in. It is plain, immutable data so a
session plan can keep it as a snapshot (``to_dict`` / ``from_dict``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from salon.plain_data import as_plain_data


class Severity(models.TextChoices):
    BLOCKED = "blocked", _("Blocked until cleared")
    REVIEW = "review", _("Needs therapist review")
    INFO = "info", _("For information")


# How a pressure reads inside a sentence: "light pressure only".
PRESSURE_WORDS = {
    "light": pgettext_lazy("pressure in a sentence", "light"),
    "medium": pgettext_lazy("pressure in a sentence", "medium"),
    "firm": pgettext_lazy("pressure in a sentence", "firm"),
}


def pressure_words(pressure: str) -> str:
    return str(PRESSURE_WORDS.get(pressure, pressure))


def painful_points_to_press(count: int) -> str:
    """The finding for painful points the thumb-pressure step works: the
    screening counts them, a plan counts those its steps work."""
    return ngettext(
        "%(count)s painful point to work with thumb pressure.",
        "%(count)s painful points to work with thumb pressure.",
        count,
    ) % {"count": count}


@dataclass(frozen=True)
class Finding:
    """One thing a screening rule found, e.g. ("wounds", "review", "Graze on the lower back")."""

    rule: str
    severity: str
    message: str


@dataclass(frozen=True)
class Support:
    """A pad, roller or pillow and the body area it goes under; ``position``
    names the only position it is for ("prone": a pad for lying on the
    front), empty for any."""

    item: str
    area: str
    position: str = ""


@dataclass(frozen=True)
class PainPoint:
    area: str
    side: str
    intensity: int
    note: str = ""


@dataclass(frozen=True)
class ScreeningOutcome:
    findings: tuple[Finding, ...] = ()
    # A routine that works any of these areas may not be given at all.
    blocked_areas: frozenset[str] = frozenset()
    # Steps keep away from these areas; a step left with no area is dropped.
    avoid_areas: frozenset[str] = frozenset()
    # The most pressure allowed on an area ("light", "medium" or "firm").
    pressure_caps: dict[str, str] = field(default_factory=dict)
    # The most pressure allowed anywhere (the client's preference or a rule).
    max_pressure: str | None = None
    # Why a limit is there, in a few words for the therapist: by area for
    # ``pressure_caps``, under "*" for ``max_pressure``.
    limit_reasons: dict[str, str] = field(default_factory=dict)
    # When set, only routines given in this position are allowed.
    position: str | None = None
    # When set, only routines that require this qualification are allowed.
    qualification: str | None = None
    supports: tuple[Support, ...] = ()
    # Replaces the routine's oil, e.g. a neutral oil for a nut allergy.
    oil: str = ""
    # Painful points the thumb-pressure step works, strongest first.
    pain_points: tuple[PainPoint, ...] = ()
    precautions: tuple[str, ...] = ()

    @classmethod
    def neutral(cls) -> ScreeningOutcome:
        """No screening on record, nothing restricted."""
        return cls()

    @property
    def blocking_findings(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.severity == Severity.BLOCKED)

    @property
    def needs_review(self) -> bool:
        return any(finding.severity == Severity.REVIEW for finding in self.findings)

    def rules_in_force(self) -> tuple:
        """What the outcome asks of a plan, without the words it says it in:
        which rules found what, the areas, limits, position, qualification,
        the supports' places, whether the oil is replaced, and the pain map.
        Two outcomes equal here differ only in wording."""
        return (
            sorted((finding.rule, finding.severity) for finding in self.findings),
            sorted(self.blocked_areas),
            sorted(self.avoid_areas),
            sorted(self.pressure_caps.items()),
            self.max_pressure,
            self.position,
            self.qualification,
            sorted((support.area, support.position) for support in self.supports),
            bool(self.oil),
            [(point.area, point.side, point.intensity) for point in self.pain_points],
            len(self.precautions),
        )

    def to_dict(self) -> dict:
        data = as_plain_data(self)
        data["blocked_areas"] = sorted(self.blocked_areas)
        data["avoid_areas"] = sorted(self.avoid_areas)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ScreeningOutcome:
        return cls(
            findings=tuple(Finding(**item) for item in data.get("findings", ())),
            blocked_areas=frozenset(data.get("blocked_areas", ())),
            avoid_areas=frozenset(data.get("avoid_areas", ())),
            pressure_caps=dict(data.get("pressure_caps", {})),
            max_pressure=data.get("max_pressure"),
            limit_reasons=dict(data.get("limit_reasons", {})),
            position=data.get("position"),
            qualification=data.get("qualification"),
            supports=tuple(Support(**item) for item in data.get("supports", ())),
            oil=data.get("oil", ""),
            pain_points=tuple(PainPoint(**item) for item in data.get("pain_points", ())),
            precautions=tuple(data.get("precautions", ())),
        )
