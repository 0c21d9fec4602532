"""Screening rules: what a client's answers mean for a session.

Each rule is a small named function from the screening (and its clearances)
to a partial ``ScreeningOutcome``; ``evaluate_screening`` (``clients/evaluation.py``) runs them all and
combines the parts. Combining is conservative: areas add up, the lowest
pressure limit wins, and any position or qualification demanded is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from clients.models import HealthScreening
from clients.outcome import Finding, PainPoint, ScreeningOutcome, Severity, Support
from routines.models import BACK_AREAS, BodyArea, Position, Pressure, Qualification, area_words

PAIN_TARGET_THRESHOLD = 4
FIRST_TRIMESTER_WEEKS = 12
# The key of ScreeningOutcome.limit_reasons for a limit on every area.
EVERYWHERE = "*"
NEUTRAL_OIL = "Neutral baby oil (nut-free, unscented)"
# Where a pad or roller goes when lying on the front hurts there (the guide:
# small pads or cushions beneath the torso, ankles or neck).
PRONE_SUPPORTS = {
    BodyArea.LOWER_BACK: "Small pad under the belly to ease the lower back",
    BodyArea.NECK: "Small pad under the forehead and neck",
    BodyArea.SHOULDERS: "Soft rollers under the shoulders",
    BodyArea.ANKLES: "Soft roller under the ankles",
}

Rule = Callable[[HealthScreening, frozenset[str]], ScreeningOutcome]
RULES: list[tuple[str, Rule]] = []


def rule(name: str):
    def register(function: Rule) -> Rule:
        RULES.append((name, function))
        return function

    return register


@rule("acute_spinal_inflammation")
def acute_spinal_inflammation(screening, cleared):
    if not screening.acute_spinal_inflammation:
        return ScreeningOutcome()
    if "acute_spinal_inflammation" in cleared:
        return ScreeningOutcome(
            findings=(
                Finding(
                    "acute_spinal_inflammation", Severity.INFO, "Spinal inflammation reported; cleared by a therapist."
                ),
            )
        )
    return ScreeningOutcome(
        blocked_areas=BACK_AREAS,
        findings=(
            Finding(
                "acute_spinal_inflammation",
                Severity.BLOCKED,
                "Acute inflammation of the spine: no back massage until a therapist clears it.",
            ),
        ),
    )


@rule("skin_injuries")
def skin_injuries(screening, cleared):
    if not screening.skin_injuries:
        return ScreeningOutcome()
    areas = frozenset(screening.skin_injury_areas)
    if not areas and "skin_injuries" in cleared:
        return ScreeningOutcome(
            findings=(
                Finding(
                    "skin_injuries",
                    Severity.REVIEW,
                    "Wound or skin injury, place not given by the client; a therapist marked where to keep away.",
                ),
            )
        )
    if not areas:
        # An older screening, from before the place was asked for.
        return ScreeningOutcome(
            blocked_areas=frozenset(BodyArea.values),
            findings=(
                Finding(
                    "skin_injuries",
                    Severity.BLOCKED,
                    "Wound or skin injury, place not given: a therapist must look and mark the areas to keep "
                    "away from before any massage.",
                ),
            ),
        )
    where = ", ".join(area_words(area) for area in BodyArea.values if area in areas)
    return ScreeningOutcome(
        avoid_areas=areas,
        findings=(
            Finding(
                "skin_injuries", Severity.REVIEW, f"Wound or skin injury at the {where}: keep away (infection risk)."
            ),
        ),
    )


@rule("pregnancy")
def pregnancy(screening, cleared):
    if not screening.pregnant:
        return ScreeningOutcome()
    weeks = f" ({screening.pregnancy_weeks} weeks)" if screening.pregnancy_weeks else ""
    return ScreeningOutcome(
        position=Position.SIDE_LYING,
        qualification=Qualification.PREGNANCY,
        max_pressure=Pressure.MEDIUM,
        limit_reasons={EVERYWHERE: "pregnancy"},
        findings=(
            Finding(
                "pregnancy",
                Severity.INFO,
                f"Pregnant{weeks}: side-lying pregnancy massage by a qualified therapist only.",
            ),
        ),
    )


@rule("prone_discomfort")
def prone_discomfort(screening, cleared):
    places = [area for area in PRONE_SUPPORTS if area in screening.prone_discomfort]
    if not places:
        return ScreeningOutcome()
    supports = tuple(Support(item=PRONE_SUPPORTS[area], area=area, position=Position.PRONE) for area in places)
    # Lying on the side needs other supports; the side-lying routines bring their own.
    where = ", ".join(area_words(area) for area in places)
    return ScreeningOutcome(
        supports=supports,
        findings=(Finding("prone_discomfort", Severity.INFO, f"Lying on the front hurts at the {where}: pads ready."),),
    )


@rule("oil_allergy")
def oil_allergy(screening, cleared):
    if not screening.oil_or_nut_allergy:
        return ScreeningOutcome()
    detail = f" ({screening.allergies.strip()})" if screening.allergies.strip() else ""
    return ScreeningOutcome(
        oil=NEUTRAL_OIL,
        findings=(
            Finding(
                "oil_allergy",
                Severity.REVIEW,
                f"Allergic to oils or nuts{detail}: {NEUTRAL_OIL.lower()} planned; check the bottle before starting.",
            ),
        ),
    )


@rule("pain_points")
def pain_points(screening, cleared):
    points = sorted(
        (point for point in screening.pain_map if point["intensity"] >= PAIN_TARGET_THRESHOLD),
        key=lambda point: -point["intensity"],
    )
    if not points:
        return ScreeningOutcome()
    return ScreeningOutcome(
        pain_points=tuple(
            PainPoint(area=point["area"], side=point["side"], intensity=point["intensity"], note=point.get("note", ""))
            for point in points
        ),
        findings=(
            Finding("pain_points", Severity.INFO, f"{len(points)} painful point(s) to work with thumb pressure."),
        ),
    )


@rule("spine")
def spine(screening, cleared):
    """No direct pressure on the spine, ever: holds for every client."""
    return ScreeningOutcome(
        pressure_caps={BodyArea.SPINE: Pressure.LIGHT},
        limit_reasons={BodyArea.SPINE: "no direct pressure on the spine"},
        precautions=("No direct pressure on the spine.",),
    )


@rule("pressure_preference")
def pressure_preference(screening, cleared):
    if screening.pressure_preference not in {Pressure.LIGHT, Pressure.MEDIUM}:
        return ScreeningOutcome()
    return ScreeningOutcome(
        max_pressure=screening.pressure_preference,
        limit_reasons={EVERYWHERE: f"the client prefers {screening.pressure_preference} pressure"},
        findings=(
            Finding("pressure_preference", Severity.INFO, f"Prefers {screening.pressure_preference} pressure at most."),
        ),
    )


@rule("recent_injury")
def recent_injury(screening, cleared):
    """A recent fracture or surgery: its area is kept away from, and the
    therapist reads what it was (common practice)."""
    if not screening.recent_injury:
        return ScreeningOutcome()
    when = f" ({screening.recent_injury_when:%d %b %Y})" if screening.recent_injury_when else ""
    what = screening.recent_injury_what.strip() or "not described"
    areas = frozenset(screening.recent_injury_areas)
    where = f" at the {', '.join(area_words(area) for area in BodyArea.values if area in areas)}" if areas else ""
    return ScreeningOutcome(
        avoid_areas=areas,
        findings=(Finding("recent_injury", Severity.REVIEW, f"Recent injury or surgery{where}: {what}{when}."),),
    )


@rule("blood_clots")
def blood_clots(screening, cleared):
    """A clot could be set loose: no massage until a therapist clears it (common practice)."""
    if not screening.blood_clots:
        return ScreeningOutcome()
    if "blood_clots" in cleared:
        return ScreeningOutcome(
            findings=(Finding("blood_clots", Severity.INFO, "Blood clot reported; cleared by a therapist."),)
        )
    return ScreeningOutcome(
        blocked_areas=frozenset(BodyArea.values),
        findings=(
            Finding(
                "blood_clots",
                Severity.BLOCKED,
                "Suspected or known blood clot: no massage until a therapist clears it (doctor's all-clear).",
            ),
        ),
    )


@rule("blood_thinners")
def blood_thinners(screening, cleared):
    """Bruising comes easily: pressure medium at most (common practice)."""
    if not screening.blood_thinners:
        return ScreeningOutcome()
    return ScreeningOutcome(
        max_pressure=Pressure.MEDIUM,
        limit_reasons={EVERYWHERE: "blood thinners (bruising)"},
        findings=(
            Finding(
                "blood_thinners", Severity.REVIEW, "Takes blood thinners: medium pressure at most, watch for bruising."
            ),
        ),
    )


@rule("osteoporosis")
def osteoporosis(screening, cleared):
    """Fragile bones: light pressure only, never on bones (the guide: no direct pressure on bones)."""
    if not screening.osteoporosis:
        return ScreeningOutcome()
    return ScreeningOutcome(
        max_pressure=Pressure.LIGHT,
        limit_reasons={EVERYWHERE: "osteoporosis (fragile bones)"},
        precautions=("Fragile bones: no pressure near bones, ribs or the spine.",),
        findings=(Finding("osteoporosis", Severity.REVIEW, "Osteoporosis: light pressure only, keep off the bones."),),
    )


@rule("pregnancy_risk")
def pregnancy_risk(screening, cleared):
    """The first trimester and a high-risk pregnancy are for the therapist to
    weigh before starting (common practice)."""
    if not screening.pregnant:
        return ScreeningOutcome()
    reasons = []
    if screening.pregnancy_weeks and screening.pregnancy_weeks <= FIRST_TRIMESTER_WEEKS:
        reasons.append(f"first trimester ({screening.pregnancy_weeks} weeks)")
    if screening.pregnancy_high_risk:
        reasons.append("a high-risk pregnancy")
    if not reasons:
        return ScreeningOutcome()
    return ScreeningOutcome(
        findings=(
            Finding("pregnancy_risk", Severity.REVIEW, f"Pregnancy: {' and '.join(reasons)}; check before starting."),
        )
    )


@rule("conditions")
def conditions(screening, cleared):
    if not (screening.conditions.strip() or screening.medications.strip()):
        return ScreeningOutcome()
    return ScreeningOutcome(
        findings=(
            Finding("conditions", Severity.REVIEW, "Other conditions or medications noted: read before starting."),
        ),
    )


FRONT_DESK_ROLE = "Receptionist"  # salon.roles.Role.RECEPTIONIST, as stored in entered_by_role


@rule("entered_by_front_desk")
def entered_by_front_desk(screening, cleared):
    """Answers the front desk typed in from a paper form: the receptionist
    cannot read them back, so the therapist checks them with the client
    before starting, whatever they say."""
    if screening.entered_by_role != FRONT_DESK_ROLE:
        return ScreeningOutcome()
    return ScreeningOutcome(
        findings=(
            Finding(
                "entered_by_front_desk",
                Severity.REVIEW,
                "Answers typed in by the front desk from a paper form: check them with the client before starting.",
            ),
        )
    )
