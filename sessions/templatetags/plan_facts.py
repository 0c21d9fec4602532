"""What must be known before touching the client (sessions/_safety.html),
what happened last time (sessions/_plan.html) and how the pain went over the
latest visits (sessions/_pain_trend.html), written in Python rather than
with template tags, as the steps are (see plan_steps): "my day" shows them
for a dozen sessions, and the template engine's loops, lookups and
``{% translate %}`` tags cost more than the rest of the page. The output is
what the templates wrote, value for value: each value localised and escaped
as a template variable is, the fixed words escaped as ``{% translate %}``
escapes them."""

from functools import cache

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.template.defaultfilters import date
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext, pgettext

from clients.templatetags.body_chart import body_chart
from sessions.models import PressureFeedback
from sessions.templatetags.plan_steps import _shown

register = template.Library()


@cache  # one entry per language, as translations themselves are loaded once a process
def _words(language: str | None) -> dict[str, str]:
    """The fixed words of these parts, escaped, in ``language`` (the active one)."""
    # Each a literal, so that makemessages finds it.
    words = {
        "Position": gettext("Position"),
        "Oil": gettext("Oil"),
        "Allergies": gettext("Allergies"),
        "Keep away from": gettext("Keep away from"),
        "Pressure at most": gettext("Pressure at most"),
        "Prepare": gettext("Prepare"),
        "Supports": gettext("Supports"),
        "Precautions": gettext("Precautions"),
        "Adapted for this client": gettext("Adapted for this client"),
        "Pain map": gettext("Pain map"),
        "Do not press": gettext("Do not press"),
        "None recorded.": gettext("None recorded."),
        "Pressure:": gettext("Pressure:"),
        "Pain before → after": gettext("Pain before → after"),
        "eased": pgettext("pain trend", "eased"),
        "worse": pgettext("pain trend", "worse"),
        "same": pgettext("pain trend", "no change"),
        "day_month": pgettext("date format: day and short month", "j M"),
    }
    words = {key: conditional_escape(value) for key, value in words.items()}
    words["verdicts"] = {value: str(label).lower() for value, label in PressureFeedback.Verdict.choices}
    return words


def _lines(lines, shown=_shown) -> str:
    return "".join(f"<li>{shown(line)}</li>" for line in lines)


def _joined(values, separator: str) -> str:
    """As the ``join`` filter writes a list: each value escaped."""
    return conditional_escape(separator).join(conditional_escape(value) for value in values)


@register.simple_tag(takes_context=True)
def safety_facts(context) -> str:
    """The plan in view (``view``) as the therapist prepares for it: position,
    oil, allergies, areas to keep away from, pressure limits, what to have
    ready, precautions, the client's pain map (``entry``) and what not to
    press. Nothing without a plan."""
    view, entry = context.get("view"), context.get("entry") or {}
    if not view:
        return ""
    words = _words(get_language())
    get = view.get
    facts = [
        f"<div><dt>{words['Position']}</dt><dd>{_shown(get('position_label', ''))}</dd></div>",
        f"<div><dt>{words['Oil']}</dt><dd>{_shown(get('oil', ''))}</dd></div>",
    ]
    allergies = entry.get("allergies")
    if allergies:
        facts.append(f'<div><dt>{words["Allergies"]}</dt><dd class="danger-text">{_shown(allergies)}</dd></div>')
    else:
        facts.append("")
    avoid = get("avoid_labels")
    facts.append(
        f'<div><dt>{words["Keep away from"]}</dt><dd class="danger-text">{_joined(avoid, ", ")}</dd></div>'
        if avoid
        else ""
    )
    caps = get("cap_lines")
    facts.append(f"<div><dt>{words['Pressure at most']}</dt><dd>{_joined(caps, '; ')}</dd></div>" if caps else "")
    supports = get("supports")
    supports_html = (
        f"<h4>{words['Supports']}</h4>\n    <ul>"
        + "".join(f"<li>{_shown(item['item'])} — {_shown(item['area_label'])}</li>" for item in supports)
        + "</ul>"
        if supports
        else ""
    )
    adaptations = get("adaptations")
    adaptations_html = (
        f"<h4>{words['Adapted for this client']}</h4>\n    <ul>{_lines(adaptations)}</ul>" if adaptations else ""
    )
    points = entry.get("pain_points")
    points_html = (
        "".join(f"<li>{_shown(point['place'])}: {_shown(point['intensity'])}/10</li>" for point in points)
        if points
        else f"<li>{words['None recorded.']}</li>"
    )
    do_not_press = get("do_not_press")
    do_not_press_html = ""
    if do_not_press:
        sentence = gettext("%(place)s %(intensity)s/10 — do not press: %(reason)s")
        items = "".join(
            "<li>"
            + sentence
            % {
                "place": _shown(point.get("label", "")),
                "intensity": _shown(point.get("intensity", "")),
                "reason": _shown(point.get("reason", "")),
            }
            + "</li>"
            for point in do_not_press
        )
        do_not_press_html = f'<h4>{words["Do not press"]}</h4>\n    <ul class="do-not-press danger-text">{items}</ul>'
    facts_html = "\n  ".join(facts)
    return mark_safe(  # noqa: S308 (every value is escaped above)
        f'\n<dl class="facts">\n  {facts_html}\n</dl>\n<div class="columns">\n  <div>\n'
        f"    <h4>{words['Prepare']}</h4>\n"
        f'    <ul class="prepare">{_lines(get("preparation") or ())}</ul>\n'
        f"    {supports_html}\n"
        f"    <h4>{words['Precautions']}</h4>\n"
        f"    <ul>{_lines(get('precautions') or ())}</ul>\n"
        f"    {adaptations_html}\n"
        f"  </div>\n  <div>\n"
        f"    <h4>{words['Pain map']}</h4>\n"
        f"    {body_chart(entry.get('chart') or [], interactive=False)}\n"
        f'    <ul class="pain-points">{points_html}</ul>\n'
        f"    {do_not_press_html}\n"
        f"  </div>\n</div>\n"
    )


def _pain_visit(visit, day_month: str) -> str:
    before = _shown(visit.pain_before) if visit.pain_before is not None else "?"
    after = _shown(visit.pain_after) if visit.pain_after is not None else "?"
    labels = visit.area_labels
    areas = f" ({_joined(labels, ', ')})" if labels else ""
    day = _shown(date(template_localtime(visit.start), day_month))
    return f"\n    <li>{day} · {_shown(visit.routine)}: {before} → {after}{areas}</li>\n    "


@register.simple_tag(takes_context=True)
def pain_trend_words(context) -> str:
    """How the client's pain went over their latest visits (``entry``'s
    ``pain_visits`` and ``pain_trend``): the trend in words and each visit's
    pain before and after. Nothing without visits."""
    entry = context.get("entry") or {}
    visits = entry.get("pain_visits")
    if not visits:
        return ""
    words = _words(get_language())
    trend = entry.get("pain_trend")
    trend_html = ""
    if trend:
        sentence = ngettext(
            "Before sessions: %(first)s/10 at first, %(latest)s/10 lately (%(direction)s, over %(visits)s visit).",
            "Before sessions: %(first)s/10 at first, %(latest)s/10 lately (%(direction)s, over %(visits)s visits).",
            trend["count"],
        ) % {
            "first": _shown(trend["first"]),
            "latest": _shown(trend["latest"]),
            "direction": words.get(trend["direction"], words["same"]),
            "visits": _shown(trend["count"]),
        }
        trend_html = f'\n  \n  <p class="pain-trend-words">{sentence}</p>\n  '
    day_month = words["day_month"]
    items = "".join(_pain_visit(visit, day_month) for visit in visits)
    return mark_safe(  # noqa: S308 (every value is escaped above)
        f'\n<div class="pain-trend">\n  <h4>{words["Pain before → after"]}</h4>\n  {trend_html}\n  '
        f'<ol class="pain-visits">\n    {items}\n  </ol>\n</div>\n'
    )


@register.simple_tag
def last_visit_words(visit) -> str:
    """The client's previous visit (``entry.last_visit``): when and with
    whom, its notes and what the client said of the pressure."""
    words = _words(get_language())
    day_month = pgettext("date format: day and short month", "j M")
    heading = gettext("Last time (%(day)s, %(therapist)s)") % {
        "day": _shown(date(template_localtime(visit.start), day_month)),
        "therapist": _shown(visit.therapist.display_name),
    }
    try:
        note = visit.note
    except ObjectDoesNotExist:
        note = None
    note_html = (
        f"<p>{_shown(note.client_reported)} {_shown(note.therapist_found)} {_shown(note.work_done)} "
        f"<strong>{_shown(note.advice)}</strong></p>"
        if note
        else ""
    )
    feedback = list(visit.pressure_feedback.all())
    pressure = ""
    if feedback:
        step_words = gettext("step %(step)s %(verdict)s")
        verdicts = words["verdicts"]
        said = ", ".join(
            step_words
            % {
                "step": _shown(item.step),
                "verdict": conditional_escape(verdicts.get(item.verdict, str(item.verdict).lower())),
            }
            for item in feedback
        )
        pressure = f"<p>{words['Pressure:']} {said}.</p>"
    return mark_safe(  # noqa: S308 (every value is escaped above)
        f"\n  <h4>{heading}</h4>\n  \n  {note_html}\n  \n  {pressure}\n  "
    )
