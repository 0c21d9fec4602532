"""Reads for the salon's standing structure."""

from django.db.models import QuerySet

from salon.models import Salon, Therapist


def salon_list() -> QuerySet[Salon]:
    return Salon.objects.all()


def salon_current() -> Salon | None:
    """The salon this installation serves (one for now; the first by name)."""
    return Salon.objects.order_by("name", "pk").first()


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
