"""Reads for the online booking pages: the locations and services clients may
book themselves, who may give them, and the free times of the coming days."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from clients.models import Client
from clients.selectors import client_outcome
from routines.models import RoutineTemplate
from routines.selectors import MenuEntry, routine_list, service_menu
from salon.models import Salon, Therapist
from salon.selectors import salon_today
from sessions.availability import FreeStart, from_minutes, therapists_at
from sessions.availability_cache import remembered
from sessions.selectors import availability

DAYS_SHOWN = 14
# What the outbox also asks an intake for (sessions.services.outbox).
INTAKE_NEEDED = frozenset({"no_screening", "screening_expired"})


def online_locations() -> QuerySet[Salon]:
    """The locations that take bookings online, by name."""
    return Salon.objects.filter(online_booking=True).select_related("business").order_by("name", "pk")


def embed_origins(*, business_id: int | None = None) -> list[str]:
    """The sites the locations list in ``online_embed_origins`` (only the
    business's, when given), once each, in a stable order (one query)."""
    locations = Salon.objects.all() if business_id is None else Salon.objects.filter(business_id=business_id)
    origins: set[str] = set()
    for listed in locations.values_list("online_embed_origins", flat=True):
        origins.update(origin for origin in listed or [] if isinstance(origin, str))
    return sorted(origins)


def frame_origins(*, salon: Salon) -> list[str]:
    """The sites that may show the location's booking pages in a frame:
    those of its business's locations (remembered)."""
    return remembered(
        salon=salon,
        question=("frame-origins",),
        now=timezone.now(),
        compute=lambda: embed_origins(business_id=salon.business_id),
    )


def online_location(location_id: int) -> Salon | None:
    """The location, when it takes bookings online (remembered, as its
    settings count into the availability stamp)."""
    return remembered(
        salon=location_id,
        question=("online-location",),
        now=timezone.now(),
        compute=lambda: online_locations().filter(pk=location_id).first(),
    )


@dataclass(frozen=True)
class OnlineService:
    """A routine as clients may book it online at a location: its lengths
    with their prices (minor units) and the words for clients."""

    routine: RoutineTemplate
    entry: MenuEntry

    @property
    def slug(self) -> str:
        return self.routine.slug

    @property
    def lengths(self) -> list[tuple[int, int]]:
        return sorted(self.entry.prices.items())


def online_services(*, salon: Salon) -> list[OnlineService]:
    """The location's menu for online booking, by name: only services marked
    bookable online, at lengths the routine still fits in (two queries, or
    one while nothing on the menu has changed)."""
    return remembered(salon=salon, question=("services",), now=timezone.now(), compute=lambda: _online_services(salon))


def _online_services(salon: Salon) -> list[OnlineService]:
    menu = service_menu(salon=salon)
    services = []
    for routine in routine_list(offered_at=salon):
        entry = menu.get(routine.slug)
        if entry is None or not entry.online or not entry.prices:
            continue
        services.append(OnlineService(routine=routine, entry=entry))
    return services


def online_service(*, salon: Salon, slug: str) -> OnlineService | None:
    return next((service for service in online_services(salon=salon) if service.slug == slug), None)


def online_therapists(*, salon: Salon, routine: RoutineTemplate) -> list[Therapist]:
    """Who may give the routine at the location (by qualification), by name."""
    question = ("therapists", routine.qualification)
    return remembered(
        salon=salon, question=question, now=timezone.now(), compute=lambda: _online_therapists(salon, routine)
    )


def _online_therapists(salon: Salon, routine: RoutineTemplate) -> list[Therapist]:
    therapists = therapists_at(salon)
    if routine.qualification == "therapeutic":
        therapists = therapists.filter(qualified_therapeutic=True)
    elif routine.qualification == "pregnancy":
        therapists = therapists.filter(qualified_pregnancy=True)
    return list(therapists.order_by("display_name", "pk"))


@dataclass
class Day:
    """A day of the coming two weeks and its free starts."""

    date: datetime.date
    times: list[FreeStart] = field(default_factory=list)


def online_days(
    *,
    salon: Salon,
    routine: RoutineTemplate,
    minutes: int | None,
    therapist_id: int | None = None,
    first_day: datetime.date | None = None,
    days: int = DAYS_SHOWN,
    now: datetime.datetime | None = None,
    prefer: int | None = None,
    moving: int | None = None,
) -> list[Day]:
    """The next ``days`` days from the location's today, earliest first, each
    with its free starts for online booking (none: the day is full or closed);
    with "anyone", a time free with several therapists is listed once, with
    the therapist ``prefer`` when they have it free. ``moving``: the
    appointment being moved, whose own time counts as free."""
    now = now or timezone.now()
    first_day = first_day or salon_today(salon, now)
    question = ("days", routine.pk, minutes, therapist_id, first_day, days, prefer, moving)
    return remembered(
        salon=salon,
        question=question,
        now=now,
        compute=lambda: _online_days(salon, routine, minutes, therapist_id, first_day, days, now, prefer, moving),
    )


def _online_days(salon, routine, minutes, therapist_id, first_day, days, now, prefer, moving) -> list[Day]:
    last_day = first_day + datetime.timedelta(days=days - 1)
    slots, _ = availability(
        salon=salon,
        routine=routine,
        first_day=first_day,
        last_day=last_day,
        therapist_id=therapist_id,
        minutes=minutes,
        now=now,
        online=True,
        exclude_appointment=moving,
    )
    found = {first_day + datetime.timedelta(days=offset): Day(first_day + datetime.timedelta(days=offset))
             for offset in range(days)}  # fmt: skip
    zone = salon.zone
    chosen: dict[datetime.datetime, FreeStart] = {}
    for slot in slots:
        start = from_minutes(slot.start, zone)
        if start.date() in found and (start not in chosen or slot.therapist == prefer):
            chosen[start] = FreeStart(start=start, therapist=slot.therapist)
    for start in sorted(chosen):
        found[start.date()].times.append(chosen[start])
    return list(found.values())


def intake_needed(client: Client) -> bool:
    """Whether the client has no valid screening (none, or too old)."""
    return bool({finding.rule for finding in client_outcome(client).findings} & INTAKE_NEEDED)
