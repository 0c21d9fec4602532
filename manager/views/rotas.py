"""Rotas: a therapist's week at a location as a grid, from a date, alternating
weeks, and its effect on the coming weeks.

The grid's "Add a shift" and "Remove" buttons submit the form (and the page
comes back with a row more or less, nothing saved) unless the page's script
does it in place; a preview of the coming weeks comes by htmx as the rota
changes, or from the "Preview" button."""

import datetime

from django.contrib import messages
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from manager.forms import SHIFT_WORDS, WEEK_B_WORDS, RotaForm, WeekGrid, rota_shifts
from salon.errors import DomainError, error_words, http_status
from salon.inputs import parse_day
from salon.locations import location_for
from salon.models import Salon, Therapist, WorkingHours
from salon.roles import Role, role_required
from salon.selectors import salon_today
from sessions.availability import therapists_at
from sessions.rota_weeks import (
    COMING_WEEKS,
    ProposedRota,
    RotaPeriod,
    coming_weeks,
    monday_of,
    next_monday,
    parity_for,
    period_on,
    rota_outlooks,
    rota_periods,
    therapist_rota_rows,
)
from sessions.services.rotas import RotaClash, rota_set

MANAGERS = (Role.MANAGER,)


@role_required(*MANAGERS)
def rota_list(request):
    salon = location_for(request.user)
    today = salon_today(salon)
    therapists = list(therapists_at(salon).order_by("display_name", "pk"))
    context = {
        "salon": salon,
        "today": today,
        "outlooks": rota_outlooks(salon=salon, therapists=therapists, today=today),
        "manage_section": "rotas",
    }
    return render(request, "manager/rotas.html", context)


def _therapist_here(salon: Salon, therapist_id: int) -> Therapist:
    therapist = therapists_at(salon).filter(pk=therapist_id).first()
    if therapist is None:
        raise Http404(_("No such therapist works at this location."))
    return therapist


class Editor:
    """What the rota page shows for one therapist: the form and its two
    grids (as stored, as sent, or as a button changed them), the rotas in
    force and planned, and the coming weeks."""

    def __init__(self, request, therapist_id: int):
        self.request = request
        self.salon = location_for(request.user)
        self.therapist = _therapist_here(self.salon, therapist_id)
        self.today = salon_today(self.salon)

    def initial(self, start: datetime.date | None):
        """The form for a new rota from ``start`` (default: next Monday),
        filled with the rota in force then; a planned rota's own first day
        gives that rota, to change it."""
        rows = therapist_rota_rows(salon=self.salon, therapist=self.therapist, since=self.today)
        periods = rota_periods(rows)
        start = start if start and start >= self.today else next_monday(self.today)
        period = period_on(periods, start) or RotaPeriod(None, None)
        own = period.valid_from == start
        self.form = RotaForm(
            initial={
                "valid_from": start,
                "valid_to": period.valid_to if own else None,
                "alternating": period.alternating,
            },
            today=self.today,
        )
        first, second = period.grids(week_a=start)
        self.week_a = WeekGrid("a", words=SHIFT_WORDS, initial=first)
        self.week_b = WeekGrid("b", words=WEEK_B_WORDS, initial=second)
        self.periods = periods

    def posted(self, data: QueryDict):
        self.form = RotaForm(data, today=self.today)
        self.week_a = WeekGrid("a", words=SHIFT_WORDS, data=data)
        self.week_b = WeekGrid("b", words=WEEK_B_WORDS, data=data)
        self.periods = None

    def alternating(self) -> bool:
        return self.form["alternating"].value() in (True, "on", "true", "True", "1")

    def valid(self) -> bool:
        form_ok = self.form.is_valid()
        grid_ok = self.week_a.is_valid()
        if self.alternating():
            grid_ok = self.week_b.is_valid() and grid_ok
        return form_ok and grid_ok

    def shifts(self) -> list[tuple]:
        return rota_shifts(alternating=self.alternating(), week_a=self.week_a, week_b=self.week_b)

    def proposal(self) -> ProposedRota:
        """The valid form as unsaved rows, for the coming weeks."""
        data = self.form.cleaned_data
        week_a = data.get("week_a") or data["valid_from"]
        rows = tuple(
            WorkingHours(
                therapist=self.therapist,
                salon=self.salon,
                weekday=weekday,
                starts=starts,
                ends=ends,
                valid_from=data["valid_from"],
                valid_to=data.get("valid_to"),
                week_parity=parity_for(week, week_a=week_a),
            )
            for weekday, starts, ends, week in self.shifts()
        )
        return ProposedRota(data["valid_from"], data.get("valid_to"), rows, week_a)

    def weeks(self, proposal: ProposedRota | None = None):
        first = monday_of(self.today)
        if proposal is not None and proposal.valid_from > first + datetime.timedelta(days=7 * COMING_WEEKS - 1):
            first = monday_of(proposal.valid_from) - datetime.timedelta(days=7)  # the week before it, then it
        return coming_weeks(
            salon=self.salon, therapist=self.therapist, first_monday=first, today=self.today, proposal=proposal
        )

    def page(self, *, proposal=None, clash=None, problem="", status=200):
        if self.periods is None:
            self.periods = rota_periods(
                therapist_rota_rows(salon=self.salon, therapist=self.therapist, since=self.today)
            )
        context = {
            "salon": self.salon,
            "therapist": self.therapist,
            "today": self.today,
            "form": self.form,
            "week_a": self.week_a,
            "week_b": self.week_b,
            "periods": self.periods,
            "weeks": self.weeks(proposal),
            "proposal": proposal,
            "clash": clash,
            "problem": problem,
            "manage_section": "rotas",
        }
        return render(self.request, "manager/rota.html", context, status=status)


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def rota_edit(request, therapist_id: int):
    editor = Editor(request, therapist_id)
    if request.method == "GET":
        wanted = request.GET.get("from")
        editor.initial(parse_day(wanted, field="from") if wanted else None)
        return editor.page()
    data = request.POST.copy()
    start_on = data.get("start_on", "")
    if start_on:
        # "Start this rota on <date> instead": the same rota from the day
        # after the sessions in the way, its weeks A and B kept as planned.
        data["week_a"] = data.get("week_a") or data.get("valid_from", "")
        data["valid_from"] = start_on
    editor.posted(data)
    action = data.get("grid_action", "")
    if action:
        if not (editor.week_a.apply(action) or editor.week_b.apply(action)):
            return editor.page(problem=_("That button is not on this page."), status=400)
        editor.form = RotaForm(initial=data.dict(), today=editor.today)  # no complaints about fields not done yet
        return editor.page()
    if not editor.valid():
        return editor.page(problem=_("Some of the rota needs changing: see the marked fields."), status=400)
    proposal = editor.proposal()
    if "preview" in data:
        return editor.page(proposal=proposal)
    cleaned = editor.form.cleaned_data
    try:
        rota_set(
            therapist=editor.therapist,
            salon=editor.salon,
            valid_from=cleaned["valid_from"],
            valid_to=cleaned.get("valid_to"),
            week_a=cleaned.get("week_a"),
            shifts=editor.shifts(),
        )
    except RotaClash as clash:
        return editor.page(proposal=proposal, clash=clash, problem=error_words(clash), status=http_status(clash))
    except DomainError as refusal:
        return editor.page(proposal=proposal, problem=error_words(refusal), status=http_status(refusal))
    day_format = pgettext("date format: short weekday, date and year", "D j M Y")
    words = {"therapist": editor.therapist, "first": date_format(cleaned["valid_from"], day_format)}
    if cleaned.get("valid_to"):
        words["last"] = date_format(cleaned["valid_to"], day_format)
        saved = _("Rota for %(therapist)s saved: from %(first)s until %(last)s.") % words
    else:
        saved = _("Rota for %(therapist)s saved: from %(first)s.") % words
    messages.success(request, saved)
    return redirect("manage-rota", therapist_id=editor.therapist.pk)


@role_required(*MANAGERS)
@require_POST
def rota_preview(request, therapist_id: int):
    """The coming weeks with the rota as sent in place, nothing saved (htmx)."""
    editor = Editor(request, therapist_id)
    editor.posted(request.POST)
    if not editor.valid():
        context = {"weeks": editor.weeks(), "weeks_problem": _("Fix the marked parts of the rota to see its effect.")}
        return render(request, "manager/rota_weeks.html", context, status=400)
    return render(request, "manager/rota_weeks.html", {"weeks": editor.weeks(editor.proposal()), "proposal": True})


urlpatterns = [
    path("manage/rotas/", rota_list, name="manage-rotas"),
    path("manage/rotas/<int:therapist_id>/", rota_edit, name="manage-rota"),
    path("manage/rotas/<int:therapist_id>/preview/", rota_preview, name="manage-rota-preview"),
]
