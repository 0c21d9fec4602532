"""Staff roles and the one check that pages and the API both use.

A role is a Django group; its model permissions are granted by data migrations
(one per app, for that app's models). A superuser counts as every role.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from salon.compiled import CompiledQuery


class Role(models.TextChoices):
    # The value is the group's name, stored and sent by the API; the label is for people.
    RECEPTIONIST = "Receptionist", _("Receptionist")
    THERAPIST = "Therapist", _("Therapist")
    MANAGER = "Manager", _("Manager")


def signed_in_or_none(user):
    """The user to record as having done something: a signed-in user, or
    None for an anonymous visitor, a client's link or a background task."""
    return user if getattr(user, "is_authenticated", False) else None


def user_roles(user) -> frozenset[Role]:
    """The roles of ``user``, read once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Role)
    cached = getattr(user, "_salon_roles", None)
    if cached is None:
        cached = frozenset(Role(name) for (name,) in _ROLE_NAMES.values(user=user.pk))
        user._salon_roles = cached
    return cached


# Every signed-in page and API call reads them: compiled once, only the user's id changes.
_ROLE_NAMES = CompiledQuery(
    lambda user: Group.objects.filter(user=user, name__in=Role.values).values_list("name"),
    user=-1,  # no user's id
)


def has_role(user, *roles: Role) -> bool:
    """True when ``user`` holds at least one of ``roles``."""
    return not user_roles(user).isdisjoint(roles)


def sees_whole_salon(user) -> bool:
    """The front desk and managers see every appointment and client; a
    therapist who holds neither role sees only their own work."""
    return has_role(user, Role.RECEPTIONIST, Role.MANAGER)


def role_required(*roles: Role) -> Callable:
    """View decorator: anonymous users go to the login page, staff without
    one of ``roles`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("Your role does not give access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasRole(BasePermission):
    """DRF permission: ``permission_classes = [HasRole.of(Role.MANAGER)]``."""

    roles: tuple[Role, ...] = ()
    message = "Your role does not allow this."

    @classmethod
    def of(cls, *roles: Role) -> type["HasRole"]:
        names = "".join(role.name.title() for role in roles)
        return type(f"HasRole{names}", (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and has_role(request.user, *self.roles)
