"""How the report's figures read: rates as whole percentages, minutes as
hours, and a dash where a figure means nothing (a rate of no bookings)."""

from django import template

register = template.Library()
NOTHING = "—"


@register.filter
def percent(ratio) -> str:
    return NOTHING if ratio is None else f"{ratio * 100:.0f} %"


@register.filter
def hours(minutes) -> str:
    if minutes is None:
        return NOTHING
    whole, rest = divmod(int(minutes), 60)
    return f"{whole} h {rest:02d}" if rest else f"{whole} h"


@register.filter
def change(now, before) -> str:
    """How much ``now`` differs from ``before``, in percent of it: "+25 %";
    a dash from nought, which no percentage describes."""
    if not before:
        return NOTHING if now else "0 %"
    difference = (now - before) / before * 100
    return f"{'+' if difference > 0 else ''}{difference:.0f} %"
