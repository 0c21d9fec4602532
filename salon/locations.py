"""Which location a request acts on, and who may act on which.

Staff are granted locations one by one (``User.locations``) or all of them
(``User.all_locations``; superusers too). Pages act on the location chosen in
the switcher, remembered on the user; API calls name it with
``?location=ID`` and otherwise fall back on the same remembered choice. A
user with one location never has to choose, and never sees the switcher.
"""

from django.utils.translation import gettext as _

from salon.compiled import CompiledQuery
from salon.errors import Conflict, Forbidden, InvalidInput
from salon.inputs import parse_id
from salon.models import Salon

LOCATION_PARAMETER_HELP = (
    "The location (id) to act on. Without it, the one last chosen in the switcher, or the only one the user is granted."
)


def locations_granted(user) -> list[Salon]:
    """The locations ``user`` may act on, by name, with their business. Read
    in one query per request and kept on the user: every page needs them."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = user.__dict__.get("_salon_locations")
    if cached is None:
        cached = _EVERY_LOCATION.objects() if _grants_all(user) else _LOCATIONS_OF_STAFF.objects(staff=user.pk)
        user.__dict__["_salon_locations"] = cached
    return cached


def locations_granted_queryset(user):
    """The same locations as :func:`locations_granted`, as a queryset (for forms)."""
    return _locations(staff=None if _grants_all(user) else user.pk)


def _grants_all(user) -> bool:
    return user.is_superuser or user.all_locations


def _locations(*, staff: int | None):
    """Every location, or those granted to the staff member with id ``staff``, by name."""
    locations = Salon.objects.order_by("name", "pk")
    return locations if staff is None else locations.filter(staff=staff)


# Every request reads them: compiled once, only the user's id changes.
_EVERY_LOCATION = CompiledQuery(lambda: _locations(staff=None).select_related("business"))
_LOCATIONS_OF_STAFF = CompiledQuery(
    lambda staff: _locations(staff=staff).select_related("business"),
    staff=-1,  # no user's id
)


def granted_location_ids(user) -> frozenset[int] | None:
    """Ids of the locations ``user`` may act on; None means every location
    (superusers, and staff granted all of them)."""
    if getattr(user, "is_authenticated", False) and (user.is_superuser or user.all_locations):
        return None
    return frozenset(location.pk for location in locations_granted(user))


def may_act_at(user, location_id: int) -> bool:
    granted = granted_location_ids(user)
    return granted is None or location_id in granted


def location_check(*, user, location: Salon) -> None:
    """403 unless ``user`` is granted ``location``."""
    if not may_act_at(user, location.pk):
        raise Forbidden(
            _("You are not granted the location %(location)s.") % {"location": location.name}, code="location_forbidden"
        )


def location_for(user, requested: str | int | None = None) -> Salon:
    """The location to act on: the one asked for (403 when not granted), else
    the one remembered from the switcher, else the first one granted."""
    if requested not in (None, ""):
        # An int is an id the caller read (a room's location); only text from a request needs checking.
        pk = requested if isinstance(requested, int) else parse_id(requested, field="location")
        location = next((candidate for candidate in locations_granted(user) if candidate.pk == pk), None)
        if location is not None:
            return location
        location = Salon.objects.select_related("business").filter(pk=pk).first()
        if location is None:
            raise InvalidInput(_("There is no such location."), fields={"location": [_("Unknown location.")]})
        location_check(user=user, location=location)
        return location
    granted = locations_granted(user)
    chosen = getattr(user, "location_chosen_id", None)
    location = next((candidate for candidate in granted if candidate.pk == chosen), None)
    if location is None and granted:
        location = granted[0]
    if location is not None:
        return location
    if not Salon.objects.exists():
        raise Conflict(_("No location is set up yet: a superuser adds the first one in the admin."), code="no_salon")
    raise Forbidden(_("You are not granted any location yet; ask a manager."), code="no_location")


def location_of_room(user, room_id: int) -> Salon:
    """The location of a room, with its business (403 when not granted); the
    caller's location (:func:`location_for`) when there is no such room."""
    location = Salon.objects.select_related("business").filter(rooms=room_id).first()
    if location is None:
        return location_for(user)
    location_check(user=user, location=location)
    return location


DEFAULT_SLOT_GRID_MINUTES = 15


def location_or_none(user) -> Salon | None:
    """The user's location, or None when they have none (yet), without asking
    the database more than :func:`locations_granted` does."""
    return location_for(user) if locations_granted(user) else None


def slot_grid_for(user, requested: str | int | None = None) -> int:
    """The booking grid of the user's location, for pages that only show
    lengths (the routine library works without any location set up)."""
    if requested not in (None, ""):
        return location_for(user, requested).slot_minutes
    location = location_or_none(user)
    return location.slot_minutes if location else DEFAULT_SLOT_GRID_MINUTES


def may_change_business(user) -> bool:
    """Whether ``user`` may change what every location shares (the business's
    settings): only someone granted every location, including ones opened
    later, since the change applies at all of them."""
    return getattr(user, "is_authenticated", False) and granted_location_ids(user) is None


def business_check(*, user) -> None:
    """403 ``location_forbidden`` unless :func:`may_change_business`."""
    if not may_change_business(user):
        raise Forbidden(
            _("Only a manager granted every location may change what all of them share."), code="location_forbidden"
        )
