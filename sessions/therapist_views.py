"""The therapist's pages: "my day", the printable day sheet, and running a
session on the tablet beside the table."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from clients.models import HealthDataAccess
from clients.painchart import pain_chart
from clients.services import health_access_log
from routines.content import ContentWords
from salon.compiled import CompiledQuery
from salon.errors import DomainError, error_words, http_status
from salon.inputs import MAX_ID, parse_id
from salon.locations import location_for
from salon.models import Therapist, TimeOff
from salon.roles import Role, has_role, role_required
from salon.selectors import (
    calendar_feed_url,
    therapist_for_calendar_feed,
    therapist_for_user,
)
from salon.services import therapist_calendar_feed_reset
from sessions import selectors
from sessions.calendar_feed import calendar_feed_file
from sessions.models import Appointment, PressureFeedback
from sessions.plan_view import plan_view
from sessions.services import lifecycle, running
from sessions.services import time_off as time_off_services
from sessions.time_off import therapist_time_off, time_off_form

CLINICAL = (Role.THERAPIST, Role.MANAGER)


def therapist_in_view(request) -> Therapist:
    """Whose day the page shows: the caller's own; managers may pick any (?therapist=)."""
    wanted = request.GET.get("therapist") if has_role(request.user, Role.MANAGER) else None
    return selectors.day_therapist(user=request.user, wanted=wanted)


# The session page and each of its actions read the session this way (its
# actions twice, before and after): compiled once, only the id changes.
_SESSION = CompiledQuery(
    lambda pk: (
        Appointment.objects.select_related("client", "therapist", "routine", "room__salon", "plan")
        .filter(pk=pk)
        .order_by()[:1]
    ),
    pk=-1,  # no appointment's id
)


def own_appointment(request, pk) -> Appointment:
    """A session of the caller (managers: any). Others get 403."""
    found = _SESSION.objects(pk=pk) if pk <= MAX_ID else None
    if not found:
        raise Http404
    return selectors.session_of(user=request.user, appointment=found[0])


def plan_words(entries) -> ContentWords:
    """The routines' words in the reader's language for these sessions' plans (two queries)."""
    plans = [entry["plan"] for entry in entries if entry["plan"]]
    return ContentWords(
        (plan.get("routine_id") for plan in plans),
        techniques={step["technique"] for plan in plans for step in plan.get("steps", ())},
    )


def _local_times(appointment: Appointment) -> dict[str, str]:
    """A session's start and end as the day's pages write them, on the clock of its location."""
    zone = appointment.room.salon.zone
    return {
        "starts": f"{appointment.start.astimezone(zone):%H:%M}",
        "ends": f"{appointment.end.astimezone(zone):%H:%M}",
    }


def _status_label(appointment: Appointment) -> str:
    """What ``get_status_display`` says, translating only this status (it
    translates every status's label to find the one, a dozen times a page)."""
    return Appointment.Status(appointment.status).label


def _day_context(request):
    therapist = therapist_in_view(request)
    # The day is the viewer's location's; the sessions are at every location.
    salon = location_for(request.user)
    day, entries = selectors.therapist_day_seen_by(
        user=request.user, therapist=therapist, location=salon, date=request.GET.get("date")
    )
    words = plan_words(entries)
    return {
        "therapist": therapist,
        "day": day,
        "previous": day - datetime.timedelta(days=1),
        "next": day + datetime.timedelta(days=1),
        "entries": [
            {
                **entry,
                **_local_times(entry["appointment"]),
                "status_label": _status_label(entry["appointment"]),
                "view": plan_view(entry["plan"], words),
            }
            for entry in entries
        ],
        "several_locations": len({entry["appointment"].room.salon_id for entry in entries}) > 1
        or any(entry["appointment"].room.salon_id != salon.pk for entry in entries),
        "therapists": Therapist.objects.filter(active=True) if has_role(request.user, Role.MANAGER) else [],
        "calendar_feed_url": calendar_feed_url(therapist),
    }


@role_required(*CLINICAL)
def my_day(request):
    return render(request, "sessions/my_day.html", _day_context(request))


@role_required(*CLINICAL)
def day_sheet(request):
    return render(request, "sessions/day_sheet.html", _day_context(request))


def _session_page(
    request, appointment: Appointment, *, problem: str = "", pressure_problem: str = "", status=200, opened=False
):
    entry = selectors.session_entry(appointment)
    if opened and entry["pain_visits"]:
        # The pain chart is health data: each time the page is opened to it, as on the client page.
        health_access_log(client=appointment.client, action=HealthDataAccess.Action.VIEW, user=request.user)
    context = {
        "appointment": appointment,
        "entry": entry,
        "view": plan_view(entry["plan"], plan_words([entry])),
        "pain_chart": pain_chart(entry["pain_visits"]),
        "feedback": selectors.pressure_feedback_of(appointment),
        "verdicts": PressureFeedback.Verdict.choices,
        "in_progress": appointment.status == Appointment.Status.IN_PROGRESS,
        "problem": problem,
        "pressure_problem": pressure_problem,
        "salon": appointment.room.salon,
    }
    return render(request, "sessions/run.html", context, status=status)


@role_required(*CLINICAL)
def session_run(request, pk):
    return _session_page(request, own_appointment(request, pk), opened=True)


def _back(request, appointment, problem: str = ""):
    """Back to the session page; a refusal travels in the session (Django's
    messages), never in the address, where anyone could write any text."""
    if problem:
        messages.error(request, problem)
    return redirect("session-run", pk=appointment.pk)


SESSION_ACTIONS = {"acknowledge", "check-in", "start", "pressure", "complete"}


@role_required(*CLINICAL)
@require_POST
def session_action(request, pk, action):
    """Each action calls one service. With htmx the changed part of the page
    is sent back (a running step timer is left alone); without JavaScript
    the browser is sent back to the page."""
    if action not in SESSION_ACTIONS:
        raise Http404(gettext("No such action."))
    appointment = own_appointment(request, pk)
    try:
        _act(request, appointment, action)
    except DomainError as error:  # e.g. an unknown verdict, or not checked in yet
        if not request.htmx:
            return _back(request, appointment, error_words(error))
        words = {"pressure_problem" if action == "pressure" else "problem": error_words(error)}
        return _session_page(request, own_appointment(request, pk), status=http_status(error), **words)
    if not request.htmx:
        return _back(request, appointment)
    return _session_page(request, own_appointment(request, pk))


def _act(request, appointment: Appointment, action: str) -> None:
    if action == "acknowledge":
        running.session_review_acknowledge(appointment=appointment, by=request.user)
    elif action == "check-in":
        lifecycle.appointment_transition(
            appointment=appointment, to_status=Appointment.Status.CHECKED_IN, by=request.user
        )
    elif action == "start":
        running.session_start(appointment=appointment, by=request.user)
    elif action == "pressure":
        running.session_pressure_record(
            appointment=appointment,
            verdict=request.POST.get("verdict", ""),
            step=parse_id(request.POST.get("step"), field="step"),
            area=request.POST.get("area", ""),
        )
    else:
        running.session_complete(
            appointment=appointment,
            by=request.user,
            **{name: request.POST.get(name, "") for name in running.NOTE_FIELDS},
        )


@require_GET
def calendar_feed(request, token):
    """The therapist's sessions as iCalendar, for a phone to subscribe to. No
    login (calendar apps cannot log in): the signed address is the key."""
    therapist = therapist_for_calendar_feed(token)
    if therapist is None:
        raise Http404(gettext("No such calendar."))
    ics = calendar_feed_file(therapist=therapist, appointments=selectors.therapist_calendar_feed(therapist=therapist))
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sessions.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


@role_required(*CLINICAL)
@require_POST
def calendar_feed_reset(request):
    """A new feed address for the therapist in view; the old one stops working."""
    therapist = therapist_calendar_feed_reset(therapist=therapist_in_view(request))
    response = redirect("my-day")
    if has_role(request.user, Role.MANAGER):
        response["Location"] += "?" + urlencode({"therapist": therapist.pk})
    return response


# Time off: the therapist asks for it and sees what became of it.


def _time_off_page(request, therapist: Therapist, *, form=None, problem: str = "", status: int = 200):
    salon = location_for(request.user)
    forms_shown = {"days": time_off_form("days"), "hours": time_off_form("hours")}
    if form is not None:
        forms_shown[form.kind] = form
    context = {
        "therapist": therapist,
        "salon": salon,
        "entries": therapist_time_off(therapist=therapist, zone=salon.zone),
        "days_form": forms_shown["days"],
        "hours_form": forms_shown["hours"],
        "problem": problem,
    }
    return render(request, "sessions/my_time_off.html", context, status=status)


@role_required(*CLINICAL)
def my_time_off(request):
    therapist = therapist_for_user(request.user)
    if therapist is None:  # a manager who is no therapist: the manager's page
        return redirect("manage-time-off")
    return _time_off_page(request, therapist)


@role_required(*CLINICAL)
@require_POST
def my_time_off_request(request):
    """Ask for whole days or part of a day off, in the location's wall-clock time."""
    therapist = therapist_for_user(request.user)
    if therapist is None:  # a manager who is no therapist: the manager's page
        return redirect("manage-time-off")
    form = time_off_form(request.POST.get("kind", ""), request.POST)
    if not form.is_valid():
        return _time_off_page(request, therapist, form=form, status=400)
    start, end = form.span(location_for(request.user).zone)
    try:
        asked = time_off_services.time_off_request(
            therapist=therapist, start=start, end=end, reason=form.cleaned_data["reason"], by=request.user
        )
    except DomainError as refusal:
        for field, words in refusal.fields.items():
            if field in {"start", "end"}:  # the span as a whole: shown at the form's first date
                form.add_error(next(iter(form.fields)), words)
        return _time_off_page(request, therapist, form=form, problem=error_words(refusal), status=http_status(refusal))
    zone = location_for(request.user).zone
    messages.success(
        request,
        gettext("Asked for time off: %(span)s. Your manager will decide; you will get an email.")
        % {"span": time_off_services.span_words(asked.start, asked.end, zone)},
    )
    return redirect("my-time-off")


@role_required(*CLINICAL)
@require_POST
def my_time_off_withdraw(request, time_off: int):
    therapist = therapist_for_user(request.user)
    if therapist is None:  # a manager who is no therapist: the manager's page
        return redirect("manage-time-off")
    asked = get_object_or_404(TimeOff.objects.select_related("therapist"), pk=time_off)
    try:
        time_off_services.time_off_withdraw(time_off=asked, by=request.user)
    except DomainError as refusal:
        return _time_off_page(request, therapist, problem=error_words(refusal), status=http_status(refusal))
    messages.success(request, gettext("Request withdrawn."))
    return redirect("my-time-off")
