"""The desk grid's body, written in Python rather than with template tags:
a day of 20 therapists on 15-minute rows is about a thousand cells, and the
template engine takes several times longer over them than the grid takes to
work out (bench/desk.py). What is the same for many cells (a column's
attributes, a row's times, a reason's words) is written once, not per cell."""

from html import escape as html_escape
from urllib.parse import quote_plus

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext

from sessions.models import Appointment

register = template.Library()


@register.simple_tag
def desk_rows(grid, service) -> str:
    """The ``<tr>`` rows of the grid's table: a row header with the time, then
    each cell that begins in the row (see sessions/desk.py for what they are)."""
    view = grid.view
    book = escape(f"{reverse('desk-book')}?start=")
    service_query = f"&service={quote_plus(str(service.value))}"
    if view == "week":
        day_format = pgettext("date format: short weekday and date", "D j M")
        book_words = gettext("Book %(who)s on %(day)s at")
    else:
        day_format, book_words = "", gettext("Book %(who)s at")
    lanes = [_Lane(column, view, book, service_query, book_words, day_format) for column in grid.columns]
    times: dict = {}  # by day: each row's start, as an attribute, a query value and a clock
    for lane in lanes:
        lane.times = times.setdefault(lane.day, [None] * len(grid.rows))
    booking_words = _BookingWords(view)
    other_cells = _OtherCells()
    now_mark = f' <span class="now-mark">{escape(gettext("now"))}</span>'
    out: list[str] = []
    append = out.append
    for index, row in enumerate(grid.rows):
        if row.now:
            append(f'<tr class="now" data-now><th scope="row"{_PAST if row.past else ""}>{row.label}{now_mark}</th>')
        else:
            append(f'<tr><th scope="row"{_PAST if row.past else ""}>{row.label}</th>')
        for cell in row.cells:
            kind = cell.kind
            if kind == "booking":
                append(booking_words.cell(cell, index))
                continue
            position = f'data-cell data-row="{index}" data-col="{cell.column}" tabindex="-1"'
            if kind == "fits" or kind == "unfit":  # the cells a booking can be dropped on
                lane = lanes[cell.column]
                at = lane.times[index]
                if at is None:
                    at = lane.times[index] = _times(cell.start)
                if kind == "fits":
                    append(
                        f'<td class="cell fits" data-drop="{at[0]}"{lane.where}><button type="button" {position}'
                        f' hx-get="{lane.book}{at[1]}{lane.book_query}" hx-target="#panel">'
                        f"{lane.hidden}{at[2]}</button></td>"
                    )
                    continue
                opening, closing = other_cells.parts(cell)
                append(f'{opening}{position} data-drop="{at[0]}"{lane.where}{closing}')
            else:
                opening, closing = other_cells.parts(cell)
                append(f"{opening}{position}{closing}")
        append("</tr>")
    return mark_safe("".join(out))  # noqa: S308 (every value from data is escaped above)


_PAST = ' class="past"'


def _times(start) -> tuple[str, str, str]:
    """A row's start as the drop target's attribute, as the booking link's
    query value (escaped as urlencode would) and as the clock shown."""
    stamp = f"{start:%Y-%m-%dT%H:%M}"
    return stamp, quote_plus(stamp), f"{start:%H:%M}"


class _Lane:
    """What every cell of one column says alike: where a booking dropped on
    it goes, and how its "Book …" buttons read and link."""

    def __init__(self, column, view: str, book: str, service_query: str, book_words: str, day_format: str):
        self.day = column.day
        self.times: list = []
        where = f' data-therapist="{column.therapist.pk}"' if column.therapist else ""
        self.where = where + (f' data-room="{column.room.pk}"' if column.room else "")
        query = service_query
        if column.therapist and view != "rooms":
            query += f"&therapist={column.therapist.pk}"
        if column.room:
            query += f"&room={column.room.pk}"
        self.book = book
        self.book_query = escape(query)
        if column.therapist is None and column.room is None:
            self.hidden = ""  # a lane without cells to book
            return
        who = column.room.name if view == "rooms" else column.therapist.display_name
        if view == "week":
            hidden = book_words % {"who": who, "day": date_format(column.day, day_format)}
        else:
            hidden = book_words % {"who": who}
        self.hidden = f'<span class="visually-hidden">{escape(hidden)} </span>'


class _OtherCells:
    """A cell that is not booked and not free: its opening and its end,
    written once for each kind and reason (a column's afternoon off duty is
    one reason over many cells)."""

    def __init__(self):
        self.passed = escape(gettext("Passed"))
        self.written: dict[tuple, tuple[str, str]] = {}

    def parts(self, cell) -> tuple[str, str]:
        key = (cell.kind, cell.reason, cell.past, cell.repeat)
        found = self.written.get(key)
        if found is None:
            kind, reason = cell.kind, escape(cell.reason)
            opening = f'<td class="cell {kind}{" past" if cell.past else ""}" '
            shown = "why" if cell.repeat or kind in ("unfit", "past") else "label"
            title = f' title="{reason}"' if kind == "unfit" else ""
            closing = f'{title}><span class="{shown}">{self.passed if kind == "past" else reason}</span></td>'
            found = self.written[key] = (opening, closing)
        return found


class _BookingWords:
    """The booking cells, with the statuses and origins worded once for the
    grid (``get_status_display`` translates every choice on each call)."""

    def __init__(self, view: str):
        self.view = view
        self.panel_url = reverse("desk-appointment", args=[0])[:-2]
        self.move_url = reverse("desk-move", args=[0])[:-7]
        self.statuses = _Words(Appointment.Status)
        self.origins = _Words(Appointment.Origin)
        # A flag's words by its code and label (most are lazy: translated once here, not once per booking);
        # the label is kept, so that its id is not another's.
        self.flags: dict[tuple[str, int], tuple[object, str, str]] = {}

    def flag(self, flag: dict) -> tuple[str, str]:
        """The flag's code and label, escaped."""
        label = flag["label"]
        found = self.flags.get((flag["code"], id(label)))
        if found is None:
            found = self.flags[flag["code"], id(label)] = (label, escape(flag["code"]), escape(str(label)))
        return found[1], found[2]

    def cell(self, cell, index: int) -> str:
        parts = [f'<td rowspan="{cell.span}" class="booking-cell">']
        zone = cell.start.tzinfo
        short = " short" if cell.span < 3 else ""
        for number, booking in enumerate(cell.bookings):
            appointment = booking.appointment
            local_start, local_end = appointment.start.astimezone(zone), appointment.end.astimezone(zone)
            # The standard library's escape (Django's is the same, behind a check for lazy text): plain text here.
            client = html_escape(str(appointment.client))
            routine = html_escape(appointment.routine.name)
            where = html_escape(appointment.therapist.display_name if self.view == "rooms" else appointment.room.name)
            status = self.statuses[appointment.status]
            labels = [self.flag(flag) for flag in booking.flags]
            flags = "".join(f'<span class="flag flag-{code}">{label}</span>' for code, label in labels)
            flag_words = "".join(f", {label}" for _, label in labels)
            if appointment.origin != Appointment.Origin.DESK:
                origin = self.origins[appointment.origin]
                flags += f'<span class="origin">{origin}</span>'
                flag_words += f", {origin}"
            title = f"{local_start:%H:%M}–{local_end:%H:%M} {client}, {routine}, {where}, {status}{flag_words}"
            if number == 0:
                spanned = f' data-span="{cell.span}"' if cell.span > 1 else ""
                position = f' data-cell data-row="{index}" data-col="{cell.column}"{spanned} tabindex="-1"'
            else:
                position = ' tabindex="-1"'
            movable = (
                f' draggable="true" data-move="{self.move_url}{appointment.pk}/move/"'
                if appointment.status == Appointment.Status.BOOKED
                else ""
            )
            parts.append(
                f'<div role="button" class="booking status-{appointment.status}{short}"{position}'
                f' hx-get="{self.panel_url}{appointment.pk}/" hx-target="#panel"{movable} title="{title}">'
                f'{flags}<span class="who">{local_start:%H:%M} {client}</span> '
                f'<span class="what">{routine} · {where}</span> <span class="state">{status}</span></div>'
            )
        parts.append("</td>")
        return "".join(parts)


class _Words(dict):
    """A choice's label by its value, escaped, translated when first asked
    for (``get_status_display`` translates every choice on each call); an
    unknown value is written as it is."""

    def __init__(self, choices):
        super().__init__()
        self.labels = dict(choices.choices)

    def __missing__(self, value) -> str:
        # str() first: escape() of a lazy label is lazy, translated again each time it is written.
        words = self[value] = escape(str(self.labels.get(value) or value))
        return words
