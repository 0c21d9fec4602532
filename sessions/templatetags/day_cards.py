"""The head of a session's card on "my day" (the free time before it, when,
who, where, what and its status), written in Python rather than with template
tags, as the plan's parts are (see plan_steps): the page writes a dozen
cards. The output is what sessions/my_day.html wrote with tags, value for
value: each value localised and escaped as a template variable is."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from routines.content import text_in
from sessions.templatetags.plan_steps import _shown

register = template.Library()


def _flag(flag: dict) -> str:
    return f'<span class="flag flag-{_shown(flag["code"])}">{_shown(flag["label"])}</span>'


@register.simple_tag(takes_context=True)
def session_head(context) -> str:
    """The card's opening of the session in view (``entry``), up to the end
    of its header; with ``several_locations`` each names its location."""
    entry = context["entry"]
    appointment = entry["appointment"]
    gap = entry.get("gap_minutes")
    gap_html = f'<p class="gap">{gettext("%(minutes)s min free") % {"minutes": _shown(gap)}}</p>' if gap else ""
    room = appointment.room
    location = (
        f'<strong class="location">{_shown(room.salon.name)}</strong> · ' if context.get("several_locations") else ""
    )
    routine = _shown(text_in(appointment.routine, "name")) if appointment.routine is not None else ""
    turnover = gettext("+ %(minutes)s min turnover") % {"minutes": _shown(entry["turnover_minutes"])}
    return mark_safe(  # noqa: S308 (every value is escaped above)
        f'{gap_html}\n  <article class="card session" id="session-{_shown(appointment.pk)}">\n'
        f'    <header class="session-head">\n'
        f"      <h2>{_shown(entry['starts'])}–{_shown(entry['ends'])} · {_shown(appointment.client)}</h2>\n"
        f"      <p>{location}{routine} · {_shown(room.name)} · "
        f'<strong class="status">{_shown(entry["status_label"])}</strong>\n'
        f'        <span class="muted">{turnover}</span></p>\n'
        f"      {''.join(_flag(flag) for flag in entry['flags'])}\n"
        f"    </header>"
    )
