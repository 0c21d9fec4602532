from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views import defaults

from salon.rest import error_body
from salon.roles import Role, user_roles

# Where each role starts its day, most specific first: a therapist who also
# manages still opens "my day" first.
ROLE_START_PAGES = [
    (Role.THERAPIST, "my-day"),
    (Role.RECEPTIONIST, "desk"),
    (Role.MANAGER, "admin:index"),
]


def role_start_url(user) -> str | None:
    held = user_roles(user)
    for role, url_name in ROLE_START_PAGES:
        if role in held:
            try:
                return reverse(url_name)
            except NoReverseMatch:
                continue  # that role's page is not part of this build yet
    return None


@login_required
def home(request):
    """Send each member of staff to the page their role starts from."""
    start_url = role_start_url(request.user)
    if start_url:
        return redirect(start_url)
    return render(request, "salon/home.html", {"roles": sorted(user_roles(request.user))})


def not_found(request, exception):
    """An address under /api/ that names nothing (``/api/v1/clients/x/``)
    answers in the API's error shape; pages keep Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="not_found", detail="Not found."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="server_error", detail="Something went wrong on our side."), status=500)
    return defaults.server_error(request)
