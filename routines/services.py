"""Writes of routines. A routine version that session plans use is never
changed: an edit makes the next version and the plans keep theirs."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from routines.content import kept_translations
from routines.guide import CORE_STEPS, ROUTINES, TECHNIQUES
from routines.guide_de import german_add
from routines.guide_load import write_guide_routines
from routines.models import BodyArea, RoutineStep, RoutineTemplate, RoutineWithheld, Service, ServiceLength, Technique
from routines.selectors import routine_in_use, routine_spec
from salon.errors import Conflict, InvalidInput, validate

TEMPLATE_FIELDS = [
    "name",
    "purpose",
    "position",
    "qualification",
    "turnover_minutes",
    "surface",
    "oil",
    "towels",
    "supports",
    "precautions",
    "aftercare",
    "status",
    "translations",
]
# The routine's own words, which ``translations`` translates.
ROUTINE_TEXTS = ["name", "purpose", "surface", "oil", "supports", "precautions", "aftercare"]
STEP_FIELDS = [
    "order",
    "technique",
    "areas",
    "direction",
    "side",
    "pressure",
    "dose_kind",
    "min_minutes",
    "max_minutes",
    "count",
    "unit",
    "seconds_per_unit",
    "per_side",
    "alternating_minutes",
    "uses_pain_map",
    "notes",
    "core",
    "area_pressure",
    "translations",
]


def _unsaved_steps(routine: RoutineTemplate, steps: list[dict]) -> tuple[list[RoutineStep], dict]:
    """Build and validate the steps without saving them. ``repeat_of`` is given
    as the order number of an earlier step. Errors are keyed ``steps.<i>.<field>``."""
    errors: dict[str, list[str]] = {}
    if not steps:
        return [], {"steps": [_("A routine needs at least one step.")]}
    orders = [data.get("order") for data in steps]
    if sorted(orders, key=lambda order: (order is None, order)) != list(range(1, len(steps) + 1)):
        errors["steps"] = [
            _("Number the steps 1 to %(last)s without gaps or repeats (got %(orders)s).")
            % {"last": len(steps), "orders": orders}
        ]

    built = []
    for index, data in enumerate(steps):
        unknown = set(data) - {*STEP_FIELDS, "repeat_of"}
        if unknown:
            errors[f"steps.{index}"] = [_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))}]
            continue
        step = RoutineStep(routine=routine, **{name: value for name, value in data.items() if name != "repeat_of"})
        try:
            step.full_clean(exclude=["routine", "repeat_of"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"steps.{index}.{field}"] = messages
        repeat_of = data.get("repeat_of")
        if repeat_of is not None:
            order = data.get("order")
            if not isinstance(order, int) or repeat_of not in orders or repeat_of >= order:
                errors[f"steps.{index}.repeat_of"] = [
                    _("A finishing step can only repeat an earlier step of the same routine (give its order).")
                ]
        step.repeat_order = repeat_of
        built.append(step)
    return built, errors


def _areas_of(steps: list[RoutineStep]) -> list[str]:
    worked = {area for step in steps for area in step.areas}
    return [area for area in BodyArea.values if area in worked]


def _validated(routine: RoutineTemplate, steps: list[dict], *, check_constraints: bool = True) -> list[RoutineStep]:
    """Validate the routine and its steps together; raise with every error."""
    built, errors = _unsaved_steps(routine, steps)
    if not errors:
        routine.areas = _areas_of(built)
    try:
        routine.full_clean(exclude=["areas"] if errors else None, validate_constraints=check_constraints)
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise InvalidInput.for_fields(errors)
    return built


def _write(routine: RoutineTemplate, built: list[RoutineStep]) -> RoutineTemplate:
    routine.save()
    routine.steps.all().delete()
    by_order = {}
    for step in sorted(built, key=lambda step: step.order):
        step.routine = routine
        step.repeat_of = by_order.get(step.repeat_order)
        step.save()
        by_order[step.order] = step
    return routine


def _step_data(step: RoutineStep) -> dict:
    data = {name: getattr(step, name) for name in STEP_FIELDS}
    data["repeat_of"] = step.repeat_of.order if step.repeat_of_id else None
    return data


@transaction.atomic
def routine_create(*, slug: str, steps: list[dict], **fields) -> RoutineTemplate:
    if RoutineTemplate.objects.filter(slug=slug).exists():
        raise InvalidInput.for_fields({"slug": [_("A routine with this slug exists; edit it to make a new version.")]})
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise InvalidInput.for_fields({name: [_("Unknown field.")] for name in sorted(unknown)})
    routine = RoutineTemplate(slug=slug, version=1, is_current=True, **fields)
    return _write(routine, _validated(routine, steps))


@transaction.atomic
def routine_update(*, routine: RoutineTemplate, steps: list[dict] | None = None, **changes) -> RoutineTemplate:
    """Change a routine. Returns the version that holds the change: the same
    one when no plan uses it yet, else a new current version."""
    routine = RoutineTemplate.objects.select_for_update().get(pk=routine.pk)
    if not routine.is_current:
        raise Conflict(
            _("Version %(version)s of %(routine)s has been replaced; edit the current version.")
            % {"version": routine.version, "routine": routine.name},
            code="not_current_version",
        )
    unknown = set(changes) - set(TEMPLATE_FIELDS)
    if unknown:
        raise InvalidInput.for_fields({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    if steps is None:
        steps = [_step_data(step) for step in routine.steps.select_related("repeat_of")]
    else:
        steps = _keeping_step_translations(routine, steps)
    if "translations" not in changes:
        before = {name: getattr(routine, name) for name in ROUTINE_TEXTS}
        kept = kept_translations(routine.translations, before=before, after={**before, **changes})
        if kept != routine.translations:
            changes = {**changes, "translations": kept}

    if not routine_in_use(routine):
        for name, value in changes.items():
            setattr(routine, name, value)
        return _write(routine, _validated(routine, steps))
    if _unchanged(routine, steps=steps, changes=changes):
        return routine  # saving again what plans use makes no new version
    return _next_version(routine, steps=steps, changes=changes)


def _keeping_step_translations(routine: RoutineTemplate, steps: list[dict]) -> list[dict]:
    """Steps given without ``translations`` (an editor that shows only the
    salon's language) keep those of the stored step with the same order,
    except where its notes changed: a translation of the old notes would
    tell the therapist something the routine no longer says."""
    stored = {step.order: step for step in routine.steps.all()}
    kept_steps = []
    for data in steps:
        order = data.get("order") if isinstance(data, dict) else None
        if not isinstance(order, int) or "translations" in data or order not in stored:
            kept_steps.append(data)
            continue
        old = stored[order]
        kept = kept_translations(old.translations, before={"notes": old.notes}, after={"notes": data.get("notes", "")})
        kept_steps.append({**data, "translations": kept} if kept else data)
    return kept_steps


def _unchanged(routine: RoutineTemplate, *, steps: list[dict], changes: dict) -> bool:
    if any(getattr(routine, name) != value for name, value in changes.items()):
        return False

    def same_whatever_the_order_of_areas(step: dict) -> dict:
        return {**step, "areas": sorted(step["areas"])}

    stored = [_comparable(_step_data(step)) for step in routine.steps.select_related("technique", "repeat_of")]
    try:
        proposed = [_comparable(step) for step in steps]
        return [same_whatever_the_order_of_areas(step) for step in stored] == [
            same_whatever_the_order_of_areas(step) for step in proposed
        ]
    except (TypeError, ValueError, AttributeError, KeyError):
        return False  # not even a valid step: certainly a change, for validation to judge


@transaction.atomic
def routine_new_version(*, routine: RoutineTemplate) -> RoutineTemplate:
    """Duplicate the current version as the next one, to edit freely."""
    routine = RoutineTemplate.objects.select_for_update().get(pk=routine.pk)
    if not routine.is_current:
        raise Conflict(_("Only the current version can be duplicated."), code="not_current_version")
    steps = [_step_data(step) for step in routine.steps.select_related("repeat_of")]
    return _next_version(routine, steps=steps, changes={})


def _next_version(routine: RoutineTemplate, *, steps: list[dict], changes: dict) -> RoutineTemplate:
    latest = RoutineTemplate.objects.filter(slug=routine.slug).aggregate(latest=Max("version"))["latest"]
    fields = {name: getattr(routine, name) for name in TEMPLATE_FIELDS}
    fields.update(changes)
    successor = RoutineTemplate(slug=routine.slug, version=latest + 1, is_current=True, **fields)
    # Validated before the old version is retired, so a refused edit changes
    # nothing; "one current version" holds again once the old one is retired.
    built = _validated(successor, steps, check_constraints=False)
    RoutineTemplate.objects.filter(pk=routine.pk).update(is_current=False)
    return _write(successor, built)


@transaction.atomic
def routine_areas_refresh(*, routine: RoutineTemplate) -> RoutineTemplate:
    """Recompute the areas a routine works from its steps (after the admin
    edited the steps directly)."""
    routine.areas = _areas_of(list(routine.steps.all()))
    validate(routine)
    routine.save(update_fields=["areas"])
    return routine


@transaction.atomic
def guide_routines_ensure() -> int:
    """Add the guide's routines that are missing (the data migration loads them
    into a new database; this restores any deleted since). Returns how many."""
    return write_guide_routines(Technique, RoutineTemplate, RoutineStep)


def _guide_steps(spec: dict, techniques: dict[str, Technique]) -> list[dict]:
    return [
        {
            **{key: value for key, value in step.items() if key != "technique"},
            "technique": techniques[step["technique"]],
            "core": step["order"] in CORE_STEPS.get(spec["slug"], []),
        }
        for step in spec["steps"]
    ]


def _comparable(step: dict, *, translations: bool = True) -> dict:
    """A step's fields with defaults filled in and the technique by name
    (without its translations, to compare with the guide, which has none)."""
    unsaved = RoutineStep(**{name: value for name, value in step.items() if name != "repeat_of"})
    fields = [name for name in STEP_FIELDS if translations or name != "translations"]
    return {**{name: getattr(unsaved, name) for name in fields}, "technique": unsaved.technique.name,
            "repeat_of": step.get("repeat_of")}  # fmt: skip


def _differs_from_guide(routine: RoutineTemplate, spec: dict, techniques: dict[str, Technique]) -> bool:
    if any(getattr(routine, name) != spec[name] for name in TEMPLATE_FIELDS if name in spec):
        return True
    stored = [
        _comparable(_step_data(step), translations=False)
        for step in routine.steps.select_related("technique", "repeat_of")
    ]
    return stored != [_comparable(step, translations=False) for step in _guide_steps(spec, techniques)]


def _techniques() -> dict[str, Technique]:
    write_guide_routines(Technique, RoutineTemplate, RoutineStep)  # adds techniques that are missing
    return {technique.name: technique for technique in Technique.objects.all()}


@transaction.atomic
def guide_routines_refresh() -> list[RoutineTemplate]:
    """Bring the guide's routines in line with the guide as this version of the
    software reads it (pressure per area, technique names, cues). A version
    that plans use is not changed: the change makes the next version, as any
    edit does. Returns the versions that changed."""
    techniques = _techniques()
    for technique in TECHNIQUES:
        Technique.objects.filter(name=technique["name"]).update(
            description=technique["description"], default_pressure=technique["default_pressure"]
        )
    changed = []
    for spec in ROUTINES:
        current = RoutineTemplate.objects.filter(slug=spec["slug"], is_current=True).first()
        if current is None or not _differs_from_guide(current, spec, techniques):
            continue
        fields = {name: spec[name] for name in TEMPLATE_FIELDS if name in spec}
        changed.append(routine_update(routine=current, steps=_guide_steps(spec, techniques), **fields))
    if changed:  # the German of notes the refresh rewrote in the guide's words
        german_add(Technique, RoutineTemplate, RoutineStep)
    return changed


LONGEST_SESSION_MINUTES = 480


@transaction.atomic
def service_set(
    *,
    salon,
    routine: RoutineTemplate,
    offered: bool = True,
    lengths: list[tuple[int, int]] = (),
    description: str = "",
    turnover_minutes: int | None = None,
    online: bool = False,
    translations: dict | None = None,
) -> Service:
    """Put a routine on the location's service menu (or take it off with
    ``offered=False``, which keeps its prices for later): the lengths it is
    sold in, each ``(minutes, price in minor units)`` and no shorter than the
    routine can be done in; the turnover after it (None: the routine's own);
    a description for clients, and ``translations`` of it (None keeps
    those still true of the description); whether clients may book it online."""
    errors: dict[str, list[str]] = {}
    shortest = routine_spec(routine).minimum_minutes
    seen: set[int] = set()
    for index, (minutes, price) in enumerate(lengths):
        if not isinstance(minutes, int) or not shortest <= minutes <= LONGEST_SESSION_MINUTES:
            errors[f"lengths.{index}.minutes"] = [
                _("%(routine)s takes %(shortest)s minutes at least; give %(shortest)s to %(longest)s.")
                % {"routine": routine.name, "shortest": shortest, "longest": LONGEST_SESSION_MINUTES}
            ]
        elif minutes in seen:
            errors[f"lengths.{index}.minutes"] = [_("%(minutes)s minutes is listed twice.") % {"minutes": minutes}]
        seen.add(minutes)
        if not isinstance(price, int) or price < 0:
            errors[f"lengths.{index}.price_minor"] = [_("Give a price of zero or more.")]
    if online and not lengths:
        errors["online"] = [_("Give at least one length with its price before clients can book it online.")]
    if errors:
        raise InvalidInput.for_fields(errors)
    try:
        with transaction.atomic():  # two managers saving a new entry at once: the second one finds it
            Service.objects.get_or_create(salon=salon, slug=routine.slug)
    except IntegrityError:
        pass
    service = Service.objects.select_for_update().get(salon=salon, slug=routine.slug)
    description = description.strip()
    if translations is None:
        translations = kept_translations(
            service.translations, before={"description": service.description}, after={"description": description}
        )
    service.description = description
    service.translations = translations
    service.turnover_minutes = turnover_minutes
    service.online = online and offered
    validate(service)
    service.save()
    service.lengths.all().delete()
    for minutes, price in sorted(lengths):
        length = ServiceLength(service=service, minutes=minutes, price_minor=price)
        validate(length)
        length.save()
    if offered:
        RoutineWithheld.objects.filter(salon=salon, slug=routine.slug).delete()
    else:
        RoutineWithheld.objects.get_or_create(salon=salon, slug=routine.slug)
    return service
