"""Reads for the salon's standing structure."""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import QuerySet

from salon.errors import Conflict
from salon.models import Salon, Therapist


def salon_list() -> QuerySet[Salon]:
    return Salon.objects.all()


def salon_current() -> Salon | None:
    """The salon this installation serves (one for now; the first by name)."""
    return Salon.objects.order_by("name", "pk").first()


def salon_required() -> Salon:
    """The salon, or a clear error (409) before any salon is set up."""
    salon = salon_current()
    if salon is None:
        raise Conflict("No salon is set up yet: add one in the admin first.", code="no_salon")
    return salon


def therapist_for_user(user) -> Therapist | None:
    """The therapist record of a staff account, if it has one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Therapist.objects.select_related("salon").filter(user=user).first()


DEFAULT_SLOT_GRID_MINUTES = 15


def slot_grid_minutes() -> int:
    """The booking grid of the salon (one salon for now)."""
    grid = Salon.objects.values_list("slot_minutes", flat=True).first()
    return grid or DEFAULT_SLOT_GRID_MINUTES


ZONE_CACHE_KEY = "salon:time_zone"


def salon_time_zone() -> str:
    """The salon's IANA zone, cached: every request shows times in it."""
    zone = cache.get(ZONE_CACHE_KEY)
    if zone is None:
        try:
            zone = Salon.objects.order_by("name", "pk").values_list("time_zone", flat=True).first()
        except DatabaseError:
            return settings.TIME_ZONE  # the health check must still answer when the database is down
        zone = zone or settings.TIME_ZONE
        cache.set(ZONE_CACHE_KEY, zone, 300)
    return zone
