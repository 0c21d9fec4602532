"""The session-plan builder: a routine version made concrete for one client on
one day.

``build_plan`` is a pure function of (routine version, screening outcome,
booked minutes). It never includes a step that works an area the screening
says to avoid, never plans more pressure than a cap allows, keeps the
routine's order, and fits the steps into the booked minutes by shortening
steps with a duration range (never below their minimum), or refuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from clients.outcome import Finding, PainPoint, ScreeningOutcome, Support, painful_points_to_press, pressure_words
from routines.models import PRESSURE_RANK, BodyArea, area_words
from routines.specs import RoutineSpec, StepSpec
from salon.errors import InvalidInput
from salon.plain_data import as_plain_data

# How a position and a qualification read inside a refusal's sentence.
POSITION_WORDS = {
    "prone": pgettext_lazy("position in a sentence", "prone"),
    "side_lying": pgettext_lazy("position in a sentence", "side-lying"),
    "seated": pgettext_lazy("position in a sentence", "seated"),
}
QUALIFICATION_WORDS = {
    "therapeutic": pgettext_lazy("qualification in a sentence", "therapeutic"),
    "pregnancy": pgettext_lazy("qualification in a sentence", "pregnancy"),
}


def position_words(position: str) -> str:
    return str(POSITION_WORDS.get(position, position.replace("_", "-")))


def qualification_words(qualification: str) -> str:
    return str(QUALIFICATION_WORDS.get(qualification, qualification))


@dataclass(frozen=True)
class RoutineWords:
    """The routine's own words as the plan's sentences name them: its name,
    its oil and its steps' techniques (by step order), in the plan's language
    where the routine has them translated. The plan keeps them as written
    (a page swaps them for its reader: sessions/plan_view.py); only its
    sentences ("Oil: ... instead of ...", "Step 6 (...) left out") use these."""

    name: str
    oil: str
    techniques: dict[int, str] = field(default_factory=dict)

    @classmethod
    def as_written(cls, routine: RoutineSpec) -> RoutineWords:
        return cls(name=routine.name, oil=routine.oil)

    def technique(self, step: StepSpec) -> str:
        return self.techniques.get(step.order) or step.technique


class PlanNotPossible(InvalidInput):
    """The routine cannot be given to this client in this time. ``code`` says
    why: routine_blocked, position_not_allowed, qualification_required,
    no_steps_left, core_step_lost or booking_too_short."""

    default_code = "plan_not_possible"


@dataclass(frozen=True)
class PlanStep:
    order: int
    template_order: int
    technique: str
    hand_part: str
    areas: tuple[str, ...]
    direction: str
    side: str
    pressure: str
    # What the routine asks per area (its own pressure, lighter where it
    # says, e.g. the neck), and what the plan allows.
    template_pressure_by_area: dict[str, str]
    pressure_by_area: dict[str, str]
    # For each area planned lighter than the step's own pressure: why.
    pressure_reasons: dict[str, str]
    start_offset: int
    minutes: int
    dose: str
    repeat_of: int | None
    pain_points: tuple[PainPoint, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class UnpressedPoint:
    """A painful point that is not a thumb-pressure target, and why."""

    area: str
    side: str
    intensity: int
    reason: str


@dataclass(frozen=True)
class Plan:
    routine_id: int | None
    routine_slug: str
    routine_name: str
    routine_version: int
    position: str
    qualification: str
    surface: str
    oil: str
    towels: int
    supplies: tuple[str, ...]
    supports: tuple[Support, ...]
    precautions: tuple[str, ...]
    avoid_areas: tuple[str, ...]
    pressure_caps: dict[str, str]
    pressure_cap_reasons: dict[str, str]
    pain_points: tuple[PainPoint, ...]
    # Points of the pain map shown "do not press": on the spine or where the
    # screening says to keep away.
    do_not_press: tuple[UnpressedPoint, ...]
    flags: tuple[Finding, ...]
    adaptations: tuple[str, ...]
    steps: tuple[PlanStep, ...]
    booked_minutes: int
    planned_minutes: int

    def to_dict(self) -> dict:
        return as_plain_data(self)


def _lower(pressure: str, cap: str | None) -> str:
    """The pressure to plan: the step's own, or the cap when the step would exceed it."""
    if cap is None or PRESSURE_RANK[pressure] <= PRESSURE_RANK[cap]:
        return pressure
    return cap


def _cap_for(area: str, outcome: ScreeningOutcome) -> str | None:
    limits = [limit for limit in (outcome.pressure_caps.get(area), outcome.max_pressure) if limit]
    return min(limits, key=PRESSURE_RANK.__getitem__) if limits else None


def _why_capped(area: str, cap: str, outcome: ScreeningOutcome) -> str:
    """The reasons of the limits that hold ``area`` at ``cap``."""
    screening = _("the screening")
    reasons = []
    if outcome.pressure_caps.get(area) == cap:
        reasons.append(outcome.limit_reasons.get(area, screening))
    if outcome.max_pressure == cap:
        reasons.append(outcome.limit_reasons.get("*", screening))
    return "; ".join(dict.fromkeys(reasons)) or screening


def _refuse_if_not_allowed(routine: RoutineSpec, outcome: ScreeningOutcome, words: RoutineWords) -> None:
    worked = {area for step in routine.steps for area in step.areas}
    blocked = worked & outcome.blocked_areas
    if blocked:
        reasons = "; ".join(str(finding.message) for finding in outcome.blocking_findings) or _("the screening")
        raise PlanNotPossible(
            _("%(routine)s works the %(areas)s, blocked by: %(reasons)s.")
            % {"routine": words.name, "areas": ", ".join(map(area_words, sorted(blocked))), "reasons": reasons},
            code="routine_blocked",
        )
    if outcome.position and routine.position != outcome.position:
        raise PlanNotPossible(
            _("%(routine)s is given %(given)s; this client needs %(needed)s.")
            % {
                "routine": words.name,
                "given": position_words(routine.position),
                "needed": position_words(outcome.position),
            },
            code="position_not_allowed",
        )
    if outcome.qualification and routine.qualification != outcome.qualification:
        raise PlanNotPossible(
            _("This client needs a routine designed for %(qualification)s massage; %(routine)s is not.")
            % {"qualification": qualification_words(outcome.qualification), "routine": words.name},
            code="qualification_required",
        )


def _pressable(outcome: ScreeningOutcome) -> tuple[tuple[PainPoint, ...], tuple[UnpressedPoint, ...]]:
    """Painful points split into thumb-pressure targets and points not to
    press: the guide allows no direct pressure on the spine, and an area the
    screening says to keep away from is not touched at all."""
    targets, unpressed = [], []
    for point in outcome.pain_points:
        if point.area == BodyArea.SPINE:
            why = _("no direct pressure on the spine")
            unpressed.append(UnpressedPoint(point.area, point.side, point.intensity, why))
        elif point.area in outcome.avoid_areas:
            why = _("the screening says to keep away")
            unpressed.append(UnpressedPoint(point.area, point.side, point.intensity, why))
        else:
            targets.append(point)
    return tuple(targets), tuple(unpressed)


def _refuse_without_core(
    routine: RoutineSpec, kept_orders: set[int], outcome: ScreeningOutcome, words: RoutineWords
) -> None:
    """A routine that would lose a core step is not that routine any more."""
    lost = [step for step in routine.steps if step.core and step.order not in kept_orders]
    if not lost:
        return
    step = lost[0]
    where = (
        _("beside the spine")
        if step.beside_spine and BodyArea.SPINE in outcome.avoid_areas
        else _("only the %(areas)s") % {"areas": ", ".join(map(area_words, step.areas))}
    )
    raise PlanNotPossible(
        _(
            "%(routine)s without step %(order)s (%(technique)s) would not be %(routine)s: "
            "it works %(where)s, which the screening says to keep away from. Choose another routine."
        )
        % {"routine": words.name, "order": step.order, "technique": words.technique(step), "where": where},
        code="core_step_lost",
    )


def _flags(outcome: ScreeningOutcome, steps, do_not_press) -> tuple[Finding, ...]:
    """The screening's findings, with the painful points counted as this plan works them."""
    flags = tuple(finding for finding in outcome.findings if finding.rule != "pain_points")
    worked = sum(len(step.pain_points) for step in steps)
    if worked:
        flags += (Finding("pain_points", "info", painful_points_to_press(worked)),)
    if do_not_press:
        count = len(do_not_press)
        message = ngettext("%(count)s painful point not to press.", "%(count)s painful points not to press.", count) % {
            "count": count
        }
        flags += (Finding("pain_points_not_pressed", "info", message),)
    return flags


def _fit_minutes(steps: list[StepSpec], booked_minutes: int) -> list[int]:
    """Typical minutes per step, fitted to the booking a minute at a time:
    shortened from the step with the most room above its minimum, or, for a
    longer booking, lengthened on the timed step with the most room below
    its most (a count of movements is what it is). Minutes beyond every
    step's most stay unplanned."""
    minutes = [step.typical_minutes for step in steps]
    deficit = sum(minutes) - booked_minutes
    room = [typical - step.minimum_minutes for typical, step in zip(minutes, steps, strict=True)]
    if deficit > sum(room):
        needed = sum(step.minimum_minutes for step in steps)
        raise PlanNotPossible(
            _("The routine needs at least %(needed)s minutes; %(booked)s are booked.")
            % {"needed": needed, "booked": booked_minutes},
            code="booking_too_short",
            fields={"minutes": [_("Book at least %(minimum)s minutes.") % {"minimum": needed}]},
        )
    while deficit > 0:
        most = max(range(len(steps)), key=lambda index: (room[index], index))
        minutes[most] -= 1
        room[most] -= 1
        deficit -= 1
    headroom = [step.maximum_minutes - typical for typical, step in zip(minutes, steps, strict=True)]
    surplus = -deficit
    while surplus > 0 and any(headroom):
        most = max(range(len(steps)), key=lambda index: (headroom[index], -index))
        minutes[most] += 1
        headroom[most] -= 1
        surplus -= 1
    return minutes


def build_plan(
    *, routine: RoutineSpec, outcome: ScreeningOutcome, booked_minutes: int, words: RoutineWords | None = None
) -> Plan:
    """The plan for one session: the routine's steps adapted to the outcome
    (areas dropped, pressure capped, pain points attached, supports and oil)
    and fitted to the booked minutes, or ``PlanNotPossible``. Its sentences
    name the routine's things in ``words`` (default: as the routine writes them).

    It stays one function, longer than the others, on purpose: it is the
    safety rule of the whole product read top to bottom, step by step, in the
    order a therapist would check it; the property tests in
    tests/sessions/test_plans.py hold it to "no forbidden step, no pressure
    above its cap". Split, the order of the checks would be harder to see.
    """
    words = words or RoutineWords.as_written(routine)
    _refuse_if_not_allowed(routine, outcome, words)
    adaptations: list[str] = []
    kept: list[tuple[StepSpec, tuple[str, ...], list[str]]] = []

    # The plan's own sentences are in the active language: its therapist's
    # (sessions/services/plans.py), naming the routine's things in ``words``.
    for step in routine.steps:
        named = {"order": step.order, "technique": words.technique(step)}
        if step.beside_spine and BodyArea.SPINE in outcome.avoid_areas:
            adaptations.append(
                _(
                    "Step %(order)s (%(technique)s) left out: it works beside the spine, "
                    "which the screening says to keep away from."
                )
                % named
            )
            continue
        areas = tuple(area for area in step.areas if area not in outcome.avoid_areas)
        avoided = ", ".join(area_words(area) for area in step.areas if area in outcome.avoid_areas)
        if not areas:
            adaptations.append(
                _(
                    "Step %(order)s (%(technique)s) left out: it works only the %(areas)s, "
                    "which the screening says to avoid."
                )
                % {**named, "areas": avoided}
            )
            continue
        notes = [step.notes] if step.notes else []
        if avoided:
            notes.append(_("Keep away from the %(areas)s (screening).") % {"areas": avoided})
            adaptations.append(_("Step %(order)s keeps away from the %(areas)s.") % {**named, "areas": avoided})
        kept.append((step, areas, notes))

    if not kept:
        raise PlanNotPossible(
            _("Every step of %(routine)s works an area the screening says to avoid.") % {"routine": words.name},
            code="no_steps_left",
        )
    _refuse_without_core(routine, {step.order for step, _, _ in kept}, outcome, words)

    minutes = _fit_minutes([step for step, _, _ in kept], booked_minutes)
    shortened = [
        step.order for (step, _, _), planned in zip(kept, minutes, strict=True) if planned < step.typical_minutes
    ]
    if shortened:
        adaptations.append(
            ngettext(
                "Shortened to fit %(booked)s booked minutes: step %(steps)s.",
                "Shortened to fit %(booked)s booked minutes: steps %(steps)s.",
                len(shortened),
            )
            % {"booked": booked_minutes, "steps": ", ".join(map(str, shortened))}
        )
    lengthened = [
        step.order for (step, _, _), planned in zip(kept, minutes, strict=True) if planned > step.typical_minutes
    ]
    if lengthened:
        adaptations.append(
            ngettext(
                "Lengthened to fill %(booked)s booked minutes: step %(steps)s.",
                "Lengthened to fill %(booked)s booked minutes: steps %(steps)s.",
                len(lengthened),
            )
            % {"booked": booked_minutes, "steps": ", ".join(map(str, lengthened))}
        )
    if sum(minutes) < booked_minutes:
        spare = booked_minutes - sum(minutes)
        adaptations.append(
            ngettext(
                "%(minutes)s booked minute beyond the routine's longest: give it to the client's painful points "
                "or to more stroking, as the client prefers.",
                "%(minutes)s booked minutes beyond the routine's longest: give them to the client's painful points "
                "or to more stroking, as the client prefers.",
                spare,
            )
            % {"minutes": spare}
        )

    painful, do_not_press = _pressable(outcome)
    plan_steps = []
    offset = 0
    for number, ((step, areas, notes), planned) in enumerate(zip(kept, minutes, strict=True), start=1):
        # Lighter where the routine says (the neck), never firmer than the step.
        asked = {area: _lower(step.area_pressure.get(area, step.pressure), step.pressure) for area in areas}
        pressure_by_area = {area: _lower(asked[area], _cap_for(area, outcome)) for area in areas}
        pressure_reasons = {
            area: _why_capped(area, pressure, outcome)
            for area, pressure in pressure_by_area.items()
            if pressure != asked[area]
        }
        for area, why in pressure_reasons.items():
            notes.append(
                _("%(area)s: %(pressure)s pressure only (%(why)s).")
                % {"area": capfirst(area_words(area)), "pressure": pressure_words(pressure_by_area[area]), "why": why}
            )
        targets = tuple(point for point in painful if point.area in areas) if step.uses_pain_map else ()
        if step.uses_pain_map and not targets:
            notes.append(_("No painful points recorded here: ask the client and feel for knots of tension."))
        plan_steps.append(
            PlanStep(
                order=number,
                template_order=step.order,
                technique=step.technique,
                hand_part=step.hand_part,
                areas=areas,
                direction=step.direction,
                side=step.side,
                pressure=step.pressure,
                template_pressure_by_area=asked,
                pressure_by_area=pressure_by_area,
                pressure_reasons=pressure_reasons,
                start_offset=offset,
                minutes=planned,
                dose=step.dose_text,
                repeat_of=step.repeat_of,
                pain_points=targets,
                notes=tuple(notes),
            )
        )
        offset += planned

    supports = tuple(support for support in outcome.supports if support.position in {"", routine.position})
    if len(supports) < len(outcome.supports):
        adaptations.append(_("Pads for lying on the front left out: this routine is given in another position."))
    flags = _flags(outcome, plan_steps, do_not_press)

    oil = outcome.oil or routine.oil
    if outcome.oil and outcome.oil != routine.oil:
        adaptations.append(
            _("Oil: %(oil)s instead of %(routine_oil)s (screening).") % {"oil": outcome.oil, "routine_oil": words.oil}
        )
    precautions = tuple(dict.fromkeys((*routine.precautions, *outcome.precautions)))
    caps = {area: cap for area in BodyArea.values if (cap := _cap_for(area, outcome))}

    return Plan(
        routine_id=routine.id,
        routine_slug=routine.slug,
        routine_name=routine.name,
        routine_version=routine.version,
        position=routine.position,
        qualification=routine.qualification,
        surface=routine.surface,
        oil=oil,
        towels=routine.towels,
        supplies=routine.supports,
        supports=supports,
        precautions=precautions,
        avoid_areas=tuple(area for area in BodyArea.values if area in outcome.avoid_areas),
        pressure_caps=caps,
        pressure_cap_reasons={area: _why_capped(area, cap, outcome) for area, cap in caps.items()},
        pain_points=painful,
        do_not_press=do_not_press,
        flags=flags,
        adaptations=tuple(adaptations),
        steps=tuple(plan_steps),
        booked_minutes=booked_minutes,
        planned_minutes=offset,
    )
