"""The desk's course page: the next sessions of a booked one, booked as a
course. The page shows which dates fit before anything is booked, with the
alternatives of those that do not; booking takes the dates chosen."""

import datetime

from django import forms
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from routines.selectors import service_entry
from salon.errors import DomainError, error_words, http_status
from salon.models import Therapist
from salon.roles import role_required
from sessions.availability import FreeStart
from sessions.courses import MAX_INTERVAL_DAYS, MAX_SESSIONS, course_plan, course_starts
from sessions.desk_views import FRONT_DESK, desk_appointment_of
from sessions.services.courses import course_book

SKIP = "skip"


class CourseShapeForm(forms.Form):
    sessions = forms.IntegerField(label=_("Sessions"), min_value=2, max_value=MAX_SESSIONS, initial=5)
    interval_days = forms.IntegerField(label=_("Every (days)"), min_value=1, max_value=MAX_INTERVAL_DAYS, initial=7)


def _chosen(value: str, therapists: dict[int, Therapist]) -> tuple[datetime.datetime, Therapist] | None:
    """A date's radio value (``FreeStart.value``) back as a start and a therapist; None to skip it."""
    start, _, therapist = value.rpartition("/")
    try:
        return datetime.datetime.fromisoformat(start), therapists[int(therapist)]
    except (ValueError, KeyError):
        return None


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def desk_course(request, pk):
    """``GET ?sessions=&interval_days=``: the plan; POST: book the dates chosen."""
    seed = desk_appointment_of(request, pk)
    salon = seed.room.salon
    shape = CourseShapeForm(request.GET if "sessions" in request.GET else request.POST or None)
    context = {"salon": salon, "seed": seed, "shape": shape, "plan": None, "problem": ""}
    status = 200
    if shape.is_bound and not shape.is_valid():
        return render(request, "sessions/course.html", context, status=400)
    sessions = shape.cleaned_data["sessions"] if shape.is_bound else shape.fields["sessions"].initial
    interval = shape.cleaned_data["interval_days"] if shape.is_bound else shape.fields["interval_days"].initial
    # The seed's wall-clock time, ``interval`` days on (not 24-hour days: the clocks may change between).
    first = course_starts(salon=salon, first=seed.start, sessions=2, interval_days=interval)[1]
    # The length the seed was booked at, when it is one on the menu (else the routine's own).
    length = int((seed.end - seed.start).total_seconds() // 60)
    entry = service_entry(salon=salon, slug=seed.routine.slug)
    minutes = length if entry is not None and length in entry.prices else None
    ask = {"salon": salon, "client": seed.client, "routine": seed.routine, "minutes": minutes}
    try:
        if request.method == "POST":
            therapists = {therapist.pk: therapist for therapist in Therapist.objects.filter(business=salon.business)}
            picked = [request.POST.get(f"date-{number}", SKIP) for number in range(1, sessions + 1)]
            dates = [chosen for chosen in (_chosen(value, therapists) for value in picked if value != SKIP) if chosen]
            course = course_book(planned=sessions, interval_days=interval, dates=dates, booked_by=request.user, **ask)
            first_booked = course.appointments.order_by("start").first()
            return redirect(f"{reverse('desk')}?date={first_booked.start.astimezone(salon.zone).date()}")
        context["plan"] = course_plan(first=first, sessions=sessions, interval_days=interval,
                                      therapist_id=seed.therapist_id, **ask)  # fmt: skip
    except DomainError as refusal:
        context["problem"], status = error_words(refusal), http_status(refusal)
        context["plan"] = course_plan(first=first, sessions=sessions, interval_days=interval,
                                      therapist_id=seed.therapist_id, **ask)  # fmt: skip
    names = dict(Therapist.objects.filter(business=salon.business).values_list("pk", "display_name"))
    context["rows"] = [_options(date, context["plan"].therapist, names, salon.zone) for date in context["plan"].dates]
    return render(request, "sessions/course.html", context, status=status)


def _options(date, therapist_id: int | None, names: dict[int, str], zone) -> tuple:
    """A date of the plan and its radio options (value, words, chosen): the
    wanted time when it fits, the alternatives, and leaving the date out."""
    options = []
    if date.fits:
        wanted = FreeStart(date.wanted, therapist_id)
        options.append((wanted.value, _words(date.wanted, therapist_id, names, zone), True))
    for choice in date.alternatives:
        options.append((choice.value, _words(choice.start, choice.therapist, names, zone), False))
    options.append((SKIP, gettext("Leave this date out"), not date.fits))
    return date, options


def _words(start: datetime.datetime, therapist_id: int | None, names: dict[int, str], zone) -> str:
    local = start.astimezone(zone)
    day = date_format(local, pgettext("date format: short weekday and date", "D d M"))
    who = names.get(therapist_id) or gettext("anyone free")
    return gettext("%(day)s, %(time)s with %(therapist)s") % {"day": day, "time": f"{local:%H:%M}", "therapist": who}
