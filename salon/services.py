"""Writes for the salon's standing structure and for staff accounts."""

import copy
import re
from base64 import b32decode
from importlib import import_module

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate, password_validation, user_logged_in
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from salon import staff_selectors
from salon.errors import Conflict, Forbidden, InvalidInput, NotFound, validate
from salon.inputs import has_visible_character
from salon.locations import granted_location_ids, location_check
from salon.models import Business, Room, Salon, Therapist, User
from salon.roles import Role, has_role
from salon.selectors import salon_defaults_forget, second_factor_devices

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
    all of them). Every role works through the salon's own pages, managers in
    /manage/. ``is_staff`` is left alone: it opened Django's admin once, but
    the admin is now for superusers only (``config.admin_site``) and nothing
    else reads the flag."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
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
    ``is_staff`` is left as it is: no role opens the admin, which is for
    superusers only (``config.admin_site``)."""
    wanted = {Role(role).value for role in roles}
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*[group for group in role_groups if group.name not in wanted])
    user.groups.add(*[group for group in role_groups if group.name in wanted])
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
        raise InvalidInput(
            _("Grant at least one location."), fields={"locations": [_("Choose at least one location.")]}
        )
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


def user_language_set(*, user: User, language: str) -> User:
    """The language ``user`` reads the pages in; empty for the browser's,
    else their location's (``salon.languages``)."""
    if language not in {"", *dict(settings.LANGUAGES)}:
        raise InvalidInput.for_fields(
            {"language": [_("Choose one of the languages offered.")]}, code="invalid_language"
        )
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def therapist_calendar_feed_reset(*, therapist: Therapist) -> Therapist:
    """A new calendar feed address; the old one stops working at once (for a
    lost phone, or an address shared by mistake)."""
    Therapist.objects.filter(pk=therapist.pk).update(calendar_feed_version=F("calendar_feed_version") + 1)
    therapist.refresh_from_db(fields=["calendar_feed_version"])
    return therapist


@transaction.atomic
def room_create(*, salon: Salon, name: str, equipment: str = "") -> Room:
    room = Room(salon=salon, name=name.strip(), equipment=equipment.strip())
    _room_name_check(room)
    validate(room)
    room.save()
    return room


def _room_name_check(room: Room) -> None:
    """One room of a name per location, whatever the capitals (the desk tells
    rooms apart by name); refused naming the field."""
    if not has_visible_character(room.name):
        raise InvalidInput(_("Give the room a name."), fields={"name": [_("Give the room a name.")]})
    taken = Room.objects.filter(salon_id=room.salon_id, name__iexact=room.name).exclude(pk=room.pk)
    if taken.exists():
        raise InvalidInput(
            _("There is already a room called %(room)s here.") % {"room": room.name},
            fields={"name": [_("Another room has this name.")]},
        )


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
        raise InvalidInput(_("Unable to log in with the username and password given."), code="invalid_credentials")
    if second_factor_devices(user):
        if not otp:
            raise InvalidInput.for_fields(
                {"otp": _("This account signs in with a code from its authenticator app.")}, code="otp_required"
            )
        if second_factor_match(user=user, code=otp) is None:
            raise InvalidInput.for_fields(
                {"otp": _("The code is wrong or has been used; wait for the next one and try again.")},
                code="otp_invalid",
            )
    elif has_role(user, Role.MANAGER):
        raise Forbidden(
            _(
                "Managers sign in with a second factor. Sign in on the web once to set up an authenticator app, "
                "then ask for a token with its code."
            ),
            code="second_factor_setup_required",
        )
    # Expired tokens go here rather than on each authenticated call (salon.authentication).
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    instance, secret = AuthToken.objects.create(user=user)
    user_logged_in.send(sender=type(user), request=request, user=user)
    return instance, secret


def auth_token_revoke(*, user: User, token_key: str) -> None:
    """End one of ``user``'s own API tokens (a lost laptop, a finished script)."""
    deleted, _by_model = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise NotFound(_("You have no token with that key."), code="token_not_found")


def auth_tokens_revoke_all(*, user: User) -> int:
    """End every API token of ``user``; returns how many there were (one
    statement, so all or none)."""
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
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
        raise Conflict(_("There is no set-up waiting; start again."), code="no_enrolment")
    if not device.verify_token("".join(code.split())[:16]):
        raise InvalidInput.for_fields(
            {"code": _("That code does not match; check the app's clock and enter the code it shows now.")},
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
    device, _new = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
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


@transaction.atomic
def room_update(*, room: Room, name: str | None = None, equipment: str | None = None) -> Room:
    """Rename a room or change what it has (None leaves a value as it is).
    Taking a room out of use looks at its bookings, so that is
    ``sessions.services.rooms.room_active_set``."""
    if name is not None:
        room.name = name.strip()
        _room_name_check(room)
    if equipment is not None:
        room.equipment = equipment.strip()
    validate(room)
    room.save(update_fields=["name", "equipment"])
    return room


# --- The settings of a location and of the business -------------------------

# What a manager changes on a location (pages: /manage/settings/; API:
# /api/v1/salons/{id}/settings/), and on the business all locations share.
LOCATION_SETTINGS = (
    "name",
    "address",
    "phone",
    "email",
    "time_zone",
    "currency",
    "phone_region",
    "slot_minutes",
    "min_notice_minutes",
    "booking_horizon_days",
    "reminder_lead_hours",
    "feedback_delay_minutes",
    "quiet_hours_start",
    "quiet_hours_end",
    "client_cancel_hours",
    "check_in_opens_minutes",
    "language",
    "default_turnover_minutes",
    "screening_required",
    "online_booking",
    "online_new_clients",
    "online_notice_minutes",
    "online_horizon_days",
    "online_open_bookings",
    "online_hold_minutes",
    "online_screening_blocked",
    "online_embed_origins",
    "waitlist_offer_minutes",
)
BUSINESS_SETTINGS = (
    "name",
    "screening_valid_months",
    "clearance_valid_days",
    "health_data_retention_months",
    "travel_minutes",
)
REMINDERS_AT_MOST = 5
REMINDER_LEAD_HOURS_MAX = 14 * 24
MIN_NOTICE_MINUTES_MAX = 14 * 24 * 60
FEEDBACK_DELAY_MINUTES_MAX = 7 * 24 * 60
EMBED_ORIGINS_AT_MOST = 10
# A site's origin and nothing else: https, a host name of dotted labels, a port.
_HOST_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
EMBED_ORIGIN = re.compile(rf"^https://{_HOST_LABEL}(?:\.{_HOST_LABEL})+(?::(?P<port>\d{{1,5}}))?$")

# Sent inside ``location_settings_update``'s transaction, before anything is
# saved, with ``salon`` (as stored) and ``changes`` (each setting that differs,
# to its new value). Apps above this one, which this one may not import, refuse
# a change that would strand what they keep by raising a DomainError, and the
# whole change is undone: sessions refuses a new time zone while sessions are
# booked ahead there (``sessions.receivers``).
location_settings_changing = Signal()


def _refuse_unknown_settings(fields: dict, known: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise InvalidInput.for_fields(
            {
                name: _("There is no such setting; the settings are %(settings)s.") % {"settings": ", ".join(known)}
                for name in unknown
            },
            code="unknown_field",
        )


def reminder_lead_hours_clean(hours) -> list[int]:
    """The hours before a session at which reminders go out: distinct whole
    hours from 1 to ``REMINDER_LEAD_HOURS_MAX``, at most
    ``REMINDERS_AT_MOST``, earliest reminder first. Empty means the
    default (24 and 2 hours before)."""
    field = "reminder_lead_hours"
    if not isinstance(hours, list | tuple) or not all(type(hour) is int for hour in hours):
        raise InvalidInput.for_fields({field: _("Give whole hours before the session, e.g. 24, 2.")})
    if not all(1 <= hour <= REMINDER_LEAD_HOURS_MAX for hour in hours):
        raise InvalidInput.for_fields(
            {
                field: _("Each reminder goes out between 1 and %(most)s hours before the session.")
                % {"most": REMINDER_LEAD_HOURS_MAX}
            }
        )
    distinct = sorted(set(hours), reverse=True)
    if len(distinct) > REMINDERS_AT_MOST:
        raise InvalidInput.for_fields(
            {field: _("At most %(most)s reminders per session.") % {"most": REMINDERS_AT_MOST}}
        )
    return distinct


def embed_origins_clean(origins) -> list[str]:
    """The sites that may frame the booking pages (``frame-ancestors``):
    each an https origin (scheme, host, optional port; a trailing slash is
    dropped), in lower case, once each, at most ``EMBED_ORIGINS_AT_MOST``.
    They go into a response header, so nothing else gets through."""
    field = "online_embed_origins"
    if not isinstance(origins, list | tuple) or not all(isinstance(origin, str) for origin in origins):
        raise InvalidInput.for_fields({field: _("Give the sites as a list of origins, e.g. https://www.example.com.")})
    cleaned: list[str] = []
    for origin in origins:
        value = origin.strip().lower()
        value = value.removesuffix("/")
        match = EMBED_ORIGIN.match(value)
        if match is None or int(match["port"] or 443) > 65535:
            shown = origin.strip()[:100]
            raise InvalidInput.for_fields(
                {
                    field: _(
                        "%(site)s is not a site's address: give https:// and the host name, with a port if "
                        "needed, and nothing after it, e.g. https://www.example.com."
                    )
                    % {"site": shown}
                }
            )
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > EMBED_ORIGINS_AT_MOST:
        raise InvalidInput.for_fields({field: _("At most %(most)s sites.") % {"most": EMBED_ORIGINS_AT_MOST}})
    return cleaned


def _location_rules_check(location: Salon) -> None:
    """What the model alone does not say: bounds that keep the booking rules
    meaningful (after ``validate``: the values are numbers by then)."""
    problems = {}
    if location.min_notice_minutes > MIN_NOTICE_MINUTES_MAX:
        problems["min_notice_minutes"] = _("At most %(most)s minutes (two weeks).") % {"most": MIN_NOTICE_MINUTES_MAX}
    elif location.min_notice_minutes >= location.booking_horizon_days * 24 * 60:
        problems["min_notice_minutes"] = _("Shorter than the booking horizon, or nothing could ever be booked.")
    if location.online_notice_minutes >= location.online_horizon_days * 24 * 60:
        problems["online_notice_minutes"] = _("Shorter than the online horizon, or nothing could be booked online.")
    if location.feedback_delay_minutes > FEEDBACK_DELAY_MINUTES_MAX:
        problems["feedback_delay_minutes"] = _("At most %(most)s minutes (a week).") % {
            "most": FEEDBACK_DELAY_MINUTES_MAX
        }
    if problems:
        raise InvalidInput.for_fields(problems)


def _location_name_check(location: Salon) -> None:
    """One location of a name per business, whatever the capitals, refused
    naming the field (the database's constraint would name no field)."""
    namesakes = Salon.objects.filter(business_id=location.business_id, name__iexact=location.name)
    if isinstance(location.name, str) and namesakes.exclude(pk=location.pk).exists():
        raise InvalidInput.for_fields({"name": _("Another location of the business has this name.")})


@transaction.atomic
def location_settings_update(*, salon: Salon, **fields) -> Salon:
    """Change any of a location's ``LOCATION_SETTINGS`` (what is not given
    stays): all of them, or on a refusal none. Unknown names are refused
    (400 ``unknown_field``), so a mistyped setting is never silently ignored.

    Quiet hours are wall-clock times in the location's zone, like its
    opening hours. A new time zone is refused while sessions are booked
    ahead there (409 ``time_zone_in_use``, from ``sessions.receivers``):
    rotas, opening hours and closures are wall-clock times, so they would
    shift under the booked sessions. The cached zone of pages without a
    signed-in user (``salon.selectors.salon_time_zone``) is dropped once the
    change is committed."""
    _refuse_unknown_settings(fields, LOCATION_SETTINGS)
    if "reminder_lead_hours" in fields:
        fields["reminder_lead_hours"] = reminder_lead_hours_clean(fields["reminder_lead_hours"])
    if "online_embed_origins" in fields:
        fields["online_embed_origins"] = embed_origins_clean(fields["online_embed_origins"])
    stored = Salon.objects.select_for_update().get(pk=salon.pk)
    changed = copy.copy(stored)
    for name, value in fields.items():
        setattr(changed, name, value.strip() if isinstance(value, str) else value)
    _location_name_check(changed)
    validate(changed)
    _location_rules_check(changed)
    changes = {name: getattr(changed, name) for name in fields if getattr(changed, name) != getattr(stored, name)}
    if changes:
        location_settings_changing.send(sender=Salon, salon=stored, changes=changes)
        changed.save(update_fields=list(changes))
    if "time_zone" in changes or "language" in changes:
        transaction.on_commit(salon_defaults_forget)
    for name in LOCATION_SETTINGS:
        setattr(salon, name, getattr(changed, name))
    return salon


@transaction.atomic
def business_settings_update(*, business: Business, **fields) -> Business:
    """Change any of the business's ``BUSINESS_SETTINGS``, which every
    location shares: all of them, or on a refusal none. Who may (a manager
    granted every location) is ``salon.locations.business_check``."""
    _refuse_unknown_settings(fields, BUSINESS_SETTINGS)
    changed = Business.objects.select_for_update().get(pk=business.pk)
    for name, value in fields.items():
        setattr(changed, name, value.strip() if isinstance(value, str) else value)
    validate(changed)
    if fields:
        changed.save(update_fields=list(fields))
    for name in BUSINESS_SETTINGS:
        setattr(business, name, getattr(changed, name))
    return business


# --- Staff: invitations, changes, lockouts (the manager's staff pages and API) ---
#
# A manager looks after the staff granted one of their locations (or every
# location), never a superuser, grants only their own locations, and never
# locks themself out (their own deactivation and Manager role are theirs to
# keep). Deactivating, which has to do with bookings, is in
# ``sessions.services.staffing``.


def _staff_name(user: User) -> str:
    return user.get_full_name() or user.username


def staff_reach_check(*, by: User, user: User) -> None:
    """Refuse unless manager ``by`` may change ``user``'s account: 404 for a
    superuser or someone outside ``by``'s locations; 403 for someone who also
    works where ``by`` is not granted (every location, or one more). An
    account is one for every location it works at (its roles, email,
    password, second factor), so only a manager of all of them changes it:
    a local manager could otherwise make a colleague a manager elsewhere, or
    send their password link to another address."""
    if user.is_superuser:
        raise NotFound(_("There is no such member of staff among yours."), code="staff_not_found")
    granted = granted_location_ids(by)
    if granted is None:
        return
    theirs = set(user.locations.values_list("pk", flat=True))
    if not user.all_locations and not theirs & granted:
        raise NotFound(_("There is no such member of staff among yours."), code="staff_not_found")
    if user.all_locations or not theirs <= granted:
        raise Forbidden(
            _(
                "%(name)s also works at locations you are not granted; only a manager of all of them "
                "can change their account."
            )
            % {"name": _staff_name(user)},
            code="location_forbidden",
        )


def _grant_check(*, by: User, locations: list[Salon], every: bool) -> None:
    """403 unless ``by`` may grant these locations (every location only if
    they hold every location themself)."""
    granted = granted_location_ids(by)
    if granted is None:
        return
    if every:
        raise Forbidden(
            _("Only a manager of every location can grant every location."),
            code="location_forbidden",
            fields={"all_locations": [_("You are not granted every location.")]},
        )
    outside = [location.name for location in locations if location.pk not in granted]
    if outside:
        raise Forbidden(
            _("You are not granted %(locations)s, so you cannot grant it.") % {"locations": ", ".join(outside)},
            code="location_forbidden",
            fields={"locations": [_("Not yours to grant: %(locations)s.") % {"locations": ", ".join(outside)}]},
        )


def _roles_checked(roles) -> list[Role]:
    try:
        chosen = [Role(role) for role in roles]
    except ValueError:
        raise InvalidInput.for_fields(
            {"roles": [_("Choose from %(roles)s.") % {"roles": ", ".join(Role.values)}]}
        ) from None
    if not chosen:
        raise InvalidInput.for_fields({"roles": [_("Choose at least one role.")]})
    return [role for role in Role if role in chosen]


def _staff_fields_check(*, user: User, email_required: bool) -> None:
    """Names someone can read, an email to send the invitation to (while
    one is needed), and no other account with that email."""
    problems = {}
    if not user.first_name.strip() or not has_visible_character(user.first_name):
        problems["first_name"] = [_("Give the person's given name.")]
    if user.last_name and not has_visible_character(user.last_name):
        problems["last_name"] = [_("Give a name with letters in it.")]
    if not user.email.strip():
        if email_required:
            problems["email"] = [_("Give an email address: the invitation goes there.")]
    elif User.objects.filter(email__iexact=user.email.strip()).exclude(pk=user.pk).exists():
        problems["email"] = [_("Another account has this email address.")]
    if problems:
        raise InvalidInput.for_fields(problems)
    user.first_name, user.last_name, user.email = user.first_name.strip(), user.last_name.strip(), user.email.strip()


def _display_name_check(*, business_id: int, display_name: str, therapist: Therapist | None = None) -> str:
    display_name = display_name.strip()
    if not display_name or not has_visible_character(display_name):
        raise InvalidInput.for_fields({"display_name": [_("Give the name clients see for this therapist.")]})
    clash = Therapist.objects.filter(business_id=business_id, display_name=display_name)
    if therapist is not None:
        clash = clash.exclude(pk=therapist.pk)
    if clash.exists():
        raise InvalidInput.for_fields({"display_name": [_("Another therapist is called this; add an initial.")]})
    return display_name


def _rooms_checked(*, by: User, user: User, therapist: Therapist, rooms) -> list[Room]:
    """The rooms ``therapist`` may work in after ``by`` ticks ``rooms``: those
    ticked (at ``by``'s locations and the person's), plus those at locations
    outside ``by``'s reach that were allowed before."""
    rooms = list(rooms)
    mine = granted_location_ids(by)
    theirs = None if user.all_locations else set(user.locations.values_list("pk", flat=True))
    outside = [room.name for room in rooms if mine is not None and room.salon_id not in mine]
    if outside:
        raise Forbidden(
            _("%(rooms)s is at a location you are not granted.") % {"rooms": ", ".join(outside)},
            code="location_forbidden",
            fields={"rooms": [_("Not at your locations.")]},
        )
    elsewhere = [room.name for room in rooms if theirs is not None and room.salon_id not in theirs]
    if elsewhere:
        raise InvalidInput.for_fields(
            {
                "rooms": [
                    _("%(rooms)s is at a location %(name)s is not granted.")
                    % {"rooms": ", ".join(elsewhere), "name": _staff_name(user)}
                ]
            }
        )
    kept = [] if mine is None else [room for room in therapist.rooms.all() if room.salon_id not in mine]
    return [room for room in kept if theirs is None or room.salon_id in theirs] + rooms


@transaction.atomic
def staff_invite(
    *,
    by: User,
    username: str,
    email: str,
    first_name: str,
    last_name: str = "",
    roles: list[Role],
    locations: list[Salon] = (),
    all_locations: bool = False,
    display_name: str = "",
    qualified_therapeutic: bool = False,
    qualified_pregnancy: bool = False,
    rooms: list[Room] = (),
) -> User:
    """Add a member of staff without a password, and email them a link to
    set one (:mod:`salon.invitations`) once this transaction commits.
    Therapists get their therapist record (display name, qualifications, the
    rooms they can work in; none ticked at a location means any room there)."""
    roles = _roles_checked(roles)
    locations = list(locations)
    _grant_check(by=by, locations=locations, every=all_locations)
    if not all_locations and not locations:
        raise InvalidInput.for_fields({"locations": [_("Choose at least one location.")]})
    draft = User(first_name=first_name, last_name=last_name, email=email)
    _staff_fields_check(user=draft, email_required=True)
    user = staff_user_create(
        username=username.strip(),
        password=None,  # unusable: the person sets their own from the invitation
        roles=roles,
        first_name=draft.first_name,
        last_name=draft.last_name,
        email=draft.email,
        locations=locations,
        all_locations=all_locations,
    )
    if Role.THERAPIST in roles:
        home = locations[0] if locations else Salon.objects.order_by("name", "pk").first()
        therapist = therapist_create(
            salon=home,
            user=user,
            display_name=_display_name_check(
                business_id=home.business_id, display_name=display_name or user.get_full_name()
            ),
            qualified_therapeutic=qualified_therapeutic,
            qualified_pregnancy=qualified_pregnancy,
        )
        staff_locations_grant(user=user, locations=locations, every=all_locations)
        therapist.rooms.set(_rooms_checked(by=by, user=user, therapist=therapist, rooms=rooms))
    _invitation_enqueue(user)
    return user


def _invitation_enqueue(user: User) -> None:
    from salon.tasks import staff_invitation_send  # the tasks module imports this one

    staff_invitation_send.delay_on_commit(user.pk)


UNCHANGED = None


@transaction.atomic
def staff_update(
    *,
    by: User,
    user: User,
    first_name: str | None = UNCHANGED,
    last_name: str | None = UNCHANGED,
    email: str | None = UNCHANGED,
    roles: list[Role] | None = UNCHANGED,
    locations: list[Salon] | None = UNCHANGED,
    all_locations: bool | None = UNCHANGED,
    display_name: str | None = UNCHANGED,
    qualified_therapeutic: bool | None = UNCHANGED,
    qualified_pregnancy: bool | None = UNCHANGED,
    rooms: list[Room] | None = UNCHANGED,
) -> User:
    """Change a member of staff's names, email, roles, locations and, for
    therapists, display name, qualifications and rooms; what is not given
    stays. ``by`` grants only their own locations (grants elsewhere stay as
    they are), and keeps their own Manager role. Taking the Therapist role
    away takes the therapist off the desk (inactive record).

    Sessions booked ahead are not looked at here: pages and the API change
    staff through ``sessions.services.staffing.staff_update``, which refuses
    a change that would strand one."""
    staff_reach_check(by=by, user=user)
    User.objects.select_for_update().filter(pk=user.pk).first()
    held = set(staff_selectors.staff_roles(User.objects.get(pk=user.pk)))
    if roles is not UNCHANGED:
        roles = _roles_checked(roles)
        if user.pk == by.pk and Role.MANAGER in held and Role.MANAGER not in roles:
            raise Conflict(
                _("You cannot take away your own Manager role; ask another manager."),
                code="own_account",
                fields={"roles": [_("You keep your own Manager role.")]},
            )
    for name, value in {"first_name": first_name, "last_name": last_name, "email": email}.items():
        if value is not UNCHANGED:
            setattr(user, name, value)
    _staff_fields_check(user=user, email_required=not user.has_usable_password())
    validate(user)
    user.save(update_fields=["first_name", "last_name", "email"])

    if locations is not UNCHANGED or all_locations is not UNCHANGED:
        _staff_locations_change(by=by, user=user, locations=locations, every=all_locations)
    if roles is not UNCHANGED:
        staff_user_roles_set(user=user, roles=roles)
    therapist = staff_selectors.staff_therapist(User.objects.select_related("therapist").get(pk=user.pk))
    therapist_wanted = Role.THERAPIST in (held if roles is UNCHANGED else roles)
    if therapist is None and therapist_wanted:
        own = list(user.locations.order_by("name", "pk"))
        home = own[0] if own else Salon.objects.order_by("name", "pk").first()
        therapist = therapist_create(
            salon=home,
            user=user,
            display_name=_display_name_check(
                business_id=home.business_id, display_name=display_name or user.get_full_name()
            ),
            qualified_therapeutic=bool(qualified_therapeutic),
            qualified_pregnancy=bool(qualified_pregnancy),
        )
        if user.all_locations:
            user.locations.remove(home)  # every location is granted without rows
    elif therapist is not None:
        if display_name is not UNCHANGED:
            therapist.display_name = _display_name_check(
                business_id=therapist.business_id,
                display_name=display_name or user.get_full_name(),
                therapist=therapist,
            )
        if qualified_therapeutic is not UNCHANGED:
            therapist.qualified_therapeutic = qualified_therapeutic
        if qualified_pregnancy is not UNCHANGED:
            therapist.qualified_pregnancy = qualified_pregnancy
        therapist.active = therapist_wanted and user.is_active
        validate(therapist)
        therapist.save()
    if therapist is not None:
        ticked = rooms if rooms is not UNCHANGED else None
        if ticked is None:  # only drop rooms at locations no longer granted
            mine = granted_location_ids(by)
            ticked = [room for room in therapist.rooms.all() if mine is None or room.salon_id in mine]
        therapist.rooms.set(_rooms_checked(by=by, user=user, therapist=therapist, rooms=ticked))
    user.__dict__.pop("_salon_roles", None)
    user.__dict__.pop("_salon_locations", None)
    return user


def _staff_locations_change(*, by: User, user: User, locations, every) -> None:
    """Grant ``user`` the locations ``by`` ticked; those outside ``by``'s
    reach stay as they were."""
    every = user.all_locations if every is UNCHANGED else bool(every)
    granted = granted_location_ids(by)
    if locations is UNCHANGED:
        locations = [] if user.all_locations else list(user.locations.all())
        if granted is not None:
            locations = [location for location in locations if location.pk in granted]
    locations = list(locations)
    if every and not user.all_locations:
        _grant_check(by=by, locations=[], every=True)
    _grant_check(by=by, locations=locations, every=False)
    if granted is not None:
        locations += [location for location in user.locations.all() if location.pk not in granted]
    if not every and not locations:
        raise InvalidInput.for_fields({"locations": [_("Choose at least one location.")]})
    staff_locations_grant(user=user, locations=locations, every=every)


@transaction.atomic
def staff_invitation_resend(*, by: User, user: User) -> User:
    """A new invitation with a new link; links sent before stop working.
    Only for someone who has not set a password yet and is active."""
    staff_reach_check(by=by, user=user)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise Conflict(
            _("%(name)s is deactivated; reactivate them first.") % {"name": _staff_name(user)}, code="staff_inactive"
        )
    if user.has_usable_password():
        raise Conflict(
            _("%(name)s has set a password already and signs in with it.") % {"name": _staff_name(user)},
            code="invitation_accepted",
        )
    user.set_unusable_password()  # a new unusable hash: older links no longer match it
    user.save(update_fields=["password"])
    _invitation_enqueue(user)
    return user


def _not_own_account(*, by: User, user: User, what: str) -> None:
    if user.pk == by.pk:
        raise Conflict(_("%(what)s for your own account on the Security page.") % {"what": what}, code="own_account")


@transaction.atomic
def staff_password_reset(*, by: User, user: User) -> User:
    """For someone who forgot their password (or whose password leaked): it
    stops working now, their API tokens and page sessions end, and an email
    link lets them choose a new one (the invitation's link, on the same
    terms). A manager never sees or types the password."""
    staff_reach_check(by=by, user=user)
    _not_own_account(by=by, user=user, what=_("Change the password"))
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise Conflict(
            _("%(name)s is deactivated; reactivate them first.") % {"name": _staff_name(user)}, code="staff_inactive"
        )
    if not user.email:
        raise InvalidInput.for_fields({"email": [_("Give an email address for the link first.")]})
    user.set_unusable_password()  # a new hash: page sessions and links sent before end with it
    user.save(update_fields=["password"])
    auth_tokens_revoke_all(user=user)
    _invitation_enqueue(user)
    return user


@transaction.atomic
def staff_second_factor_reset(*, by: User, user: User) -> int:
    """For someone who lost the phone with their authenticator app: the app
    and the recovery codes stop working, and they set up a new app at their
    next sign-in (managers must). Returns how many devices went."""
    staff_reach_check(by=by, user=user)
    _not_own_account(by=by, user=user, what=_("Replace the authenticator app"))
    devices = TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    auth_tokens_revoke_all(user=user)
    return devices


def staff_invitation_deliver(*, user: User) -> bool:
    """Email ``user`` their invitation, with a fresh link, and note when, if
    they are still active and without a password (else nothing, so a rerun
    after they set one is harmless). Mail errors propagate, for the task's
    retries."""
    from salon.invitations import invitation_email

    if not user.is_active or user.has_usable_password() or not user.email:
        return False
    invitation_email(user).send()
    User.objects.filter(pk=user.pk).update(invited_at=timezone.now())
    return True


@transaction.atomic
def staff_invitation_accept(*, token: str, password: str) -> User:
    """Set the password of the person a valid invitation link names, by
    Django's password validators; the link stops working at once. Locked,
    so a link used twice at the same moment sets one password."""
    from salon.invitations import invited_user

    pk = invited_user(token).pk
    User.objects.select_for_update().filter(pk=pk).first()
    user = invited_user(token)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput.for_fields({"new_password1": list(error.messages)}, code="password_invalid") from None
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def staff_lockout_lift_for(*, by: User, user: User) -> int:
    """Lift ``user``'s sign-in lockout, for a manager who looks after them."""
    staff_reach_check(by=by, user=user)
    return staff_lockout_lift(username=user.username)
