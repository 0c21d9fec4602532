"""Writing the guide's routines (``routines/guide.py``) into the database.

Each function takes the model classes, so that a data migration can pass its
historical models; a field the guide fills but an older model lacks is left
out (a later migration adds it and fills it with the matching ``mark_*``).
"""

from routines.guide import BESIDE_SPINE, CORE_STEPS, ROUTINES, TECHNIQUES
from routines.models import BodyArea


def mark_beside_spine(technique_model) -> None:
    if any(field.name == "beside_spine" for field in technique_model._meta.get_fields()):
        technique_model.objects.filter(name__in=BESIDE_SPINE).update(beside_spine=True)


def mark_aftercare(routine_model) -> None:
    """The after-care advice of the guide's routines that have none yet."""
    if not any(field.name == "aftercare" for field in routine_model._meta.get_fields()):
        return
    for spec in ROUTINES:
        routine_model.objects.filter(slug=spec["slug"], aftercare="").update(aftercare=spec["aftercare"])


def mark_area_pressure(routine_model, step_model) -> None:
    """The guide's lighter pressure at the neck on the guide routines' steps
    that have none yet (after the field exists)."""
    if not any(field.name == "area_pressure" for field in step_model._meta.get_fields()):
        return
    for spec in ROUTINES:
        for step_spec in spec["steps"]:
            lighter = step_spec.get("area_pressure")
            if not lighter:
                continue
            for step in step_model.objects.filter(routine__slug=spec["slug"], order=step_spec["order"]):
                if not step.area_pressure and set(lighter) <= set(step.areas):
                    step.area_pressure = lighter
                    step.save(update_fields=["area_pressure"])


def mark_core_steps(routine_model, step_model) -> None:
    """Mark CORE_STEPS on every version of the guide's routines (after the
    field exists; an older historical model has no ``core``)."""
    if not any(field.name == "core" for field in step_model._meta.get_fields()):
        return
    for slug, orders in CORE_STEPS.items():
        step_model.objects.filter(routine__slug=slug, order__in=orders).update(core=True)


def mark_german(technique_model, routine_model, step_model) -> None:
    """The German of the guide's routines (after the field exists)."""
    if not any(field.name == "translations" for field in step_model._meta.get_fields()):
        return
    from routines.guide_de import german_add

    german_add(technique_model, routine_model, step_model)


def write_guide_routines(technique_model, routine_model, step_model) -> int:
    """Create the guide's techniques and routines that are missing (matched by
    name and slug). Takes the model classes so the data migration can pass its
    historical models. Returns how many routines were created."""
    technique_fields = {field.name for field in technique_model._meta.get_fields()}
    step_fields = {field.name for field in step_model._meta.get_fields()}
    techniques = {}
    for spec in TECHNIQUES:
        defaults = {key: value for key, value in spec.items() if key in technique_fields}
        technique, _ = technique_model.objects.get_or_create(name=spec["name"], defaults=defaults)
        techniques[spec["name"]] = technique

    created = 0
    for spec in ROUTINES:
        if routine_model.objects.filter(slug=spec["slug"]).exists():
            continue
        routine_fields = {field.name for field in routine_model._meta.get_fields()}
        fields = {key: value for key, value in spec.items() if key != "steps" and key in routine_fields}
        worked = {area for step in spec["steps"] for area in step["areas"]}
        routine = routine_model.objects.create(
            **fields, version=1, is_current=True, status="active", areas=[a for a in BodyArea.values if a in worked]
        )
        steps_by_order = {}
        for step_spec in spec["steps"]:
            # An older (historical) model may lack a field the guide now fills.
            data = {
                key: value
                for key, value in step_spec.items()
                if key not in {"technique", "repeat_of"} and key in step_fields
            }
            step = step_model.objects.create(
                routine=routine,
                technique=techniques[step_spec["technique"]],
                repeat_of=steps_by_order.get(step_spec.get("repeat_of")),
                **data,
            )
            steps_by_order[step.order] = step
        created += 1
    mark_core_steps(routine_model, step_model)
    mark_beside_spine(technique_model)
    mark_area_pressure(routine_model, step_model)
    mark_aftercare(routine_model)
    if created:
        mark_german(technique_model, routine_model, step_model)
    return created
