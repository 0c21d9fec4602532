"""Reads about staff accounts for the manager's staff pages and the staff API.

A manager sees the staff granted one of their locations, and the staff
granted every location; a manager granted every location sees everyone.
Superusers' accounts are nobody's business here: they are left to the
admin."""

from django.contrib.auth.models import Group
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from salon.errors import NotFound
from salon.locations import granted_location_ids
from salon.models import Room, Salon, User
from salon.roles import Role


class StaffState:
    INVITED = "invited"
    ACTIVE = "active"
    INACTIVE = "inactive"


STATE_LABELS = {
    StaffState.INVITED: pgettext_lazy("staff account", "Invited: no password yet"),
    StaffState.ACTIVE: pgettext_lazy("staff account", "Active"),
    StaffState.INACTIVE: pgettext_lazy("staff account", "Inactive"),
}


def staff_queryset(*, rooms: bool = True) -> QuerySet[User]:
    """Staff accounts with what a list shows (roles, locations, the
    therapist record and, unless ``rooms`` is false, its rooms) in a fixed
    number of queries."""
    related = [
        Prefetch("groups", queryset=Group.objects.filter(name__in=Role.values), to_attr="role_groups"),
        Prefetch("locations", queryset=Salon.objects.order_by("name", "pk")),
    ]
    if rooms:
        related.append(
            Prefetch("therapist__rooms", queryset=Room.objects.select_related("salon").order_by("salon__name", "name"))
        )
    return (
        User.objects.filter(is_superuser=False)
        .select_related("therapist")
        .prefetch_related(*related)
        .order_by("-is_active", "first_name", "last_name", "username")
    )


def staff_visible_to(manager, users: QuerySet[User] | None = None) -> QuerySet[User]:
    """The staff ``manager`` may see and look after."""
    users = staff_queryset() if users is None else users
    granted = granted_location_ids(manager)
    if granted is None:
        return users
    return users.filter(Q(all_locations=True) | Q(locations__in=granted)).distinct()


def staff_at(location: Salon, users: QuerySet[User] | None = None) -> QuerySet[User]:
    """The staff of one location: granted it, or granted every location."""
    users = staff_queryset() if users is None else users
    return users.filter(Q(all_locations=True) | Q(locations=location)).distinct()


def staff_get(*, manager, pk) -> User:
    """One member of staff whom ``manager`` may see, else 404 (a superuser
    reads as no one)."""
    user = staff_visible_to(manager).filter(pk=pk).first()
    if user is None:
        raise NotFound(_("There is no such member of staff among yours."), code="staff_not_found")
    return user


def staff_roles(user: User) -> list[Role]:
    """The roles of a row from :func:`staff_queryset` (no query)."""
    groups = getattr(user, "role_groups", None)
    names = (
        {group.name for group in groups}
        if groups is not None
        else set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    )
    return [role for role in Role if role.value in names]


def staff_state(user: User) -> str:
    """Invited (no password yet), active or inactive."""
    if not user.is_active:
        return StaffState.INACTIVE
    if not user.has_usable_password():
        return StaffState.INVITED
    return StaffState.ACTIVE


def staff_therapist(user: User):
    """The therapist record of a staff row, or None (no query for rows from
    :func:`staff_queryset`)."""
    try:
        return user.therapist
    except User.therapist.RelatedObjectDoesNotExist:
        return None
