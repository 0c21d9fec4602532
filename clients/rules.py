"""Screening rules: what a client's answers mean for a session.

Each rule is a small named function from the screening (and its clearances)
to a partial ``ScreeningOutcome``; ``evaluate_screening`` (``clients/evaluation.py``) runs them all and
combines the parts. Combining is conservative: areas add up, the lowest
pressure limit wins, and any position or qualification demanded is kept.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from clients.models import HealthScreening
from clients.outcome import (
    Finding,
    PainPoint,
    ScreeningOutcome,
    Severity,
    Support,
    painful_points_to_press,
    pressure_words,
)
from routines.models import BACK_AREAS, BodyArea, Position, Pressure, Qualification, area_words

PAIN_TARGET_THRESHOLD = 4
FIRST_TRIMESTER_WEEKS = 12
# The key of ScreeningOutcome.limit_reasons for a limit on every area.
EVERYWHERE = "*"
# The outcome's words are in the active language: a plan is built in its
# therapist's (sessions/services/plans.py), a page's outcome in its reader's.
NEUTRAL_OIL = gettext_lazy("Neutral baby oil (nut-free, unscented)")
# Where a pad or roller goes when lying on the front hurts there (the guide:
# small pads or cushions beneath the torso, ankles or neck).
PRONE_SUPPORTS = {
    BodyArea.LOWER_BACK: gettext_lazy("Small pad under the belly to ease the lower back"),
    BodyArea.NECK: gettext_lazy("Small pad under the forehead and neck"),
    BodyArea.SHOULDERS: gettext_lazy("Soft rollers under the shoulders"),
    BodyArea.ANKLES: gettext_lazy("Soft roller under the ankles"),
}


def day_words(day, *, year: bool = True) -> str:
    """A date inside a finding, as the reader's language writes it."""
    if year:
        return date_format(day, pgettext("date format: day, short month and year", "d M Y"))
    return date_format(day, pgettext("date format: day and short month", "d M"))


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
                    "acute_spinal_inflammation",
                    Severity.INFO,
                    _("Spinal inflammation reported; cleared by a therapist."),
                ),
            )
        )
    return ScreeningOutcome(
        blocked_areas=BACK_AREAS,
        findings=(
            Finding(
                "acute_spinal_inflammation",
                Severity.BLOCKED,
                _("Acute inflammation of the spine: no back massage until a therapist clears it."),
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
                    _("Wound or skin injury, place not given by the client; a therapist marked where to keep away."),
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
                    _(
                        "Wound or skin injury, place not given: a therapist must look and mark the areas to keep "
                        "away from before any massage."
                    ),
                ),
            ),
        )
    where = ", ".join(area_words(area) for area in BodyArea.values if area in areas)
    return ScreeningOutcome(
        avoid_areas=areas,
        findings=(
            Finding(
                "skin_injuries",
                Severity.REVIEW,
                _("Wound or skin injury at the %(areas)s: keep away (infection risk).") % {"areas": where},
            ),
        ),
    )


@rule("pregnancy")
def pregnancy(screening, cleared):
    if not screening.pregnant:
        return ScreeningOutcome()
    weeks = screening.pregnancy_weeks
    if weeks:
        message = ngettext(
            "Pregnant (%(weeks)s week): side-lying pregnancy massage by a qualified therapist only.",
            "Pregnant (%(weeks)s weeks): side-lying pregnancy massage by a qualified therapist only.",
            weeks,
        ) % {"weeks": weeks}
    else:
        message = _("Pregnant: side-lying pregnancy massage by a qualified therapist only.")
    return ScreeningOutcome(
        position=Position.SIDE_LYING,
        qualification=Qualification.PREGNANCY,
        max_pressure=Pressure.MEDIUM,
        limit_reasons={EVERYWHERE: pgettext("why pressure is limited", "pregnancy")},
        findings=(Finding("pregnancy", Severity.INFO, message),),
    )


@rule("prone_discomfort")
def prone_discomfort(screening, cleared):
    places = [area for area in PRONE_SUPPORTS if area in screening.prone_discomfort]
    if not places:
        return ScreeningOutcome()
    supports = tuple(Support(item=str(PRONE_SUPPORTS[area]), area=area, position=Position.PRONE) for area in places)
    # Lying on the side needs other supports; the side-lying routines bring their own.
    where = ", ".join(area_words(area) for area in places)
    return ScreeningOutcome(
        supports=supports,
        findings=(
            Finding(
                "prone_discomfort",
                Severity.INFO,
                _("Lying on the front hurts at the %(areas)s: pads ready.") % {"areas": where},
            ),
        ),
    )


@rule("oil_allergy")
def oil_allergy(screening, cleared):
    if not screening.oil_or_nut_allergy:
        return ScreeningOutcome()
    allergies = screening.allergies.strip()
    if allergies:
        message = _(
            "Allergic to oils or nuts (%(allergies)s): neutral baby oil (nut-free, unscented) planned; "
            "check the bottle before starting."
        ) % {"allergies": allergies}
    else:
        message = _(
            "Allergic to oils or nuts: neutral baby oil (nut-free, unscented) planned; "
            "check the bottle before starting."
        )
    return ScreeningOutcome(oil=str(NEUTRAL_OIL), findings=(Finding("oil_allergy", Severity.REVIEW, message),))


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
        findings=(Finding("pain_points", Severity.INFO, painful_points_to_press(len(points))),),
    )


@rule("spine")
def spine(screening, cleared):
    """No direct pressure on the spine, ever: holds for every client."""
    return ScreeningOutcome(
        pressure_caps={BodyArea.SPINE: Pressure.LIGHT},
        limit_reasons={BodyArea.SPINE: _("no direct pressure on the spine")},
        precautions=(_("No direct pressure on the spine."),),
    )


@rule("pressure_preference")
def pressure_preference(screening, cleared):
    if screening.pressure_preference not in {Pressure.LIGHT, Pressure.MEDIUM}:
        return ScreeningOutcome()
    words = {"pressure": pressure_words(screening.pressure_preference)}
    return ScreeningOutcome(
        max_pressure=screening.pressure_preference,
        limit_reasons={EVERYWHERE: _("the client prefers %(pressure)s pressure") % words},
        findings=(Finding("pressure_preference", Severity.INFO, _("Prefers %(pressure)s pressure at most.") % words),),
    )


@rule("recent_injury")
def recent_injury(screening, cleared):
    """A recent fracture or surgery: its area is kept away from, and the
    therapist reads what it was (common practice)."""
    if not screening.recent_injury:
        return ScreeningOutcome()
    what = screening.recent_injury_what.strip() or _("not described")
    if screening.recent_injury_when:
        what = _("%(what)s (%(day)s)") % {"what": what, "day": day_words(screening.recent_injury_when)}
    areas = frozenset(screening.recent_injury_areas)
    if areas:
        where = ", ".join(area_words(area) for area in BodyArea.values if area in areas)
        message = _("Recent injury or surgery at the %(areas)s: %(what)s.") % {"areas": where, "what": what}
    else:
        message = _("Recent injury or surgery: %(what)s.") % {"what": what}
    return ScreeningOutcome(avoid_areas=areas, findings=(Finding("recent_injury", Severity.REVIEW, message),))


@rule("blood_clots")
def blood_clots(screening, cleared):
    """A clot could be set loose: no massage until a therapist clears it (common practice)."""
    if not screening.blood_clots:
        return ScreeningOutcome()
    if "blood_clots" in cleared:
        return ScreeningOutcome(
            findings=(Finding("blood_clots", Severity.INFO, _("Blood clot reported; cleared by a therapist.")),)
        )
    return ScreeningOutcome(
        blocked_areas=frozenset(BodyArea.values),
        findings=(
            Finding(
                "blood_clots",
                Severity.BLOCKED,
                _("Suspected or known blood clot: no massage until a therapist clears it (doctor's all-clear)."),
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
        limit_reasons={EVERYWHERE: _("blood thinners (bruising)")},
        findings=(
            Finding(
                "blood_thinners",
                Severity.REVIEW,
                _("Takes blood thinners: medium pressure at most, watch for bruising."),
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
        limit_reasons={EVERYWHERE: _("osteoporosis (fragile bones)")},
        precautions=(_("Fragile bones: no pressure near bones, ribs or the spine."),),
        findings=(
            Finding("osteoporosis", Severity.REVIEW, _("Osteoporosis: light pressure only, keep off the bones.")),
        ),
    )


@rule("pregnancy_risk")
def pregnancy_risk(screening, cleared):
    """The first trimester and a high-risk pregnancy are for the therapist to
    weigh before starting (common practice)."""
    if not screening.pregnant:
        return ScreeningOutcome()
    weeks = screening.pregnancy_weeks
    early = bool(weeks) and weeks <= FIRST_TRIMESTER_WEEKS
    if early and screening.pregnancy_high_risk:
        message = ngettext(
            "Pregnancy: first trimester (%(weeks)s week) and a high-risk pregnancy; check before starting.",
            "Pregnancy: first trimester (%(weeks)s weeks) and a high-risk pregnancy; check before starting.",
            weeks,
        ) % {"weeks": weeks}
    elif early:
        message = ngettext(
            "Pregnancy: first trimester (%(weeks)s week); check before starting.",
            "Pregnancy: first trimester (%(weeks)s weeks); check before starting.",
            weeks,
        ) % {"weeks": weeks}
    elif screening.pregnancy_high_risk:
        message = _("Pregnancy: a high-risk pregnancy; check before starting.")
    else:
        return ScreeningOutcome()
    return ScreeningOutcome(findings=(Finding("pregnancy_risk", Severity.REVIEW, message),))


@rule("conditions")
def conditions(screening, cleared):
    if not (screening.conditions.strip() or screening.medications.strip()):
        return ScreeningOutcome()
    return ScreeningOutcome(
        findings=(
            Finding("conditions", Severity.REVIEW, _("Other conditions or medications noted: read before starting.")),
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
                _("Answers typed in by the front desk from a paper form: check them with the client before starting."),
            ),
        )
    )
