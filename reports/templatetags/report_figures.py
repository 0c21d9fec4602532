"""How the report's figures read: rates as whole percentages, minutes as
hours, and a dash where a figure means nothing (a rate of no bookings).
Numbers and days are written the way of the page's language ("67 %",
"3:05 h", "Mo, 02.03.2026" in German); each format is translated, so a new
language brings its own."""

from django import template
from django.utils import dateformat
from django.utils.formats import date_format, localize, number_format
from django.utils.html import format_html_join
from django.utils.translation import pgettext

from salon.money import money_format
from sessions.models import Appointment, Notification

register = template.Library()
NOTHING = "—"


def _percentage(number: float, *, signed: bool = False) -> str:
    """A whole percentage in the language's digits; ``signed`` puts a plus before a rise."""
    whole = round(number)
    digits = number_format(whole)
    if signed and whole > 0:
        digits = f"+{digits}"
    return pgettext("a percentage", "%(number)s %%") % {"number": digits}


@register.filter
def percent(ratio) -> str:
    return NOTHING if ratio is None else _percentage(ratio * 100)


@register.filter
def hours(minutes) -> str:
    if minutes is None:
        return NOTHING
    whole, rest = divmod(int(minutes), 60)
    if not rest:
        return pgettext("whole hours", "%(hours)s h") % {"hours": number_format(whole)}
    return pgettext("hours and minutes", "%(hours)s h %(minutes)s") % {
        "hours": number_format(whole),
        "minutes": f"{rest:02d}",
    }


@register.filter
def change(now, before) -> str:
    """How much ``now`` differs from ``before``, in percent of it: "+25 %";
    a dash from nought, which no percentage describes."""
    if not before:
        return NOTHING if now else _percentage(0)
    return _percentage((now - before) / before * 100, signed=True)


@register.filter(expects_localtime=True)
def weekday_day(value) -> str:
    """A day of the period with its weekday and year: "Mon 2 Mar 2026" / "Mo, 02.03.2026"."""
    if value in (None, ""):
        return ""
    return date_format(value, pgettext("date format: short weekday, date and year", "D j M Y"))


@register.simple_tag
def day_rows(daily: dict, currency: str) -> str:
    """The rows of the table of days (``Report.daily``): the day ("Mon 2
    Mar" / "Mo, 02.03."), its bookings and its revenue (a dash where the
    locations' currencies differ). Written here in one go: a year's 366 rows
    cost more through the template language than the rest of the page."""
    day_format = pgettext("date format: short weekday and date", "D j M")
    return format_html_join(
        "\n      ",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
        (
            (dateformat.format(day, day_format), localize(bookings),
             money_format(revenue, currency=currency) if currency else NOTHING)
            for day, (bookings, revenue) in daily.items()
        ),
    )  # fmt: skip


def _label(choices, code: str) -> str:
    """What the model calls a stored code, in the page's language; the code
    itself if the model no longer knows it."""
    try:
        return choices(code).label
    except ValueError:
        return code


@register.filter
def origin_label(code: str) -> str:
    """How a booking was made: "Front desk", "Online booking"…"""
    return _label(Appointment.Origin, code)


@register.filter
def message_kind(code: str) -> str:
    return _label(Notification.Kind, code)


@register.filter
def message_channel(code: str) -> str:
    return _label(Notification.Channel, code)
