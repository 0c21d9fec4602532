"""What a plan's step says (its time, technique, pressure per area, thumb
pressure points and notes), written in Python rather than with template tags:
"my day" shows a dozen plans of several steps, each step a loop over its
areas, and the template engine's loops were the larger part of the page's
CPU (bench/day_view.py). The output is what sessions/_steps.html wrote with
tags, value for value: each value localised and escaped as a template
variable is."""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _shown(value) -> str:
    """A value as ``{{ value }}`` writes it: localised, then escaped."""
    return conditional_escape(localize(value))


def _pressure_item(item: dict, lowered_words: str) -> str:
    lowered = ""
    if item["lowered"]:
        because = lowered_words % {"pressure": _shown(item["routine_pressure_label"]), "reason": _shown(item["reason"])}
        lowered = f' <span class="muted">{because}</span>'
    area, pressure = _shown(item["area"]), _shown(item["pressure"])
    return (
        f'<li><span class="area-pressure" data-area="{area}" data-pressure="{pressure}">'
        f"{_shown(item['label'])}: <strong>{_shown(item['pressure_label'])}</strong></span>{lowered}</li>"
    )


@register.simple_tag
def step_summary(step: dict) -> str:
    """One step of :func:`sessions.plan_view.step_view`, from its time to its
    notes (the timer and the pressure buttons stay in the template)."""
    get = step.get
    timing = gettext("%(offset)s′ · %(minutes)s min") % {
        "offset": _shown(get("start_offset", "")),
        "minutes": _shown(get("minutes", "")),
    }
    lowered_words = gettext("(not %(pressure)s: %(reason)s)")
    pressures = "".join(_pressure_item(item, lowered_words) for item in step["pressures"])
    targets = ""
    if step["targets"]:
        points = ", ".join(f"{_shown(point['label'])} {_shown(point['intensity'])}/10" for point in step["targets"])
        targets = f"<p><em>{_shown(gettext('Thumb pressure on:'))}</em> {points}</p>"  # as {% translate %}: escaped
    notes = "".join(f'<p class="muted">{_shown(note)}</p>' for note in get("notes", ()))
    return mark_safe(  # noqa: S308 (every value from the plan is escaped above)
        f'<span class="offset">{timing}</span>\n'
        f"  <strong>{_shown(get('order', ''))}. {_shown(get('technique', ''))}</strong> — {_shown(get('dose', ''))}\n"
        f'  <ul class="step-pressure">\n    {pressures}\n  </ul>\n'
        f"  {targets}\n"
        f"  {notes}"
    )
