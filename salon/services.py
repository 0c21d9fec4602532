"""Writes for the salon's standing structure and for staff accounts."""

from base64 import b32decode
from importlib import import_module

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from salon.errors import Conflict, Forbidden, InvalidInput, NotFound, validate
from salon.locations import location_check
from salon.models import Business, Room, Salon, Therapist, User
from salon.roles import Role, has_role
from salon.selectors import second_factor_devices

RECOVERY_CODE_COUNT = 10


@transaction.atomic
def salon_create(
    *,
    name: str,
    time_zone: str,
    business: Business | None = None,
    address: str = "",
    phone: str = "",
    email: str = "",
    currency: str = "EUR",
    default_turnover_minutes: int = 15,
) -> Salon:
    """Open a location. Without ``business`` it joins the installation's
    business, or founds it (named like the location) when this is the first."""
    if business is None:
        business = Business.objects.order_by("pk").first()
    if business is None:
        business = Business(name=name, time_zone=time_zone)
        validate(business)
        business.save()
    salon = Salon(
        business=business,
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
    locations: list[Salon] = (),
    all_locations: bool = False,
) -> User:
    """Create a staff account in the given roles, granted ``locations`` (or
    all of them). Managers get the admin (``is_staff``); other roles work only
    through the salon's own pages."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_staff=Role.MANAGER in roles,
        all_locations=all_locations,
    )
    user.set_password(password)
    validate(user)
    user.save()
    user.groups.set(Group.objects.filter(name__in=[Role(role).value for role in roles]))
    user.locations.set(locations)
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
    """A therapist of the business, assigned to ``salon`` (grant more
    locations with :func:`staff_locations_grant`)."""
    therapist = Therapist(
        business_id=salon.business_id,
        user=user,
        display_name=display_name,
        qualified_therapeutic=qualified_therapeutic,
        qualified_pregnancy=qualified_pregnancy,
    )
    validate(therapist)
    therapist.save()
    user.groups.add(Group.objects.get(name=Role.THERAPIST))
    user.locations.add(salon)
    return therapist


@transaction.atomic
def staff_locations_grant(*, user: User, locations: list[Salon] | None = None, every: bool = False) -> User:
    """Grant exactly ``locations`` (or, with ``every``, all of them, including
    ones opened later). A remembered choice outside the grant is forgotten."""
    if not every and not locations:
        raise InvalidInput("Grant at least one location.", fields={"locations": ["Choose at least one location."]})
    user.all_locations = every
    user.save(update_fields=["all_locations"])
    user.locations.set([] if every else locations)
    if not every and user.location_chosen_id not in {location.pk for location in locations}:
        User.objects.filter(pk=user.pk).update(location_chosen=None)
        user.location_chosen = None
    user.__dict__.pop("_salon_locations", None)
    return user


def location_choose(*, user: User, location: Salon) -> Salon:
    """Remember the location ``user`` works on in the pages (the switcher)."""
    location_check(user=user, location=location)
    User.objects.filter(pk=user.pk).update(location_chosen=location)
    user.location_chosen = location
    return location


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


def auth_token_obtain(*, username: str, password: str, otp: str = "", request=None) -> tuple[AuthToken, str]:
    """A new API token for the staff member with these credentials, and its
    secret (shown once; only a digest is stored).

    Inactive users are refused like wrong passwords. An account with an
    authenticator app must send its current code; a manager without one is
    sent to the web to set it up, since managers never work on a password
    alone. While a lockout lasts (django-axes), every attempt is refused.

    Not one transaction: the failed attempts that axes and django-otp record
    on the way must stay recorded when the request is refused."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise InvalidInput("Unable to log in with the username and password given.", code="invalid_credentials")
    if second_factor_devices(user):
        if not otp:
            raise InvalidInput.for_fields(
                {"otp": "This account signs in with a code from its authenticator app."}, code="otp_required"
            )
        if second_factor_match(user=user, code=otp) is None:
            raise InvalidInput.for_fields(
                {"otp": "The code is wrong or has been used; wait for the next one and try again."},
                code="otp_invalid",
            )
    elif has_role(user, Role.MANAGER):
        raise Forbidden(
            "Managers sign in with a second factor. Sign in on the web once to set up an authenticator app, "
            "then ask for a token with its code.",
            code="second_factor_setup_required",
        )
    instance, secret = AuthToken.objects.create(user=user)
    user_logged_in.send(sender=type(user), request=request, user=user)
    return instance, secret


def auth_token_revoke(*, user: User, token_key: str) -> None:
    """End one of ``user``'s own API tokens (a lost laptop, a finished script)."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise NotFound("You have no token with that key.", code="token_not_found")


def auth_tokens_revoke_all(*, user: User) -> int:
    """End every API token of ``user``; returns how many there were (one
    statement, so all or none)."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted


def second_factor_match(*, user: User, code: str):
    """The device whose code this is, or None. A code works once; wrong codes
    slow further tries down (django-otp's throttling)."""
    code = "".join(code.split())
    if not code or len(code) > 16:
        return None
    return match_token(user, code)


def second_factor_enrolment_start(*, user: User) -> TOTPDevice:
    """An authenticator app device waiting to be confirmed with a first code;
    the same one until then, so a reloaded page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def second_factor_enrolment_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the waiting device with a code from the app; returns it and a
    fresh set of recovery codes (shown once). The check runs before the
    transaction so that a wrong code's throttling is kept."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise Conflict("There is no set-up waiting; start again.", code="no_enrolment")
    if not device.verify_token("".join(code.split())[:16]):
        raise InvalidInput.for_fields(
            {"code": "That code does not match; check the app's clock and enter the code it shows now."},
            code="otp_invalid",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        return device, recovery_codes_replace(user=user)


@transaction.atomic
def second_factor_app_add(*, user: User, secret: str) -> TOTPDevice:
    """Give ``user`` an authenticator app set up with a known base32 secret
    (the demo manager; real accounts enrol themselves)."""
    device = TOTPDevice(user=user, name="Authenticator app", confirmed=True, key=b32decode(secret).hex())
    validate(device)
    device.save()
    return device


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """New recovery codes for ``user``; the old ones stop working. Each code
    signs in once, for when the phone with the app is not at hand."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def staff_lockout_lift(*, username: str) -> int:
    """Lift a sign-in lockout of ``username`` (after the person has been
    recognised, e.g. by their manager); returns the lockouts lifted."""
    return axes_reset(username=username)


def login_sessions_clear_expired() -> None:
    """Delete expired login sessions; the session table otherwise only grows."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
