"""Opening hours and closures of the location."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from manager.forms import ClosureForm, SpecialHoursForm
from salon.errors import DomainError, error_words, http_status
from salon.inputs import parse_day
from salon.locations import location_for
from salon.models import OpeningHours, SpecialDay
from salon.roles import Role, role_required
from salon.selectors import days_ahead
from sessions.services import closures

MANAGERS = (Role.MANAGER,)


def _hours_page(request, *, closure_form=None, hours_form=None, problem="", status=200):
    salon = location_for(request.user)
    first, last = days_ahead(salon)
    context = {
        "salon": salon,
        "weekly": OpeningHours.objects.filter(salon=salon).order_by("weekday", "opens"),
        "special_days": SpecialDay.objects.filter(salon=salon, day__gte=first, day__lte=last).order_by("day", "opens"),
        "closure_form": closure_form or ClosureForm(),
        "hours_form": hours_form or SpecialHoursForm(),
        "problem": problem,
        "manage_section": "hours",
    }
    return render(request, "manager/hours.html", context, status=status)


@role_required(*MANAGERS)
def index(request):
    return redirect("manage-hours")


@role_required(*MANAGERS)
def hours(request):
    return _hours_page(request)


def _carried_out(request, action, *, done: str, **forms):
    """Run ``action``; on a refusal, the page again with the forms as sent."""
    try:
        action()
    except DomainError as refusal:
        return _hours_page(request, problem=error_words(refusal), status=http_status(refusal), **forms)
    messages.success(request, done)
    return redirect("manage-hours")


@role_required(*MANAGERS)
@require_POST
def closure_add(request):
    form = ClosureForm(request.POST)
    if not form.is_valid():
        return _hours_page(request, closure_form=form, status=400)
    data = form.cleaned_data
    return _carried_out(
        request,
        lambda: closures.closure_add(salon=location_for(request.user), **data),
        done=f"Closed from {data['first_day']:%a %d %b} to {data['last_day']:%a %d %b %Y}.",
        closure_form=form,
    )


@role_required(*MANAGERS)
@require_POST
def special_hours_set(request):
    form = SpecialHoursForm(request.POST)
    if not form.is_valid():
        return _hours_page(request, hours_form=form, status=400)
    data = form.cleaned_data
    return _carried_out(
        request,
        lambda: closures.special_hours_set(
            salon=location_for(request.user),
            day=data["day"],
            hours=[(data["opens"], data["closes"])],
            reason=data["reason"],
        ),
        done=f"Open {data['opens']:%H:%M}–{data['closes']:%H:%M} on {data['day']:%a %d %b %Y}.",
        hours_form=form,
    )


@role_required(*MANAGERS)
@require_POST
def special_day_clear(request, day: str):
    on = parse_day(day, field="day")
    return _carried_out(
        request,
        lambda: closures.special_day_clear(salon=location_for(request.user), day=on),
        done=f"Back to the weekly hours on {on:%a %d %b %Y}.",
    )


urlpatterns = [
    path("manage/", index, name="manage"),
    path("manage/hours/", hours, name="manage-hours"),
    path("manage/hours/closures/", closure_add, name="manage-closure-add"),
    path("manage/hours/special/", special_hours_set, name="manage-special-hours"),
    path("manage/hours/special/<str:day>/clear/", special_day_clear, name="manage-special-day-clear"),
]
