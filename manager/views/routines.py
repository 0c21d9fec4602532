"""The routine editor: a form per step, reordering, live duration and a plan preview.

The page works without its script: Move up/down, Add a step, Remove and
Keep are submit buttons that show the page again, changed but not saved
(``RoutineEditor.with_change``); the script (manager/static/manager/
routine_editor.js) does the same in the page, adds dragging, and keeps the
total length up to date as the manager types.
"""

import math

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clients.bodychart import chart_views, point_labels
from manager.routine_forms import PreviewForm, RoutineEditor, unique_slug
from routines.models import RoutineTemplate, Technique
from routines.selectors import routine_in_use, routine_list, routine_spec
from routines.services import routine_create, routine_update
from routines.specs import RoutineSpec
from salon.errors import DomainError, InvalidInput, error_words, http_status
from salon.locations import slot_grid_for
from salon.roles import Role, role_required
from sessions.plan_view import plan_view
from sessions.plans import PlanNotPossible, build_plan

MANAGERS = (Role.MANAGER,)
# Submit buttons that change the page without saving (see RoutineEditor.with_change).
PAGE_CHANGES = ("move", "add", "remove", "keep")


@role_required(*MANAGERS)
def routines_page(request):
    archived = request.GET.get("archived") == "1"
    grid = slot_grid_for(request.user)
    rows = []
    for routine in routine_list(include_archived=archived):
        spec = routine_spec(routine)
        rows.append({"routine": routine, "spec": spec, "slot_minutes": spec.slot_minutes(grid)})
    context = {"rows": rows, "archived": archived, "manage_section": "routines"}
    return render(request, "manager/routines.html", context)


def _current(slug: str) -> RoutineTemplate | None:
    """The current version of a routine with its steps; None for a new one."""
    if slug == "new":
        return None
    routine = routine_list(include_archived=True).filter(slug=slug).first()
    if routine is None:
        raise Http404(_("No such routine."))
    return routine


def _techniques() -> list[Technique]:
    return list(Technique.objects.order_by("name"))


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def routine_editor(request, slug: str = "new"):
    routine = _current(slug)
    techniques = _techniques()
    if request.method == "GET":
        editor = RoutineEditor.blank(techniques) if routine is None else RoutineEditor.for_routine(routine, techniques)
        return _page(request, editor, routine=routine)
    change = next((name for name in PAGE_CHANGES if name in request.POST), None)
    if change:
        editor, notice = RoutineEditor.as_typed(request.POST, techniques).with_change(
            change, request.POST.get(change, "")
        )
        return _page(request, editor, routine=routine, notice=notice)
    return _save(request, routine, RoutineEditor.bound(request.POST, techniques))


def _save(request, routine: RoutineTemplate | None, editor: RoutineEditor):
    if not editor.is_valid():
        return _page(request, editor, routine=routine, status=400, judged=True)
    opened = editor.routine_form.cleaned_data.get("version")
    if routine is not None and opened not in (None, routine.version):
        # Someone saved the routine while this manager edited it: say so, keep
        # what was typed, and let a second Save replace the newer version.
        data = request.POST.copy()
        data["version"] = str(routine.version)
        editor = RoutineEditor.bound(data, editor.techniques)
        editor.is_valid()
        problem = _(
            "While you were editing, someone saved %(name)s (now version %(version)s). Nothing is "
            "saved yet: your changes are still on this page; Save again to replace that version with them."
        ) % {"name": routine.name, "version": routine.version}
        return _page(request, editor, routine=routine, status=409, problem=problem, judged=True)
    try:
        saved = _store(routine, editor)
    except DomainError as refusal:
        loose = editor.show_refusal(refusal) if isinstance(refusal, InvalidInput) else [error_words(refusal)]
        return _page(request, editor, routine=routine, status=http_status(refusal), loose=loose, judged=True)
    messages.success(request, _saved_words(routine, saved))
    return redirect("manage-routine", slug=saved.slug)


def _store(routine: RoutineTemplate | None, editor: RoutineEditor) -> RoutineTemplate:
    fields, steps = editor.service_input()
    if routine is None:
        return routine_create(slug=unique_slug(fields["name"]), steps=steps, **fields)
    return routine_update(routine=routine, steps=steps, **fields)


def _saved_words(before: RoutineTemplate | None, saved: RoutineTemplate) -> str:
    if before is None:
        return _("%(name)s added. Offer it on the service menu to make it bookable.") % {"name": saved.name}
    if saved.pk != before.pk:
        return _("Saved as version %(saved)s; sessions already planned keep version %(before)s.") % {
            "saved": saved.version,
            "before": before.version,
        }
    return _("Saved %(name)s (version %(version)s).") % {"name": saved.name, "version": saved.version}


@role_required(*MANAGERS)
@require_POST
def routine_preview(request, slug: str):
    """The plan the builder would make from the routine as it is on the page
    (not saved) for a sample client: the steps go through the same service as
    Save, inside a transaction that is always rolled back, so the preview
    checks exactly what Save would and stores nothing."""
    routine = _current(slug)
    editor = RoutineEditor.bound(request.POST, _techniques())
    preview_form = PreviewForm(request.POST)
    valid = editor.is_valid() & preview_form.is_valid()
    preview = {"problems": editor.problems() + _form_problems(preview_form)} if not valid else None
    if valid:
        try:
            spec = _unsaved_spec(routine, editor)
        except InvalidInput as refusal:
            loose = editor.show_refusal(refusal)
            preview = {"problems": editor.problems() + [{"where": "", "what": text, "anchor": ""} for text in loose]}
        else:
            preview = _plan_preview(spec, preview_form)
    status = 400 if preview.get("problems") else 200
    if request.htmx:
        return render(request, "manager/_routine_preview.html", {"preview": preview}, status=status)
    return _page(
        request, editor, routine=routine, status=status, preview=preview, preview_form=preview_form, judged=not valid
    )


def _unsaved_spec(routine: RoutineTemplate | None, editor: RoutineEditor) -> RoutineSpec:
    with transaction.atomic():
        spec = routine_spec(_store(routine, editor))
        transaction.set_rollback(True)
    return spec


def _plan_preview(spec: RoutineSpec, preview_form: PreviewForm) -> dict:
    sample = preview_form.sample_client()
    minutes = preview_form.cleaned_data.get("minutes") or spec.typical_minutes
    preview = {"sample": sample, "minutes": minutes, "typical": spec.typical_minutes}
    try:
        plan = build_plan(routine=spec, outcome=sample.outcome(), booked_minutes=minutes)
    except PlanNotPossible as refusal:
        return {**preview, "refusal": refusal.detail}
    entry = {
        "view": plan_view(plan.to_dict()),
        "chart": chart_views(sample.pain_map),
        "pain_points": point_labels(sample.pain_map),
        "allergies": sample.answers.get("allergies", ""),
    }
    return {**preview, "entry": entry, "planned": plan.planned_minutes, "steps": len(plan.steps)}


def _form_problems(form) -> list[dict]:
    return [
        {"where": form[name].label, "what": " ".join(errors), "anchor": form[name].auto_id}
        for name, errors in form.errors.items()
        if name in form.fields
    ]


def _page(
    request,
    editor: RoutineEditor,
    *,
    routine: RoutineTemplate | None,
    status: int = 200,
    notice: str = "",
    problem: str = "",
    loose=(),
    preview: dict | None = None,
    preview_form: PreviewForm | None = None,
    judged: bool = False,
):
    """The editor. ``judged``: the forms were checked, so the summary lists what to fix."""
    grid = slot_grid_for(request.user)
    typical, turnover = editor.typical_minutes(), editor.turnover_minutes()
    slug = routine.slug if routine else "new"
    context = {
        "routine": routine,
        "editor": editor,
        "rows": editor.rows(),
        "empty_row": editor.empty_row(),
        "problems": editor.problems() if judged else [],
        "loose": list(loose),
        "problem": problem,
        "notice": notice,
        "grid": grid,
        "typical": typical,
        # As RoutineSpec.slot_minutes: the length and turnover, up to the grid.
        "slot": math.ceil((typical + turnover) / grid) * grid,
        "in_use": routine is not None and routine_in_use(routine),
        "preview_form": preview_form or PreviewForm(),
        "preview": preview,
        "action": reverse("manage-routine", kwargs={"slug": slug}) if routine else reverse("manage-routine-new"),
        "preview_url": reverse("manage-routine-preview", kwargs={"slug": slug}),
        "manage_section": "routines",
    }
    return render(request, "manager/routine_editor.html", context, status=status)


urlpatterns = [
    path("manage/routines/", routines_page, name="manage-routines"),
    path("manage/routines/new/", routine_editor, name="manage-routine-new"),
    path("manage/routines/<slug:slug>/", routine_editor, name="manage-routine"),
    path("manage/routines/<slug:slug>/preview/", routine_preview, name="manage-routine-preview"),
]
