"""The front desk's appointment panel at /desk/appointments/<id>/: check in,
no-show, undo, cancel and move one booking. The grid and booking are in
sessions/desk_views.py."""

from django.http import Http404
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.views.decorators.http import require_POST

from salon.errors import DomainError, error_words, http_status
from salon.inputs import parse_id
from salon.roles import role_required
from sessions.availability import therapists_at
from sessions.desk_views import FRONT_DESK, desk_appointment_of, grid_response, local_start, start_field
from sessions.models import Appointment
from sessions.services import booking, lifecycle


@role_required(*FRONT_DESK)
def desk_appointment(request, pk):
    appointment = desk_appointment_of(request, pk)
    salon = appointment.room.salon
    return render(
        request,
        "sessions/_appointment_panel.html",
        {"appointment": appointment, "salon": salon, "therapists": therapists_at(salon)},
    )


ACTIONS = {
    "check-in": Appointment.Status.CHECKED_IN,
    "no-show": Appointment.Status.NO_SHOW,
    "cancel": Appointment.Status.CANCELLED,
}
# Side by side in the panel and easily hit by mistake: the first post only
# asks the receptionist to confirm (the panel's question), the second, with
# ``confirmed=yes``, acts. "undo" takes a check-in or no-show back.
CONFIRMED_ACTIONS = {"check-in", "no-show"}


@role_required(*FRONT_DESK)
@require_POST
def desk_action(request, pk, action):
    if action not in {"reschedule", "undo"} and action not in ACTIONS:
        raise Http404(gettext("No such action."))
    appointment = desk_appointment_of(request, pk)
    salon = appointment.room.salon
    panel = {"appointment": appointment, "salon": salon, "therapists": therapists_at(salon)}
    try:
        if action == "reschedule":
            start = start_field(request.POST.get("start"))
            therapist_id = parse_id(request.POST.get("therapist"), field="therapist")
            room_id = parse_id(request.POST.get("room"), field="room")
            appointment = booking.appointment_reschedule(
                appointment=appointment,
                start=local_start(start, salon),
                therapist=therapists_at(salon).filter(pk=therapist_id).first() if therapist_id else None,
                room=salon.rooms.filter(pk=room_id).first() if room_id else None,
                by=request.user,
            )
            moved = appointment.start.astimezone(salon.zone)
            day = date_format(moved, pgettext("date format: short weekday and date", "D d M"))
            message = gettext("Moved to %(day)s %(time)s.") % {"day": day, "time": f"{moved:%H:%M}"}
        elif action == "undo":
            undone = lifecycle.UNDOABLE.get(appointment.status, appointment.get_status_display().lower())
            appointment = lifecycle.appointment_status_undo(
                appointment=appointment, by=request.user, reason=request.POST.get("reason", "")
            )
            message = gettext("%(client)s: %(undone)s undone, now %(status)s.") % {
                "client": appointment.client,
                "undone": undone,
                "status": appointment.get_status_display().lower(),
            }
        elif action in CONFIRMED_ACTIONS and request.POST.get("confirmed") != "yes":
            lifecycle.appointment_transition_check(appointment=appointment, to_status=ACTIONS[action])
            return render(request, "sessions/_appointment_panel.html", {**panel, "confirm": action})
        else:
            appointment = lifecycle.appointment_transition(
                appointment=appointment,
                to_status=ACTIONS[action],
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
            message = gettext("%(client)s: %(status)s.") % {
                "client": appointment.client,
                "status": appointment.get_status_display().lower(),
            }
    except DomainError as error:
        # What was typed stays in the form it was typed in.
        typed = {"failed_action": action, "typed_reason": request.POST.get("reason", "")}
        return render(
            request,
            "sessions/_appointment_panel.html",
            {**panel, **typed, "problem": error_words(error)},
            status=http_status(error),
        )
    return grid_response(request, salon, day=appointment.start.astimezone(salon.zone).date(), message=message)
