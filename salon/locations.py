"""Which location a request acts on, and who may act on which.

Staff are granted locations one by one (``User.locations``) or all of them
(``User.all_locations``; superusers too). Pages act on the location chosen in
the switcher, remembered on the user; API calls name it with
``?location=ID`` and otherwise fall back on the same remembered choice. A
user with one location never has to choose, and never sees the switcher.
"""

from django.db.models import QuerySet

from salon.errors import Conflict, Forbidden, InvalidInput
from salon.inputs import parse_id
from salon.models import Salon

LOCATION_PARAMETER_HELP = (
    "The location (id) to act on. Without it, the one last chosen in the switcher, or the only one the user is granted."
)


def granted_location_ids(user) -> frozenset[int] | None:
    """Ids of the locations ``user`` may act on; None means every location.
    Read once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.is_superuser or user.all_locations:
        return None
    cached = user.__dict__.get("_salon_location_ids")
    if cached is None:
        cached = frozenset(user.locations.values_list("pk", flat=True))
        user.__dict__["_salon_location_ids"] = cached
    return cached


def locations_granted(user) -> QuerySet[Salon]:
    locations = Salon.objects.select_related("business").order_by("name", "pk")
    granted = granted_location_ids(user)
    return locations if granted is None else locations.filter(pk__in=granted)


def may_act_at(user, location_id: int) -> bool:
    granted = granted_location_ids(user)
    return granted is None or location_id in granted


def location_check(*, user, location: Salon) -> None:
    """403 unless ``user`` is granted ``location``."""
    if not may_act_at(user, location.pk):
        raise Forbidden(f"You are not granted the location {location.name}.", code="location_forbidden")


def location_for(user, requested: str | int | None = None) -> Salon:
    """The location to act on: the one asked for (403 when not granted), else
    the one remembered from the switcher, else the first one granted."""
    if requested not in (None, ""):
        pk = parse_id(requested, field="location")
        location = Salon.objects.select_related("business").filter(pk=pk).first()
        if location is None:
            raise InvalidInput("There is no such location.", fields={"location": ["Unknown location."]})
        location_check(user=user, location=location)
        return location
    location = user.__dict__.get("_salon_location")
    if location is not None:
        return location
    granted = locations_granted(user)
    chosen = getattr(user, "location_chosen_id", None)
    if chosen is not None and may_act_at(user, chosen):
        location = granted.filter(pk=chosen).first()
    location = location or granted.first()
    if location is not None:
        user.__dict__["_salon_location"] = location
        return location
    if not Salon.objects.exists():
        raise Conflict("No salon is set up yet: add one in the admin first.", code="no_salon")
    raise Forbidden("You are not granted any location yet; ask a manager.", code="no_location")


DEFAULT_SLOT_GRID_MINUTES = 15


def slot_grid_for(user, requested: str | int | None = None) -> int:
    """The booking grid of the user's location, for pages that only show
    lengths (the routine library works without any location set up)."""
    try:
        return location_for(user, requested).slot_minutes
    except (Conflict, Forbidden):
        if requested not in (None, ""):
            raise
        return DEFAULT_SLOT_GRID_MINUTES
