"""Routine pages: the list of templates and one template as a timeline."""

from django.http import Http404
from django.shortcuts import render

from routines import selectors
from routines.models import BodyArea, Direction, Side
from salon.locations import slot_grid_for
from salon.roles import Role, role_required

STAFF_ROLES = (Role.RECEPTIONIST, Role.THERAPIST, Role.MANAGER)


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
        raise Http404("No such routine.")
    spec = selectors.routine_spec(routine)
    timeline = []
    offset = 0
    for step in spec.steps:
        timeline.append(
            {
                "step": step,
                "start": offset,
                "minutes": step.typical_minutes,
                "areas": ", ".join(BodyArea(area).label for area in step.areas),
                "side": Side(step.side).label,
                "direction": Direction(step.direction).label if step.direction else "",
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
