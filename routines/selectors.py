"""Reads of routines, and of the service menu that sells them."""

from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models import IntegerField, Prefetch, QuerySet, Value
from django.db.models.functions import Cast

from routines.models import RoutineStep, RoutineTemplate, RoutineWithheld, Service
from routines.specs import RoutineSpec, StepSpec
from salon.compiled import CompiledQuery


def _steps_prefetch() -> Prefetch:
    return Prefetch("steps", queryset=RoutineStep.objects.select_related("technique", "repeat_of").order_by("order"))


def _with_steps(queryset: QuerySet[RoutineTemplate]) -> QuerySet[RoutineTemplate]:
    return queryset.prefetch_related(_steps_prefetch())


def routine_list(*, include_archived: bool = False, offered_at=None) -> QuerySet[RoutineTemplate]:
    """Current versions of the routines, with their steps (two queries);
    with ``offered_at``, only those that location offers."""
    routines = RoutineTemplate.objects.filter(is_current=True)
    if not include_archived:
        routines = routines.filter(status=RoutineTemplate.Status.ACTIVE)
    if offered_at is not None:
        routines = routines.exclude(slug__in=RoutineWithheld.objects.filter(salon=offered_at).values("slug"))
    return _with_steps(routines.order_by("name"))


# Every desk and booking page lists the routines this way: compiled once, only the location changes.
_OFFERED_STEPS = CompiledQuery(
    lambda salon: (
        RoutineStep.objects.filter(routine__is_current=True, routine__status=RoutineTemplate.Status.ACTIVE)
        .exclude(routine__slug__in=RoutineWithheld.objects.filter(salon_id=salon).values("slug"))
        .select_related("routine", "technique", "repeat_of")
        .order_by("routine__name", "routine_id", "order")
    ),
    salon=-1,  # no location's id
)


def routines_offered_with_steps(*, offered_at) -> list[RoutineTemplate]:
    """The active current routines a location offers, by name, with their
    steps, in one query (the steps joined to their routines), where
    :func:`routine_list` takes two: for pages that list the routines and
    need the spec of one of them. A routine has at least one step."""
    return _routines_of(_OFFERED_STEPS.objects(salon=offered_at.pk))


# The desk lists the routines this way: compiled once, only the location changes.
_OFFERED = CompiledQuery(
    lambda salon: (
        RoutineTemplate.objects.filter(is_current=True, status=RoutineTemplate.Status.ACTIVE)
        .exclude(slug__in=RoutineWithheld.objects.filter(salon_id=salon).values("slug"))
        .order_by("name", "pk")
    ),
    salon=-1,  # no location's id
)


def routines_offered(*, offered_at) -> list[RoutineTemplate]:
    """The routines of :func:`routines_offered_with_steps` without their
    steps, in one query: for pages that list them all but need the steps of
    one (:func:`routine_steps_prefetch`), where reading every routine's
    steps cost more than the rest of the list."""
    return _OFFERED.objects(salon=offered_at.pk)


# Every booking reads its routine this way: compiled once, only the id changes.
_CURRENT_STEPS = CompiledQuery(
    lambda pk: (
        RoutineStep.objects.filter(routine_id=pk, routine__is_current=True)
        .select_related("routine", "technique", "repeat_of")
        .order_by("order")
    ),
    pk=-1,  # no routine's id
)


def routine_current_with_steps(*, pk) -> RoutineTemplate | None:
    """The current version of a routine by id, with its steps, in one query
    (the steps joined to their routine, as :func:`routines_offered_with_steps`);
    None when there is no such routine. One without steps, which the
    services never write, takes a second query."""
    pk = RoutineTemplate._meta.pk.get_prep_value(pk)  # as filter(pk=) takes it: ValueError for text not a number
    low, high = connection.ops.integer_field_range(RoutineTemplate._meta.pk.get_internal_type())
    if not low <= pk <= high:  # no such id, as filter(pk=) finds (the database would refuse the number)
        return None
    found = _routines_of(_CURRENT_STEPS.objects(pk=pk))
    return found[0] if found else RoutineTemplate.objects.filter(pk=pk, is_current=True).first()


# The public API reads the routine a service names this way: compiled once, only the slug changes.
_ACTIVE_STEPS_BY_SLUG = CompiledQuery(
    lambda slug: (
        RoutineStep.objects.filter(
            routine__slug=slug, routine__is_current=True, routine__status=RoutineTemplate.Status.ACTIVE
        )
        .select_related("routine", "technique", "repeat_of")
        .order_by("routine__name", "routine_id", "order")
    ),
    slug="\0slug",  # no routine's slug
)


def routine_active_with_steps(*, slug: str) -> RoutineTemplate | None:
    """The routine of :func:`routine_list` with the slug ``slug``, with its
    steps, in one query (the steps joined to their routine); None when there
    is none. One without steps, which the services never write, takes two."""
    found = _routines_of(_ACTIVE_STEPS_BY_SLUG.objects(slug=slug))
    return found[0] if found else routine_list().filter(slug=slug).first()


def _routines_of(steps) -> list[RoutineTemplate]:
    """The routines of ``steps`` (read with their routine, in order), each
    with its steps kept as if prefetched."""
    routines: dict[int, RoutineTemplate] = {}
    found: dict[int, list[RoutineStep]] = {}
    for step in steps:
        routines.setdefault(step.routine_id, step.routine)
        found.setdefault(step.routine_id, []).append(step)
    for pk, routine in routines.items():
        # As prefetch_related leaves it, so that routine.steps.all() reads no more.
        prefetched = routine.steps.all()
        prefetched._result_cache = found[pk]
        prefetched._prefetch_done = True
        routine._prefetched_objects_cache = {"steps": prefetched}
    return list(routines.values())


def routine_versions() -> QuerySet[RoutineTemplate]:
    """Every version of every routine, with steps: plans may point at old ones."""
    return _with_steps(RoutineTemplate.objects.order_by("name", "-version"))


def routine_steps_prefetch(routine: RoutineTemplate) -> RoutineTemplate:
    """``routine`` with its steps read in one query (unless they already
    are), so that each :func:`routine_spec` of it reads no more."""
    if "steps" not in getattr(routine, "_prefetched_objects_cache", {}):
        steps = _STEPS_OF.objects(pk=routine.pk)
        for step in steps:
            RoutineStep.routine.field.set_cached_value(step, routine)
        # As prefetch_related leaves it (see _routines_of), from the query compiled for routine_spec.
        prefetched = routine.steps.all()
        prefetched._result_cache = steps
        prefetched._prefetch_done = True
        routine._prefetched_objects_cache = {**getattr(routine, "_prefetched_objects_cache", {}), "steps": prefetched}
    return routine


# Availability reads a routine's steps this way for every question it computes: compiled once.
_STEPS_OF = CompiledQuery(
    lambda pk: RoutineStep.objects.filter(routine_id=pk).select_related("technique", "repeat_of").order_by("order"),
    pk=-1,  # no routine's id
)


def routine_spec(routine: RoutineTemplate) -> RoutineSpec:
    """The routine version as immutable data, from prefetched steps when
    present, else from one query."""
    if "steps" in getattr(routine, "_prefetched_objects_cache", {}):
        rows = routine.steps.all()
    else:
        rows = _STEPS_OF.objects(pk=routine.pk)
    steps = tuple(
        StepSpec(
            order=step.order,
            technique=step.technique.name,
            hand_part=step.technique.hand_part,
            areas=tuple(step.areas),
            pressure=step.pressure,
            dose_kind=step.dose_kind,
            direction=step.direction,
            side=step.side,
            min_minutes=step.min_minutes,
            max_minutes=step.max_minutes,
            count=step.count,
            unit=step.unit,
            seconds_per_unit=step.seconds_per_unit,
            per_side=step.per_side,
            alternating_minutes=step.alternating_minutes,
            uses_pain_map=step.uses_pain_map,
            repeat_of=step.repeat_of.order if step.repeat_of_id else None,
            notes=step.notes,
            core=step.core,
            beside_spine=step.technique.beside_spine,
            area_pressure=dict(step.area_pressure or {}),
        )
        for step in sorted(rows, key=lambda step: step.order)
    )
    return RoutineSpec(
        id=routine.pk,
        slug=routine.slug,
        name=routine.name,
        version=routine.version,
        position=routine.position,
        qualification=routine.qualification,
        turnover_minutes=routine.turnover_minutes,
        steps=steps,
        surface=routine.surface,
        oil=routine.oil,
        towels=routine.towels,
        supports=tuple(routine.supports),
        precautions=tuple(routine.precautions),
        areas=tuple(routine.areas),
    )


class RoutineTiming(NamedTuple):
    """What availability and its booking terms read of a routine version:
    its durations, without the steps' techniques, areas and notes (building
    the whole :class:`RoutineSpec` cost more than the rest of the terms)."""

    slug: str
    name: str
    qualification: str
    turnover_minutes: int
    typical_minutes: int
    minimum_minutes: int


# The step columns a step's duration is computed from (StepSpec's names).
_DOSE_COLUMNS = (
    "dose_kind", "min_minutes", "max_minutes", "count", "seconds_per_unit", "per_side", "alternating_minutes",
)  # fmt: skip
_DOSES_OF = CompiledQuery(
    lambda pk: RoutineStep.objects.filter(routine_id=pk).values_list(*_DOSE_COLUMNS),
    pk=-1,  # no routine's id
)


def routine_timing(routine: RoutineTemplate) -> RoutineTiming:
    """The routine version's durations, worked out by StepSpec's own rules
    from its steps' doses: from its prefetched steps when present, as
    :func:`routine_spec`, else in one query of only those
    columns."""
    if "steps" in getattr(routine, "_prefetched_objects_cache", {}):
        doses = [tuple(getattr(step, field) for field in _DOSE_COLUMNS) for step in routine.steps.all()]
    else:
        doses = _DOSES_OF.values(pk=routine.pk)
    # Steps with their doses alone: what a step is (technique, areas) does not change how long it takes.
    blank = {"order": 0, "technique": "", "hand_part": "", "areas": (), "pressure": ""}
    steps = [StepSpec(**blank, **dict(zip(_DOSE_COLUMNS, dose, strict=True))) for dose in doses]
    return RoutineTiming(
        slug=routine.slug,
        name=routine.name,
        qualification=routine.qualification,
        turnover_minutes=routine.turnover_minutes,
        typical_minutes=sum(step.typical_minutes for step in steps),
        minimum_minutes=sum(step.minimum_minutes for step in steps),
    )


def routine_in_use(routine: RoutineTemplate) -> bool:
    """True when a session plan was built from this version. The reverse
    accessor comes from ``sessions.SessionPlan.routine`` (related_name
    ``session_plans``); routines does not import sessions."""
    return routine.session_plans.exists()


def routine_offered(*, routine: RoutineTemplate, salon) -> bool:
    """Whether the location ``salon`` offers the routine (every version of it)."""
    return not RoutineWithheld.objects.filter(salon=salon, slug=routine.slug).exists()


@dataclass(frozen=True)
class MenuEntry:
    """A routine as a location sells it: the lengths with their prices (in
    minor units of the location's currency), and the turnover after it
    (None: the routine's own)."""

    slug: str
    prices: dict[int, int] = field(default_factory=dict)  # minutes -> price in minor units
    turnover_minutes: int | None = None
    description: str = ""
    online: bool = False
    # The description in other languages (every language: a remembered menu
    # is the same for every reader; a page picks the reader's language).
    translations: dict = field(default_factory=dict)


ENTRY_COLUMNS = ("turnover_minutes", "description", "online", "lengths__minutes", "lengths__price_minor")


def _entry_from_rows(slug: str, rows: list[tuple]) -> MenuEntry | None:
    """A menu entry from its rows (one per length, as ``ENTRY_COLUMNS``), or None without rows."""
    if not rows:
        return None
    turnover, description, online = rows[0][:3]
    prices = {minutes: price for *_, minutes, price in rows if minutes is not None}
    return MenuEntry(slug=slug, prices=prices, turnover_minutes=turnover, description=description, online=online)


# Every computation of free times reads its menu entry this way: compiled once.
_ENTRY_ROWS = CompiledQuery(
    lambda salon, slug: (
        Service.objects.filter(salon_id=salon, slug=slug).order_by("lengths__minutes").values_list(*ENTRY_COLUMNS)
    ),
    salon=-1,  # no location's id
    slug="\0slug",  # no routine's slug
)


def service_entry(*, salon, slug: str) -> MenuEntry | None:
    """The location's menu entry for a routine (by slug), or None; one query."""
    return _entry_from_rows(slug, _ENTRY_ROWS.values(salon=salon.pk, slug=slug))


def _offer_rows(salon, slug):
    no_number = Cast(Value(None), IntegerField())  # typed: PostgreSQL reads a bare NULL as text
    entry = Service.objects.filter(salon=salon, slug=slug).order_by().values_list(Value(0), *ENTRY_COLUMNS)
    withheld = (
        RoutineWithheld.objects.filter(salon=salon, slug=slug)
        .order_by()
        .values_list(Value(1), no_number, Value(""), Value(False), no_number, no_number)
    )
    return entry.union(withheld, all=True)


# Every booking reads its offer this way: compiled once, only the location and the slug change.
_OFFER_ROWS = CompiledQuery(_offer_rows, salon=-1, slug="\0slug")  # no location's id, no routine's slug


def routine_offer(*, salon, slug: str) -> tuple[bool, MenuEntry | None]:
    """Whether the location offers the routine (:func:`routine_offered`) and
    its menu entry there (:func:`service_entry`), in one query for a booking
    that needs both: a UNION of the entry's rows and the row withholding it,
    told apart by the first column."""
    rows = _OFFER_ROWS.values(salon=salon.pk, slug=slug)
    offered = all(kind == 0 for kind, *_ in rows)
    return offered, _entry_from_rows(slug, [row[1:] for row in rows if row[0] == 0])


# The desk and the booking pages read it on every request: compiled once, only the location changes.
_MENU_ROWS = CompiledQuery(
    lambda salon: Service.objects.filter(salon_id=salon).values_list(
        "slug", "turnover_minutes", "description", "online", "lengths__minutes", "lengths__price_minor", "translations"
    ),
    salon=-1,  # no location's id
)


def service_menu(*, salon) -> dict[str, MenuEntry]:
    """Every menu entry of the location, by routine slug; one query."""
    rows = _MENU_ROWS.values(salon=salon.pk)
    menu: dict[str, MenuEntry] = {}
    for slug, turnover, description, online, minutes, price, translations in rows:
        entry = menu.setdefault(slug, MenuEntry(slug, {}, turnover, description, online, translations or {}))
        if minutes is not None:
            entry.prices[minutes] = price
    return {slug: MenuEntry(slug, dict(sorted(entry.prices.items())), entry.turnover_minutes, entry.description,
                            entry.online, entry.translations) for slug, entry in menu.items()}  # fmt: skip


def routines_withheld(*, salon) -> frozenset[str]:
    """Slugs of the routines the location does not offer."""
    return frozenset(RoutineWithheld.objects.filter(salon=salon).values_list("slug", flat=True))
