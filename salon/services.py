"""Writes for the salon's standing structure and for staff accounts."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from rest_framework.authtoken.models import Token

from salon.errors import InvalidInput, validate
from salon.models import Room, Salon, Therapist, User
from salon.roles import Role


@transaction.atomic
def salon_create(
    *,
    name: str,
    time_zone: str,
    address: str = "",
    phone: str = "",
    email: str = "",
    currency: str = "EUR",
    default_turnover_minutes: int = 15,
) -> Salon:
    salon = Salon(
        name=name,
        time_zone=time_zone,
        address=address,
        phone=phone,
        email=email,
        currency=currency,
        default_turnover_minutes=default_turnover_minutes,
    )
    validate(salon)
    salon.save()
    return salon


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str,
    roles: list[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create a staff account in the given roles. Managers get the admin
    (``is_staff``); other roles work only through the salon's own pages."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=Role.MANAGER in roles,
    )
    user.set_password(password)
    validate(user)
    user.save()
    user.groups.set(Group.objects.filter(name__in=[Role(role).value for role in roles]))
    return user


@transaction.atomic
def staff_user_roles_set(*, user: User, roles: list[Role]) -> User:
    """Give ``user`` exactly these roles; other groups stay as they are.
    Managers get the admin (``is_staff``), other roles lose it: the roles are
    the one way the admin gives rights to non-superusers."""
    wanted = {Role(role).value for role in roles}
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*[group for group in role_groups if group.name not in wanted])
    user.groups.add(*[group for group in role_groups if group.name in wanted])
    user.is_staff = Role.MANAGER in wanted
    User.objects.filter(pk=user.pk).update(is_staff=user.is_staff)
    user.__dict__.pop("_salon_roles", None)
    return user


@transaction.atomic
def therapist_create(
    *,
    salon: Salon,
    user: User,
    display_name: str,
    qualified_therapeutic: bool = False,
    qualified_pregnancy: bool = False,
) -> Therapist:
    therapist = Therapist(
        salon=salon,
        user=user,
        display_name=display_name,
        qualified_therapeutic=qualified_therapeutic,
        qualified_pregnancy=qualified_pregnancy,
    )
    validate(therapist)
    therapist.save()
    user.groups.add(Group.objects.get(name=Role.THERAPIST))
    return therapist


def therapist_calendar_feed_reset(*, therapist: Therapist) -> Therapist:
    """A new calendar feed address; the old one stops working at once (for a
    lost phone, or an address shared by mistake)."""
    Therapist.objects.filter(pk=therapist.pk).update(calendar_feed_version=F("calendar_feed_version") + 1)
    therapist.refresh_from_db(fields=["calendar_feed_version"])
    return therapist


@transaction.atomic
def room_create(*, salon: Salon, name: str, equipment: str = "") -> Room:
    room = Room(salon=salon, name=name, equipment=equipment)
    validate(room)
    room.save()
    return room


def auth_token_obtain(*, username: str, password: str, request=None) -> Token:
    """The API token of the staff member with these credentials, created on
    first use. Inactive users are refused like wrong passwords."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise InvalidInput(
            "Unable to log in with the username and password given.",
            code="invalid_credentials",
        )
    token, _ = Token.objects.get_or_create(user=user)
    return token


def login_sessions_clear_expired() -> None:
    """Delete expired login sessions; the session table otherwise only grows."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
