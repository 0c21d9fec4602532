"""Routine pages: the list of templates and one template as a timeline."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from routines import selectors
from routines.models import BodyArea, Direction, Side
from salon.locations import slot_grid_for
from salon.roles import Role, role_required

STAFF_ROLES = (Role.RECEPTIONIST, Role.THERAPIST, Role.MANAGER)
# A step's pressure on its badge, one word.
PRESSURE_WORDS = {
    "light": pgettext_lazy("pressure badge", "light"),
    "medium": pgettext_lazy("pressure badge", "medium"),
    "firm": pgettext_lazy("pressure badge", "firm"),
    "adaptive": pgettext_lazy("pressure badge", "adaptive"),
}


@role_required(*STAFF_ROLES)
def routine_list_page(request):
    grid = slot_grid_for(request.user)
    routines = [(routine, selectors.routine_spec(routine)) for routine in selectors.routine_list()]
    rows = [{"routine": routine, "spec": spec, "slot_minutes": spec.slot_minutes(grid)} for routine, spec in routines]
    return render(request, "routines/list.html", {"rows": rows})


@role_required(*STAFF_ROLES)
def routine_page(request, slug):
    routine = selectors.routine_list(include_archived=True).filter(slug=slug).first()
    if routine is None:
        raise Http404(_("No such routine."))
    spec = selectors.routine_spec(routine)
    timeline = []
    offset = 0
    for step in spec.steps:
        timeline.append(
            {
                "step": step,
                "start": offset,
                "minutes": step.typical_minutes,
                "areas": ", ".join(str(BodyArea(area).label) for area in step.areas),
                "side": Side(step.side).label,
                "direction": Direction(step.direction).label if step.direction else "",
                "pressure": PRESSURE_WORDS.get(step.pressure, step.pressure),
            }
        )
        offset += step.typical_minutes
    context = {
        "routine": routine,
        "spec": spec,
        "timeline": timeline,
        "slot_minutes": spec.slot_minutes(slot_grid_for(request.user)),
    }
    return render(request, "routines/detail.html", context)
