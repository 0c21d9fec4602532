"""The desk grid's body, written in Python rather than with template tags:
a day of 20 therapists on 15-minute rows is about a thousand cells, and the
template engine takes several times longer over them than the grid takes to
work out (bench/desk.py)."""

from urllib.parse import urlencode

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
    book_url = reverse("desk-book")
    panel_url = reverse("desk-appointment", args=[0])[:-2]
    move_url = reverse("desk-move", args=[0])[:-7]
    view = grid.view
    # Worded once for the whole grid, not once a cell.
    words = {"now": escape(gettext("now")), "passed": escape(gettext("Passed"))}
    out: list[str] = []
    for index, row in enumerate(grid.rows):
        classes = ' class="now" data-now' if row.now else ""
        mark = f' <span class="now-mark">{words["now"]}</span>' if row.now else ""
        past = ' class="past"' if row.past else ""
        out.append(f'<tr{classes}><th scope="row"{past}>{row.label}{mark}</th>')
        for cell in row.cells:
            if cell.kind == "booking":
                out.append(_booking_cell(cell, index, view, panel_url, move_url))
            elif cell.kind == "fits":
                out.append(_fits_cell(cell, index, view, book_url, service))
            else:
                out.append(_other_cell(cell, index, words))
        out.append("</tr>")
    return mark_safe("".join(out))  # noqa: S308 (every value from data is escaped above)


def _position(cell, index: int, span: int = 1) -> str:
    spanned = f' data-span="{span}"' if span > 1 else ""
    return f'data-cell data-row="{index}" data-col="{cell.column}"{spanned} tabindex="-1"'


def _drop(cell) -> str:
    where = f' data-therapist="{cell.therapist.pk}"' if cell.therapist else ""
    where += f' data-room="{cell.room.pk}"' if cell.room else ""
    return f' data-drop="{cell.start:%Y-%m-%dT%H:%M}"{where}'


def _booking_cell(cell, index: int, view: str, panel_url: str, move_url: str) -> str:
    parts = [f'<td rowspan="{cell.span}" class="booking-cell">']
    for number, booking in enumerate(cell.bookings):
        appointment = booking.appointment
        local_start, local_end = (
            appointment.start.astimezone(cell.start.tzinfo),
            appointment.end.astimezone(cell.start.tzinfo),
        )
        client = escape(str(appointment.client))
        routine = escape(appointment.routine.name)
        where = escape(appointment.therapist.display_name if view == "rooms" else appointment.room.name)
        status = escape(appointment.get_status_display())
        flags = "".join(
            f'<span class="flag flag-{escape(flag["code"])}">{escape(flag["label"])}</span>' for flag in booking.flags
        )
        if appointment.origin != Appointment.Origin.DESK:
            flags += f'<span class="origin">{escape(appointment.get_origin_display())}</span>'
        flag_words = "".join(f", {escape(flag['label'])}" for flag in booking.flags)
        if appointment.origin != Appointment.Origin.DESK:
            flag_words += f", {escape(appointment.get_origin_display())}"
        title = f"{local_start:%H:%M}–{local_end:%H:%M} {client}, {routine}, {where}, {status}{flag_words}"
        short = " short" if cell.span < 3 else ""
        position = " " + _position(cell, index, cell.span) if number == 0 else ' tabindex="-1"'
        movable = (
            f' draggable="true" data-move="{move_url}{appointment.pk}/move/"'
            if appointment.status == Appointment.Status.BOOKED
            else ""
        )
        parts.append(
            f'<div role="button" class="booking status-{appointment.status}{short}"{position}'
            f' hx-get="{panel_url}{appointment.pk}/" hx-target="#panel"{movable} title="{title}">'
            f'{flags}<span class="who">{local_start:%H:%M} {client}</span> '
            f'<span class="what">{routine} · {where}</span> <span class="state">{status}</span></div>'
        )
    parts.append("</td>")
    return "".join(parts)


def _fits_cell(cell, index: int, view: str, book_url: str, service) -> str:
    query = {"start": f"{cell.start:%Y-%m-%dT%H:%M}", "service": service.value}
    if cell.therapist and view != "rooms":
        query["therapist"] = cell.therapist.pk
    if cell.room:
        query["room"] = cell.room.pk
    who = cell.room.name if view == "rooms" else cell.therapist.display_name
    if view == "week":
        day = date_format(cell.start, pgettext("date format: short weekday and date", "D j M"))
        hidden = gettext("Book %(who)s on %(day)s at") % {"who": who, "day": day}
    else:
        hidden = gettext("Book %(who)s at") % {"who": who}
    return (
        f'<td class="cell fits"{_drop(cell)}><button type="button" {_position(cell, index)}'
        f' hx-get="{escape(book_url + "?" + urlencode(query))}" hx-target="#panel">'
        f'<span class="visually-hidden">{escape(hidden)} </span>{cell.start:%H:%M}</button></td>'
    )


def _other_cell(cell, index: int, words: dict[str, str]) -> str:
    past = " past" if cell.past else ""
    reason = escape(cell.reason)
    drop = f'{_drop(cell)} title="{reason}"' if cell.kind == "unfit" else ""
    shown = "why" if cell.repeat or cell.kind in ("unfit", "past") else "label"
    shown_words = words["passed"] if cell.kind == "past" else reason
    return (
        f'<td class="cell {cell.kind}{past}" {_position(cell, index)}{drop}>'
        f'<span class="{shown}">{shown_words}</span></td>'
    )
