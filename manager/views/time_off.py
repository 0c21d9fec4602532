"""Time off: therapists' requests to approve or decline, time off entered by
managers, and what is planned. Rooms out of service are on the rooms page
(manager.views.rooms), which shares the removal here."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salon.errors import Conflict, DomainError, error_words, http_status
from salon.locations import location_for
from salon.roles import Role, role_required
from sessions.availability import therapists_at
from sessions.services import time_off as services
from sessions.time_off import (
    decided_lately,
    requests_waiting,
    time_off_ahead,
    time_off_form,
    time_off_visible_at,
)

MANAGERS = (Role.MANAGER,)


def entry_form(kind: str, salon, data=None):
    therapists = therapists_at(salon).order_by("display_name")
    return time_off_form(kind, data, whose=("therapist", forms.ModelChoiceField(therapists, label=_("Therapist"))))


def _page(request, *, form=None, problem: str = "", status: int = 200):
    salon = location_for(request.user)
    shown = {"days": entry_form("days", salon), "hours": entry_form("hours", salon)}
    if form is not None:
        shown[form.kind] = form
    context = {
        "salon": salon,
        "waiting": requests_waiting(salon),
        "ahead": time_off_ahead(salon),
        "declined": decided_lately(salon),
        "days_form": shown["days"],
        "hours_form": shown["hours"],
        "problem": problem,
        "manage_section": "time_off",
    }
    return render(request, "manager/time_off.html", context, status=status)


@role_required(*MANAGERS)
def time_off(request):
    return _page(request)


@role_required(*MANAGERS)
@require_POST
def time_off_add(request):
    """A manager enters time off for a therapist: approved at once."""
    salon = location_for(request.user)
    form = entry_form(request.POST.get("kind", ""), salon, request.POST)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    start, end = form.span(salon.zone)
    therapist = form.cleaned_data["therapist"]
    try:
        services.time_off_add(
            therapist=therapist, start=start, end=end, reason=form.cleaned_data["reason"], by=request.user
        )
    except DomainError as refusal:
        return _page(request, form=form, problem=error_words(refusal), status=http_status(refusal))
    when = services.span_words(start, end, salon.zone)
    messages.success(request, _("%(therapist)s is off %(when)s.") % {"therapist": therapist, "when": when})
    return redirect("manage-time-off")


def _decided(request, time_off: int, decide, done: dict):
    """Run ``decide`` on the request; a refusal (sessions in the way, decided
    already, withdrawn meanwhile) is shown on the page."""
    salon = location_for(request.user)
    asked = time_off_visible_at(salon).select_related("therapist__user").filter(pk=time_off).first()
    try:
        if asked is None:  # withdrawn while the page was open (or never there)
            raise Conflict(
                _("This request is no longer there: it was withdrawn or removed."), code="invalid_transition"
            )
        decide(time_off=asked, by=request.user, note=request.POST.get("note", ""))
    except DomainError as refusal:
        return _page(request, problem=error_words(refusal), status=http_status(refusal))
    when = services.span_words(asked.start, asked.end, salon.zone)
    words = {"therapist": asked.therapist, "when": when}
    told = done["emailed" if asked.therapist.user.email else "not_emailed"]
    messages.success(request, told % words)
    return redirect("manage-time-off")


@role_required(*MANAGERS)
@require_POST
def time_off_approve(request, time_off: int):
    return _decided(
        request,
        time_off,
        services.time_off_approve,
        {
            "emailed": _("Approved: %(therapist)s's time off %(when)s; they will get an email."),
            "not_emailed": _("Approved: %(therapist)s's time off %(when)s; they have no email address, so tell them."),
        },
    )


@role_required(*MANAGERS)
@require_POST
def time_off_decline(request, time_off: int):
    return _decided(
        request,
        time_off,
        services.time_off_decline,
        {
            "emailed": _("Declined: %(therapist)s's time off %(when)s; they will get an email."),
            "not_emailed": _("Declined: %(therapist)s's time off %(when)s; they have no email address, so tell them."),
        },
    )


@role_required(*MANAGERS)
@require_POST
def time_off_remove(request, time_off: int):
    """Remove time off (a therapist's, or a room's out-of-service period:
    ``back=rooms`` returns to the rooms page)."""
    back = "manage-rooms" if request.POST.get("back") == "rooms" else "manage-time-off"
    away = time_off_visible_at(location_for(request.user)).filter(pk=time_off).first()
    if away is not None:
        services.time_off_remove(time_off=away)
        messages.success(request, _("Removed: that time is available again."))
    else:
        messages.info(request, _("That time off had already been removed."))
    return redirect(back)


urlpatterns = [
    path("manage/time-off/", time_off, name="manage-time-off"),
    path("manage/time-off/add/", time_off_add, name="manage-time-off-add"),
    path("manage/time-off/<int:time_off>/approve/", time_off_approve, name="manage-time-off-approve"),
    path("manage/time-off/<int:time_off>/decline/", time_off_decline, name="manage-time-off-decline"),
    path("manage/time-off/<int:time_off>/remove/", time_off_remove, name="manage-time-off-remove"),
]
