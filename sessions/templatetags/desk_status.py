"""The desk panel's view of an appointment's life:
``{% load desk_status %}{% status_rules appointment as rules %}`` is what the
panel may offer now (the lifecycle's time rules, whichever view rendered the
panel), and ``{{ change|history_words:appointment }}`` one line of its history."""

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from sessions.models import Appointment, AppointmentChange
from sessions.services.lifecycle import UNDOABLE, appointment_status_rules

register = template.Library()
Kind = AppointmentChange.Kind


@register.simple_tag
def status_rules(appointment: Appointment):
    return appointment_status_rules(appointment=appointment)


def _label(status: str) -> str:
    return Appointment.Status(status).label if status in Appointment.Status.values else status


@register.filter
def history_words(change: AppointmentChange, appointment: Appointment) -> str:
    if change.kind == Kind.BOOKED:
        return gettext("Booked")
    if change.kind == Kind.RESCHEDULED and change.from_start and change.to_start:
        zone = appointment.room.salon.zone
        moved = change.from_start.astimezone(zone), change.to_start.astimezone(zone)
        day_format = pgettext("date format: short weekday and date", "D d M")
        return gettext("Moved from %(old)s to %(new)s") % {
            "old": f"{date_format(moved[0], day_format)} {moved[0]:%H:%M}",
            "new": f"{date_format(moved[1], day_format)} {moved[1]:%H:%M}",
        }
    if change.kind == Kind.STATUS_UNDONE:
        undone = UNDOABLE.get(change.from_status, _label(change.from_status)).capitalize()
        return gettext("%(undone)s undone, back to %(status)s") % {
            "undone": undone,
            "status": _label(change.to_status).lower(),
        }
    words = _label(change.to_status)
    if change.to_status == Appointment.Status.CANCELLED and appointment.cancelled_late:
        words = gettext("%(status)s (late cancellation)") % {"status": words}
    return words
