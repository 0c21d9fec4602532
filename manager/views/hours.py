"""Opening hours and closures of the location: the weekly hours as a grid
(several spans on a day make a break), closures and special hours by date."""

from collections import defaultdict

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from manager.forms import OPENING_WORDS, ClosureForm, SpecialHoursForm, WeekGrid, WeeklyHoursForm
from salon.errors import DomainError, error_words, http_status
from salon.inputs import parse_day
from salon.locations import location_for
from salon.models import OpeningHours, SpecialDay
from salon.roles import Role, role_required
from salon.selectors import days_ahead
from sessions.services import closures

MANAGERS = (Role.MANAGER,)


def _day_format() -> str:
    return pgettext("date format: short weekday and date", "D j M")


def _year_format() -> str:
    return pgettext("date format: short weekday, date and year", "D j M Y")


def _weekly_grid(salon, data=None) -> WeekGrid:
    if data is not None:
        return WeekGrid("open", words=OPENING_WORDS, data=data)
    week = defaultdict(list)
    for hours in OpeningHours.objects.filter(salon=salon).order_by("weekday", "opens"):
        week[hours.weekday].append((hours.opens, hours.closes))
    return WeekGrid("open", words=OPENING_WORDS, initial=week)


def _hours_page(request, *, closure_form=None, hours_form=None, week_grid=None, problem="", status=200):
    salon = location_for(request.user)
    first, last = days_ahead(salon)
    week_grid = week_grid or _weekly_grid(salon)
    context = {
        "salon": salon,
        "week_form": WeeklyHoursForm(),
        "week_grid": week_grid,
        "closed_all_week": all(not row.starts for day in week_grid.days for row in day.rows),
        "special_days": SpecialDay.objects.filter(salon=salon, day__gte=first, day__lte=last).order_by("day", "opens"),
        "closure_form": closure_form or ClosureForm(),
        "hours_form": hours_form or SpecialHoursForm(),
        "problem": problem,
        "manage_section": "hours",
    }
    return render(request, "manager/hours.html", context, status=status)


@role_required(*MANAGERS)
def index(request):
    """/manage/ starts with the staff list."""
    return redirect("manage-staff")


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
        done=_("Closed from %(first)s to %(last)s.")
        % {
            "first": date_format(data["first_day"], _day_format()),
            "last": date_format(data["last_day"], _year_format()),
        },
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
        done=_("Open %(opens)s–%(closes)s on %(day)s.")
        % {
            "opens": f"{data['opens']:%H:%M}",
            "closes": f"{data['closes']:%H:%M}",
            "day": date_format(data["day"], _year_format()),
        },
        hours_form=form,
    )


@role_required(*MANAGERS)
@require_POST
def special_day_clear(request, day: str):
    on = parse_day(day, field="day")
    return _carried_out(
        request,
        lambda: closures.special_day_clear(salon=location_for(request.user), day=on),
        done=_("Back to the weekly hours on %(day)s.") % {"day": date_format(on, _year_format())},
    )


@role_required(*MANAGERS)
@require_POST
def weekly_hours_set(request):
    """The week's opening hours from the grid; its add and remove buttons
    come here too when the page's script does not handle them."""
    salon = location_for(request.user)
    form = WeeklyHoursForm(request.POST)
    grid = _weekly_grid(salon, request.POST)
    action = request.POST.get("grid_action", "")
    if action:
        if not grid.apply(action):
            return _hours_page(request, week_grid=grid, problem=_("That button is not on this page."), status=400)
        return _hours_page(request, week_grid=grid)
    if not form.is_valid():
        return _hours_page(request, problem=_("Send the week's hours from the form on this page."), status=400)
    if not grid.is_valid():
        problem = _("Some hours need changing: see the days marked.")
        return _hours_page(request, week_grid=grid, problem=problem, status=400)
    return _carried_out(
        request,
        lambda: closures.opening_hours_set(salon=salon, hours=grid.hours()),
        done=_("Weekly opening hours saved."),
        week_grid=grid,
    )


urlpatterns = [
    path("manage/", index, name="manage"),
    path("manage/hours/", hours, name="manage-hours"),
    path("manage/hours/week/", weekly_hours_set, name="manage-opening-hours"),
    path("manage/hours/closures/", closure_add, name="manage-closure-add"),
    path("manage/hours/special/", special_hours_set, name="manage-special-hours"),
    path("manage/hours/special/<str:day>/clear/", special_day_clear, name="manage-special-day-clear"),
]
