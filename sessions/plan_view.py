"""A stored session plan as the therapist reads it, in words: the same view
for "my day", the printed day sheet and the session page, so none of them can
show less, or other, than the plan holds.

It reads the plan snapshot (a dict), including plans stored before a field
existed, and never the routine template: the template's pressure is not what
the client gets when the plan lowered it.
"""

from __future__ import annotations

import re

from clients.outcome import Severity
from routines.models import BodyArea, Position, Pressure, area_words

# What the guide asks to have ready before every session, whatever the routine.
GUIDE_PREPARATION = (
    "A warm, quiet, relaxed room",
    "Towels: one to lie on, warm ones to cover what is not being worked",
    "Warm the oil in your palm, never pour it onto the body; use little for a deeper effect",
)


def position_label(position: str) -> str:
    return Position(position).label if position in Position.values else position.replace("_", " ")


def pressure_label(pressure: str) -> str:
    return Pressure(pressure).label.lower() if pressure in Pressure.values else pressure


def severity_label(severity: str) -> str:
    return Severity(severity).label if severity in Severity.values else severity


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
    for area in BodyArea.values:
        if area in caps:
            groups.setdefault((caps[area], reasons.get(area, "")), []).append(area_words(area))
    return [
        f"{pressure_label(cap)} on the {', '.join(areas)}" + (f" ({reason})" if reason else "")
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
                "reason": reasons.get(area, "the screening") if planned != routine else "",
            }
        )
    return {
        **step,
        "area_labels": [item["label"] for item in pressures],
        "pressures": pressures,
        "lowered": any(item["lowered"] for item in pressures),
        "routine_pressure_label": pressure_label(own),  # the step's headline pressure
        "targets": [
            {**point, "label": f"{area_words(point['area'])} ({point['side']})"}
            for point in step.get("pain_points", ())
        ],
    }


def plan_view(plan: dict | None) -> dict | None:
    """The whole plan in words; None when there is no plan."""
    if not plan:
        return None
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
            f"Surface: {plan.get('surface') or 'a firm massage table'}",
            f"Oil: {plan['oil']}",
            f"Towels: {plan.get('towels', 3)}",
            *plan.get("supplies", ()),
            *(f"{support['item']} ({support['area_label']})" for support in supports),
        ],
        "steps": [step_view(step) for step in plan.get("steps", ())],
        "do_not_press": [
            {**point, "label": f"{area_words(point['area'])} ({point['side']})"}
            for point in plan.get("do_not_press", ())
        ],
    }
