"""A plan's steps (each one's time, technique, pressure per area, thumb
pressure points and notes; on the running session's page its timer and
pressure buttons too), written in Python rather than with template tags:
"my day" shows a dozen plans of several steps, each step a loop over its
areas, and the template engine's loops were the larger part of the page's
CPU (bench/day_view.py). The output is what sessions/_steps.html wrote with
tags, value for value: each value localised and escaped as a template
variable is."""

import html
from functools import cache

from django import template
from django.conf import settings
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

register = template.Library()


def _shown(value) -> str:
    """A value as ``{{ value }}`` writes it: localised, then escaped. Plain
    text and whole numbers, most of a plan, take a shorter way to the same
    output (Django's escaping is ``html.escape`` behind a check for lazy
    text; a number is grouped only with ``USE_THOUSAND_SEPARATOR``)."""
    kind = type(value)
    if kind is str:
        return html.escape(value)
    if kind is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
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


@cache  # one entry per language, as translations themselves are loaded once a process
def _words(language: str | None) -> dict[str, str]:
    """The fixed words of a step in ``language`` (the active one); those a
    template wrote with ``{% translate %}`` escaped as it escapes them."""
    return {
        "timing": gettext("%(offset)s′ · %(minutes)s min"),
        "lowered": gettext("(not %(pressure)s: %(reason)s)"),
        "thumb_pressure": _shown(gettext("Thumb pressure on:")),
        "timer": _shown(gettext("Timer")),
        "asking": gettext("How the pressure feels on step %(step)s"),
    }


@register.simple_tag
def step_summary(step: dict) -> str:
    """One step of :func:`sessions.plan_view.step_view`, from its time to its
    notes (:func:`step_items` adds the timer and the pressure buttons)."""
    get = step.get
    words = _words(get_language())
    timing = words["timing"] % {"offset": _shown(get("start_offset", "")), "minutes": _shown(get("minutes", ""))}
    pressures = "".join(_pressure_item(item, words["lowered"]) for item in step["pressures"])
    targets = ""
    if step["targets"]:
        points = ", ".join(f"{_shown(point['label'])} {_shown(point['intensity'])}/10" for point in step["targets"])
        targets = f"<p><em>{words['thumb_pressure']}</em> {points}</p>"
    notes = "".join(f'<p class="muted">{_shown(note)}</p>' for note in get("notes", ()))
    return mark_safe(  # noqa: S308 (every value from the plan is escaped above)
        f'<span class="offset">{timing}</span>\n'
        f"  <strong>{_shown(get('order', ''))}. {_shown(get('technique', ''))}</strong> — {_shown(get('dose', ''))}\n"
        f'  <ul class="step-pressure">\n    {pressures}\n  </ul>\n'
        f"  {targets}\n"
        f"  {notes}"
    )


def _timer(step: dict) -> str:
    return (
        f'\n  <p class="timer" aria-live="off"><span data-timer>{_shown(step.get("minutes", ""))}:00</span> '
        f'<button type="button" class="button-secondary" data-timer-start>{_words(get_language())["timer"]}</button>'
        "</p>\n  "
    )


def _pressure_form(context, step: dict) -> str:
    """The buttons the client's word on the pressure is recorded with, for one step."""
    action = conditional_escape(reverse("session-action", args=[context["appointment"].pk, "pressure"]))
    order = _shown(step.get("order", ""))
    label = _words(get_language())["asking"] % {"step": order}
    buttons = "".join(
        f'<button type="submit" name="verdict" value="{_shown(value)}" class="button-secondary">'
        f"{_shown(words)}</button>"
        for value, words in context.get("verdicts") or ()
    )
    return (
        f'\n  <form method="post" action="{action}" class="pressure"\n'
        f'        hx-post="{action}" hx-target="#pressure-so-far" hx-select="#pressure-so-far" hx-swap="outerHTML"\n'
        f'        aria-label="{label}">\n'
        f'    {CsrfTokenNode().render(context)}<input type="hidden" name="step" value="{order}">\n'
        f"    {buttons}\n"
        f"  </form>\n  "
    )


@register.simple_tag(takes_context=True)
def step_items(context) -> str:
    """Every step of the plan in view (``view``) as a list item; with
    ``timer`` each has its timer, with ``feedback_form`` its pressure buttons
    (the session page while it runs)."""
    view = context.get("view")
    steps = view.get("steps") if view else None
    if not steps:
        return ""
    timer, feedback_form = context.get("timer"), context.get("feedback_form")
    items = []
    for step in steps:
        items.append(
            f'\n<li class="plan-step" data-step="{_shown(step.get("order", ""))}" '
            f'data-minutes="{_shown(step.get("minutes", ""))}">\n'
            f"  {step_summary(step)}\n"
            f"  {_timer(step) if timer else ''}\n"
            f"  {_pressure_form(context, step) if feedback_form else ''}\n"
            "</li>\n"
        )
    return mark_safe("".join(items))  # noqa: S308 (each value escaped where it is written)
