"""Reads for the salon's standing structure."""

import datetime
from base64 import b32encode

from django.conf import settings
from django.core import signing
from django.core.cache import cache, caches
from django.db import DatabaseError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from salon.inputs import parse_day
from salon.models import Salon, Therapist


def salon_list() -> QuerySet[Salon]:
    return Salon.objects.all()


def location_default() -> Salon | None:
    """The first location by name: for pages where no one is signed in and
    no client is known (a broken link), and the zone they show times in."""
    return Salon.objects.select_related("business").order_by("name", "pk").first()


def salon_today(salon: Salon, now: datetime.datetime | None = None) -> datetime.date:
    """Today where the salon is, which is not always today on the server."""
    return (now or timezone.now()).astimezone(salon.zone).date()


DAYS_AHEAD_SHOWN = 366


def days_ahead(
    salon: Salon, first: datetime.date | None = None, last: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The days a calendar list covers: from ``first`` (the location's today)
    to ``last`` (a year on), both included."""
    first = first or salon_today(salon)
    return first, last or first + datetime.timedelta(days=DAYS_AHEAD_SHOWN)


def requested_day(value: str | None, *, salon: Salon) -> datetime.date:
    """The day a page or API call asks for (``?date=YYYY-MM-DD``); the
    salon's today when none is given."""
    if not value:
        return salon_today(salon)
    return parse_day(value, field="date")


def therapist_for_user(user) -> Therapist | None:
    """The therapist record of a staff account, if it has one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Therapist.objects.select_related("business").filter(user=user).first()


# The first location's zone and language: the defaults of every request
# without a signed-in user. Kept in the shared cache, and for a few seconds
# in each process's own memory, since every such request asks for both;
# another process may therefore show the old values this long after a
# change, which is rare (a new zone is refused while sessions are booked
# ahead; salon.services).
FIRST_LOCATION_CACHE_KEY = "salon:first_location"
FIRST_LOCATION_SHARED_SECONDS = 300
FIRST_LOCATION_PROCESS_SECONDS = 10


def salon_time_zone() -> str:
    """The first location's IANA zone: pages without a signed-in user show
    times in it (staff see their location's, see
    ``salon.middleware.SalonTimeZoneMiddleware``)."""
    return _first_location_defaults()[0]


def salon_language_default() -> str:
    """The first location's language: what a visitor who is not signed in
    reads when their browser names no language the product has."""
    return _first_location_defaults()[1]


def salon_defaults_forget() -> None:
    """After a location changed: the next request reads the defaults again."""
    cache.delete(FIRST_LOCATION_CACHE_KEY)
    caches["process"].delete(FIRST_LOCATION_CACHE_KEY)


def _first_location_defaults() -> tuple[str, str]:
    """The first location's zone and language, read in one query."""
    defaults = caches["process"].get(FIRST_LOCATION_CACHE_KEY)
    if defaults is not None:
        return defaults
    defaults = cache.get(FIRST_LOCATION_CACHE_KEY)
    if defaults is None:
        try:
            first = Salon.objects.order_by("name", "pk").values_list("time_zone", "language").first()
        except DatabaseError:
            # The health check must still answer when the database is down.
            return settings.TIME_ZONE, settings.LANGUAGE_CODE
        zone, language = first or ("", "")
        defaults = (zone or settings.TIME_ZONE, language or settings.LANGUAGE_CODE)
        cache.set(FIRST_LOCATION_CACHE_KEY, defaults, FIRST_LOCATION_SHARED_SECONDS)
    caches["process"].set(FIRST_LOCATION_CACHE_KEY, defaults, FIRST_LOCATION_PROCESS_SECONDS)
    return defaults


CALENDAR_FEED_SALT = "salon.calendar-feed"


def calendar_feed_token(therapist: Therapist) -> str:
    """The secret part of the therapist's calendar feed address. Signed rather
    than stored, so it can be shown again on any device; the version in it
    lets a reset retire every address handed out before."""
    return signing.Signer(salt=CALENDAR_FEED_SALT).sign_object([therapist.pk, therapist.calendar_feed_version])


def calendar_feed_url(therapist: Therapist) -> str:
    return settings.SITE_URL + reverse("calendar-feed", args=[calendar_feed_token(therapist)])


def therapist_for_calendar_feed(token: str) -> Therapist | None:
    """The active therapist (with an active login) whose current feed address
    carries ``token``; None for a forged, mistyped or reset one."""
    try:
        pk, version = signing.Signer(salt=CALENDAR_FEED_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return (
        Therapist.objects.select_related("business")
        .filter(pk=pk, calendar_feed_version=version, active=True, user__is_active=True)
        .first()
    )


def auth_token_list(*, user) -> QuerySet[AuthToken]:
    """``user``'s API tokens that have not expired, newest first. Each is known
    by its key (the first characters of the secret), never the secret."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


def second_factor_devices(user) -> list:
    """The confirmed devices (authenticator app, recovery codes) of ``user``."""
    return list(devices_for_user(user, confirmed=True))


def second_factor_app(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_secret(device: TOTPDevice) -> str:
    """The app's secret as people type it in, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
