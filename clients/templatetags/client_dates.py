"""Dates and times as a client reads them, in the language active when the
message or page is rendered: "Monday 7 December 2026, 11:00" in English,
"Montag, 7. Dezember 2026, 11:00" in German, always on the 24-hour clock.

Django's own DATETIME_FORMAT would not do: its English one is on the 12-hour
clock and names no weekday. Each format string is translated instead, so a
new language brings its own word order."""

from django import template
from django.utils.formats import date_format
from django.utils.translation import pgettext

register = template.Library()


def _formatted(value, fmt: str) -> str:
    if value in (None, ""):
        return ""
    return date_format(value, fmt)


@register.filter(expects_localtime=True)
def long_datetime(value) -> str:
    """The weekday, the date with the year and the time (emails)."""
    return _formatted(value, pgettext("date format: weekday, date, year and time", "l j F Y, H:i"))


@register.filter(expects_localtime=True)
def day_datetime(value) -> str:
    """The weekday, the date and the time, without the year (a deadline soon)."""
    return _formatted(value, pgettext("date format: weekday, date and time", "l j F, H:i"))


@register.filter(expects_localtime=True)
def short_datetime(value) -> str:
    """Weekday and date abbreviated, and the time (SMS, where every character counts)."""
    return _formatted(value, pgettext("date format: short weekday, date and time", "D j M H:i"))


@register.filter(expects_localtime=True)
def long_date(value) -> str:
    """The date with the year."""
    return _formatted(value, pgettext("date format: date and year", "j F Y"))


@register.filter(expects_localtime=True)
def weekday_date(value) -> str:
    """The weekday and the date, without the year."""
    return _formatted(value, pgettext("date format: weekday and date", "l j F"))


# Shorter forms for lists on the client's record (staff read them at a glance).


@register.filter(expects_localtime=True)
def short_date(value) -> str:
    """ "7 Dec 2026" / "07.12.2026"."""
    return _formatted(value, pgettext("date format: short date", "j M Y"))


@register.filter(expects_localtime=True)
def short_date_time(value) -> str:
    """ "7 Dec 2026 11:00" / "07.12.2026, 11:00"."""
    return _formatted(value, pgettext("date format: short date and time", "j M Y H:i"))


@register.filter(expects_localtime=True)
def short_weekday_datetime(value) -> str:
    """ "Mon 7 Dec 2026, 11:00" / "Mo, 07.12.2026, 11:00"."""
    return _formatted(value, pgettext("date format: short weekday, date, year and time", "D j M Y, H:i"))


@register.filter(expects_localtime=True)
def short_weekday_time(value) -> str:
    """ "Mon 7 Dec, 11:00" / "Mo, 07.12., 11:00"."""
    return _formatted(value, pgettext("date format: short weekday, date and time, no year", "D j M, H:i"))
