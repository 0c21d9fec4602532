from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse

from salon.locations import location_for, locations_granted
from salon.roles import Role, user_roles
from salon.signin import second_factor_owed


def roles(request):
    """The signed-in user's roles, for navigation in templates; none while
    the session still owes its second factor (the links would only lead back)."""
    held = frozenset() if second_factor_owed(request) else user_roles(request.user)
    return {
        "is_receptionist": Role.RECEPTIONIST in held,
        "is_therapist": Role.THERAPIST in held,
        "is_manager": Role.MANAGER in held,
        "owes_second_factor": second_factor_owed(request),
    }


def locations(request):
    """The location switcher in the header: the locations the user is granted,
    when there is more than one to choose from, and the one in use."""
    user = request.user
    if not user.is_authenticated or second_factor_owed(request):
        return {}
    granted = locations_granted(user)
    if len(granted) < 2:
        return {}
    return {"switchable_locations": granted, "current_location": location_for(user)}


# The addresses the base template links to (by its name for each: the URL's
# name), reversed once per URLconf and script prefix rather than by a dozen
# {% url %} tags on every page: they took a tenth of a light page's CPU.
SITE_URL_NAMES = {
    "home": "home",
    "my_day": "my-day",
    "desk": "desk",
    "clients": "clients",
    "routines": "routines",
    "manage": "manage",
    "admin": "admin:index",
    "api_docs": "api-docs",
    "account": "account-security",
    "location_choose": "location-choose",
    "logout": "logout",
    "javascript_catalog": "javascript-catalog",
}


class _SiteUrls(dict):
    """Each address reversed when first asked for (a page shows some of them)."""

    def __missing__(self, name: str) -> str:
        url = self[name] = reverse(SITE_URL_NAMES[name])
        return url


_SITE_URLS: dict[tuple, _SiteUrls] = {}


def site_urls(request):
    """``site_urls.<name>``: the addresses of :data:`SITE_URL_NAMES`."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    urls = _SITE_URLS.get(key)
    if urls is None:
        urls = _SITE_URLS[key] = _SiteUrls()
    return {"site_urls": urls}


def _forget_site_urls(*, setting: str, **kwargs) -> None:
    # A test's URLconf may be another module of the same name; Django empties its own caches then too.
    if setting == "ROOT_URLCONF":
        _SITE_URLS.clear()


setting_changed.connect(_forget_site_urls, dispatch_uid="salon.forget_site_urls")
