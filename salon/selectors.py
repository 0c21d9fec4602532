"""Reads for the salon's standing structure."""

from django.db.models import QuerySet

from salon.models import Salon, Therapist


def salon_list() -> QuerySet[Salon]:
    return Salon.objects.all()


def therapist_for_user(user) -> Therapist | None:
    """The therapist record of a staff account, if it has one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Therapist.objects.select_related("salon").filter(user=user).first()
