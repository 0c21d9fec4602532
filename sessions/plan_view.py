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


@cache  # one entry per language, as translations themselves are loaded once a process
def _words(language: str | None) -> dict:
    """The words a plan's view is written with, in ``language`` (the active
    one): "my day" writes a dozen plans, each naming the same areas,
    pressures and sides many times over, and translating each anew cost
    more than the rest of the view."""
    return {
        "areas": {area: area_words(area) for area in BODY_AREAS},
        "pressures": {pressure: str(label).lower() for pressure, label in Pressure.choices},
        "sides": {side: str(words) for side, words in SIDE_WORDS.items()},
        "positions": {position: str(label) for position, label in Position.choices},
        "severities": {severity: str(label) for severity, label in Severity.choices},
        "preparation": tuple(str(line) for line in GUIDE_PREPARATION),
        "caps": _("%(pressure)s on the %(areas)s"),
        "lowered_by_screening": _("the screening"),
        "surface": _("Surface: %(surface)s"),
        "firm_table": _("a firm massage table"),
        "oil": _("Oil: %(oil)s"),
        "towels": _("Towels: %(towels)s"),
    }


def _area_label(area: str, areas: dict[str, str]) -> str:
    label = areas.get(area)
    return area_words(area) if label is None else label


def point_label(point: dict) -> str:
    side, words = point["side"], _words(get_language())
    return f"{_area_label(point['area'], words['areas'])} ({words['sides'].get(side, side)})"


def position_label(position: str) -> str:
    label = _words(get_language())["positions"].get(position)
    return position.replace("_", " ") if label is None else label


def pressure_label(pressure: str) -> str:
    """A pressure as written in a sentence ("medium"): a dozen of them a step, so looked up, not translated anew."""
    return _words(get_language())["pressures"].get(pressure, pressure)


def severity_label(severity: str) -> str:
    return _words(get_language())["severities"].get(severity, severity)


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
    words = _words(get_language())
    groups: dict[tuple[str, str], list[str]] = {}
    for area in BODY_AREAS:
        if area in caps:
            groups.setdefault((caps[area], reasons.get(area, "")), []).append(words["areas"][area])
    pressures = words["pressures"]
    return [
        words["caps"] % {"pressure": pressures.get(cap, cap), "areas": ", ".join(areas)}
        + (f" ({reason})" if reason else "")
        for (cap, reason), areas in groups.items()
    ]


def step_view(step: dict, words: dict | None = None) -> dict:
    """One step with its pressure per area as planned, and why it is lower
    than the routine's where it is."""
    words = words or _words(get_language())
    areas, pressure_words, sides = words["areas"], words["pressures"], words["sides"]
    own = step["pressure"]
    by_area = step.get("pressure_by_area") or dict.fromkeys(step["areas"], own)
    asked = step.get("template_pressure_by_area") or dict.fromkeys(step["areas"], own)
    reasons = step.get("pressure_reasons") or {}
    pressures = []
    for area in step["areas"]:
        planned, routine = by_area.get(area, own), asked.get(area, own)
        lowered = planned != routine
        pressures.append(
            {
                "area": area,
                "label": _area_label(area, areas),
                "pressure": planned,
                "pressure_label": pressure_words.get(planned, planned),
                "routine_pressure_label": pressure_words.get(routine, routine),
                "lowered": lowered,
                "reason": reasons.get(area, words["lowered_by_screening"]) if lowered else "",
            }
        )
    return {
        **step,
        "area_labels": [item["label"] for item in pressures],
        "pressures": pressures,
        "lowered": any(item["lowered"] for item in pressures),
        "routine_pressure_label": pressure_words.get(own, own),  # the step's headline pressure
        "targets": [
            {**point, "label": f"{_area_label(point['area'], areas)} ({sides.get(point['side'], point['side'])})"}
            for point in step.get("pain_points", ())
        ],
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
    said = _words(get_language())
    areas, sides = said["areas"], said["sides"]
    supports = [{**support, "area_label": _area_label(support["area"], areas)} for support in plan.get("supports", ())]
    severities = said["severities"]
    findings = [
        {**finding, "severity_label": severities.get(finding["severity"], finding["severity"])}
        for finding in plan.get("flags", ())
    ]
    position = plan["position"]
    return {
        **plan,
        "position_label": said["positions"].get(position) or position.replace("_", " "),
        "avoid_labels": [_area_label(area, areas) for area in plan.get("avoid_areas", ())],
        "cap_lines": cap_lines(plan.get("pressure_caps", {}), plan.get("pressure_cap_reasons", {})),
        "supports": supports,
        "findings": findings,
        "review_findings": [finding for finding in findings if finding["severity"] != Severity.INFO],
        "precautions": unique_lines(plan.get("precautions", ())),
        "preparation": [
            *said["preparation"],
            said["surface"] % {"surface": plan.get("surface") or said["firm_table"]},
            said["oil"] % {"oil": plan["oil"]},
            said["towels"] % {"towels": plan.get("towels", 3)},
            *plan.get("supplies", ()),
            *(f"{support['item']} ({support['area_label']})" for support in supports),
        ],
        "steps": [step_view(step, said) for step in plan.get("steps", ())],
        "do_not_press": [
            {**point, "label": f"{_area_label(point['area'], areas)} ({sides.get(point['side'], point['side'])})"}
            for point in plan.get("do_not_press", ())
        ],
    }
