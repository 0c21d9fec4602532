"""A stored session plan as the therapist reads it, in words: the same view
for "my day", the printed day sheet and the session page, so none of them can
show less, or other, than the plan holds.

It reads the plan snapshot (a dict), including plans stored before a field
existed, and never the routine template: the template's pressure is not what
the client gets when the plan lowered it.
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from clients.outcome import Severity
from routines.content import ContentWords
from routines.models import BodyArea, Position, Pressure, area_words

# What the guide asks to have ready before every session, whatever the routine.
GUIDE_PREPARATION = (
    gettext_lazy("A warm, quiet, relaxed room"),
    gettext_lazy("Towels: one to lie on, warm ones to cover what is not being worked"),
    gettext_lazy("Warm the oil in your palm, never pour it onto the body; use little for a deeper effect"),
)
# A painful point's side as written after its area: "neck (left)".
SIDE_WORDS = {
    "left": pgettext_lazy("side of a painful point", "left"),
    "right": pgettext_lazy("side of a painful point", "right"),
    "both": pgettext_lazy("side of a painful point", "both"),
    "alternating": pgettext_lazy("side of a painful point", "alternating"),
}


# The choices' values, once: ``Choices.values`` builds the list of choices anew on every call.
POSITIONS = frozenset(Position.values)
SEVERITIES = frozenset(Severity.values)
BODY_AREAS = tuple(BodyArea.values)


def point_label(point: dict) -> str:
    side = point["side"]
    return f"{area_words(point['area'])} ({SIDE_WORDS.get(side, side)})"


def position_label(position: str) -> str:
    return Position(position).label if position in POSITIONS else position.replace("_", " ")


@cache  # one entry per language, as translations themselves are loaded once a process
def _pressure_words(language: str | None) -> dict[str, str]:
    return {pressure: str(label).lower() for pressure, label in Pressure.choices}


def pressure_label(pressure: str) -> str:
    """A pressure as written in a sentence ("medium"): a dozen of them a step, so looked up, not translated anew."""
    return _pressure_words(get_language()).get(pressure, pressure)


def severity_label(severity: str) -> str:
    return Severity(severity).label if severity in SEVERITIES else severity


def _same_words(line: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", line.casefold()).strip()


def unique_lines(lines) -> list[str]:
    """Each precaution once, even when two sources word it with other case or stops."""
    seen, kept = set(), []
    for line in lines:
        key = _same_words(line)
        if key and key not in seen:
            seen.add(key)
            kept.append(line)
    return kept


def cap_lines(caps: dict[str, str], reasons: dict[str, str]) -> list[str]:
    """The pressure limits in words, areas with the same limit and reason together:
    "light on the neck, upper back, ... (the client prefers light pressure)"."""
    groups: dict[tuple[str, str], list[str]] = {}
    for area in BODY_AREAS:
        if area in caps:
            groups.setdefault((caps[area], reasons.get(area, "")), []).append(area_words(area))
    return [
        _("%(pressure)s on the %(areas)s") % {"pressure": pressure_label(cap), "areas": ", ".join(areas)}
        + (f" ({reason})" if reason else "")
        for (cap, reason), areas in groups.items()
    ]


def step_view(step: dict) -> dict:
    """One step with its pressure per area as planned, and why it is lower
    than the routine's where it is."""
    own = step["pressure"]
    by_area = step.get("pressure_by_area") or dict.fromkeys(step["areas"], own)
    asked = step.get("template_pressure_by_area") or dict.fromkeys(step["areas"], own)
    reasons = step.get("pressure_reasons") or {}
    pressures = []
    for area in step["areas"]:
        planned, routine = by_area.get(area, own), asked.get(area, own)
        pressures.append(
            {
                "area": area,
                "label": area_words(area),
                "pressure": planned,
                "pressure_label": pressure_label(planned),
                "routine_pressure_label": pressure_label(routine),
                "lowered": planned != routine,
                "reason": reasons.get(area, _("the screening")) if planned != routine else "",
            }
        )
    return {
        **step,
        "area_labels": [item["label"] for item in pressures],
        "pressures": pressures,
        "lowered": any(item["lowered"] for item in pressures),
        "routine_pressure_label": pressure_label(own),  # the step's headline pressure
        "targets": [{**point, "label": point_label(point)} for point in step.get("pain_points", ())],
    }


def plan_in_reader_language(plan: dict, words: ContentWords) -> dict:
    """The plan with the routine's own words (its name, supplies,
    precautions, step names and notes) in the reader's language where the
    routine has them translated; the plan's other sentences stay as built."""
    routine_id = plan.get("routine_id")

    def step_in_language(step: dict) -> dict:
        notes = list(step.get("notes", ()))
        if notes:  # the step's own notes come first; the builder's follow
            notes[0] = words.step_text(routine_id, step.get("template_order"), "notes", notes[0])
        return {**step, "technique": words.technique_name(step["technique"]), "notes": notes}

    return {
        **plan,
        "routine_name": words.routine_text(routine_id, "name", plan.get("routine_name", "")),
        "surface": words.routine_text(routine_id, "surface", plan.get("surface", "")),
        "oil": words.routine_text(routine_id, "oil", plan.get("oil", "")),
        "supplies": words.routine_lines(routine_id, "supports", plan.get("supplies", ())),
        "precautions": words.routine_lines(routine_id, "precautions", plan.get("precautions", ())),
        "steps": [step_in_language(step) for step in plan.get("steps", ())],
    }


def plan_view(plan: dict | None, words: ContentWords | None = None) -> dict | None:
    """The whole plan in words; None when there is no plan. With ``words``,
    the routine's content is in the reader's language (see
    :func:`plan_in_reader_language`)."""
    if not plan:
        return None
    if words is not None:
        plan = plan_in_reader_language(plan, words)
    supports = [{**support, "area_label": area_words(support["area"])} for support in plan.get("supports", ())]
    findings = [{**finding, "severity_label": severity_label(finding["severity"])} for finding in plan.get("flags", ())]
    return {
        **plan,
        "position_label": position_label(plan["position"]),
        "avoid_labels": [area_words(area) for area in plan.get("avoid_areas", ())],
        "cap_lines": cap_lines(plan.get("pressure_caps", {}), plan.get("pressure_cap_reasons", {})),
        "supports": supports,
        "findings": findings,
        "review_findings": [finding for finding in findings if finding["severity"] != Severity.INFO],
        "precautions": unique_lines(plan.get("precautions", ())),
        "preparation": [
            *GUIDE_PREPARATION,
            _("Surface: %(surface)s") % {"surface": plan.get("surface") or _("a firm massage table")},
            _("Oil: %(oil)s") % {"oil": plan["oil"]},
            _("Towels: %(towels)s") % {"towels": plan.get("towels", 3)},
            *plan.get("supplies", ()),
            *(f"{support['item']} ({support['area_label']})" for support in supports),
        ],
        "steps": [step_view(step) for step in plan.get("steps", ())],
        "do_not_press": [{**point, "label": point_label(point)} for point in plan.get("do_not_press", ())],
    }
