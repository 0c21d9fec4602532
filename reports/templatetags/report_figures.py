"""How the report's figures read: rates as whole percentages, minutes as
hours, and a dash where a figure means nothing (a rate of no bookings).
Numbers and days are written the way of the page's language ("67 %",
"3:05 h", "Mo, 02.03.2026" in German); each format is translated, so a new
language brings its own."""

from django import template
from django.utils import dateformat
from django.utils.formats import date_format, localize, number_format
from django.utils.html import conditional_escape, format_html_join
from django.utils.safestring import SafeString, mark_safe
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


class _Writer:
    """The report's figures written as the filters above write them, with
    each format translated once per table rather than once per cell and
    each count (mostly a few small numbers) localized once."""

    def __init__(self):
        self.percentage = pgettext("a percentage", "%(number)s %%")
        self.whole_hours = pgettext("whole hours", "%(hours)s h")
        self.hours_and_minutes = pgettext("hours and minutes", "%(hours)s h %(minutes)s")
        self.counts: dict[int, str] = {}
        self.percents: dict[int, str] = {}
        self.minutes: dict[int, str] = {}
        self.amounts: dict[tuple[int, str], str] = {}

    def count(self, number) -> str:
        written = self.counts.get(number)
        if written is None:
            written = self.counts[number] = conditional_escape(str(localize(number)))
        return written

    def percent(self, ratio) -> str:
        if ratio is None:
            return NOTHING
        whole = round(ratio * 100)
        written = self.percents.get(whole)
        if written is None:
            written = self.percents[whole] = conditional_escape(self.percentage % {"number": number_format(whole)})
        return written

    def hours(self, minutes) -> str:
        if minutes is None:
            return NOTHING
        written = self.minutes.get(minutes)
        if written is None:
            whole, rest = divmod(int(minutes), 60)
            words = (
                self.whole_hours % {"hours": number_format(whole)}
                if not rest
                else self.hours_and_minutes % {"hours": number_format(whole), "minutes": f"{rest:02d}"}
            )
            written = self.minutes[minutes] = conditional_escape(words)
        return written

    def amount(self, minor: int, currency: str) -> str:
        """An amount (many are nought), or a dash without one currency."""
        if not currency:
            return NOTHING
        written = self.amounts.get((minor, currency))
        if written is None:
            written = self.amounts[minor, currency] = conditional_escape(money_format(minor, currency=currency))
        return written

    def row(self, row, *, with_location: bool, with_minutes: bool) -> str:
        """One ``Row`` of a table, as ``reports/_table.html`` lays it out."""
        location = f"<td>{conditional_escape(row.location)}</td>" if with_location else ""
        minutes = (
            f"<td>{self.hours(row.booked_minutes)}</td><td>{self.hours(row.working_minutes)}</td>"
            f"<td>{self.percent(row.utilisation)}</td>"
            if with_minutes
            else ""
        )
        muted = '{} <span class="muted">({})</span>'
        return (
            f'<tr>\n      <th scope="row">{conditional_escape(row.label)}</th>{location}\n'
            f"      <td>{self.count(row.bookings)}</td>\n"
            f"      <td>{muted.format(self.count(row.completed), self.percent(row.completion_rate))}</td>\n"
            f"      <td>{muted.format(self.count(row.cancelled), self.percent(row.cancellation_rate))}</td>\n"
            f"      <td>{muted.format(self.count(row.cancelled_late), self.percent(row.late_cancellation_rate))}</td>\n"
            f"      <td>{muted.format(self.count(row.no_shows), self.percent(row.no_show_rate))}</td>\n"
            f"      <td>{self.amount(row.revenue_minor, row.currency)}</td>\n"
            f"      <td>{self.amount(row.expected_minor, row.currency)}</td>\n"
            f"      {minutes}\n    </tr>"
        )


@register.simple_tag
def figure_rows(rows, table: str, several: bool) -> SafeString:
    """The rows of one of the report's tables (``Row``s; ``table`` its name,
    as in ``views.TABLES``), or of one row: the label, the counts with their
    rates, the amounts (a dash where the rows' currencies differ) and, but
    for services, minutes booked and on duty and the utilisation. Written
    here in one go: through the template language a row cost as much as a
    query."""
    writer = _Writer()
    options = {"with_location": table == "rooms" and several, "with_minutes": table != "services"}
    if not isinstance(rows, list | tuple):
        rows = [rows]
    return mark_safe("\n    ".join(writer.row(row, **options) for row in rows))  # noqa: S308 (every value escaped)


@register.simple_tag
def heat_rows(heat: dict) -> SafeString:
    """The heat map's rows (``charts.heat_cells``): the weekday, then each
    hour's utilisation shaded by its level."""
    writer = _Writer()
    return mark_safe(  # noqa: S308 (every value escaped)
        "\n    ".join(
            f'<tr><th scope="row">{conditional_escape(row["weekday"])}</th>'
            + "".join(f'<td class="heat-{cell["level"]}">{writer.percent(cell["share"])}</td>' for cell in row["cells"])
            + "</tr>"
            for row in heat["rows"]
        )
    )


@register.simple_tag
def bar_rows(bars: dict) -> SafeString:
    """The bars of ``charts.bars_chart``: each row's label, its bar and its
    count. Coordinates are written as SVG reads them, a point before any
    decimals in every language (the template language wrote "400,0" in
    German, which no browser draws); the counts as the page's language writes them."""
    writer = _Writer()
    left = bars["left"]
    return mark_safe(  # noqa: S308 (every value escaped)
        "".join(
            f'\n      <text x="0" y="{bar["text_y"]}" class="chart-label">{conditional_escape(bar["label"])}</text>'
            f'\n      <rect x="{left}" y="{bar["y"]}" width="{bar["width"]}" height="{bars["bar"]}" class="chart-bar">'
            "</rect>"
            f'\n      <text x="{left + 5}" y="{bar["text_y"]}" class="chart-value" dx="{bar["width"]}">'
            f"{writer.count(bar['value'])}</text>\n    "
            for bar in bars["bars"]
        )
    )


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
