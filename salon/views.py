from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from salon import invitations, locations, selectors, services, signin
from salon.errors import DomainError, error_words, http_status
from salon.forms import LanguageForm, SecondFactorCodeForm
from salon.languages import language_for_staff_request
from salon.rest import error_body
from salon.roles import Role, user_roles

# Shown once, right after they are made; kept in the session only until then.
FRESH_RECOVERY_CODES_KEY = "salon_fresh_recovery_codes"

# Where each role starts its day, most specific first: a therapist who also
# manages still opens "my day" first.
ROLE_START_PAGES = [
    (Role.THERAPIST, "my-day"),
    (Role.RECEPTIONIST, "desk"),
    (Role.MANAGER, "manage"),
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
    return render(request, "salon/home.html", {"roles": sorted(role.label for role in user_roles(request.user))})


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
@require_POST
def location_choose(request):
    """The location switcher: remember the chosen location, go back."""
    location = locations.location_for(request.user, request.POST.get("location"))
    services.location_choose(user=request.user, location=location)
    return redirect(_next_url(request))


@login_required
def two_factor_verify(request):
    """The second step of signing in: a code from the authenticator app, or
    one of the recovery codes."""
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_match(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        signin.log.warning("Wrong second-factor code for %s", request.user.get_username())
        form.add_error("code", _("That code is wrong or has been used. Enter the code your app shows now."))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def two_factor_enrol(request):
    """Set up an authenticator app: scan the code, enter the first number it
    shows. Managers do this at their first sign-in; others may choose to."""
    if signin.second_factor_owed(request) == signin.VERIFY:
        # Setting up a new app replaces the old one: only after its code.
        return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': request.get_full_path()})}")
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.second_factor_enrolment_confirm(user=request.user, code=form.cleaned_data["code"])
        except DomainError as error:
            form.add_error("code", error_words(error))
        else:
            otp_login(request, device)
            request.session[signin.SECOND_FACTOR_KEY] = signin.VERIFY
            request.session[FRESH_RECOVERY_CODES_KEY] = codes
            return redirect(f"{reverse('recovery-codes')}?{urlencode({'next': _next_url(request)})}")
    device = services.second_factor_enrolment_start(user=request.user)
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "next": _next_url(request),
        "qr_svg": qr.svg_inline(scale=5, title=_("QR code for your authenticator app")),
        "secret": selectors.second_factor_secret(device),
        "second_factor_required": Role.MANAGER in user_roles(request.user),
    }
    return render(request, "registration/two_factor_enrol.html", context)


@login_required
def recovery_codes(request):
    """Fresh recovery codes, shown once (after set-up, or when replaced)."""
    if request.method == "POST":
        request.session[FRESH_RECOVERY_CODES_KEY] = services.recovery_codes_replace(user=request.user)
        return redirect("recovery-codes")
    codes = request.session.pop(FRESH_RECOVERY_CODES_KEY, None)
    if codes is None:
        return redirect("account-security")
    return render(request, "registration/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


@login_required
def account_security(request):
    """Your own sign-in: the authenticator app, recovery codes, API tokens."""
    context = {
        "has_second_factor": bool(selectors.second_factor_app(request.user)),
        "recovery_codes_left": selectors.recovery_codes_left(request.user),
        "tokens": selectors.auth_token_list(user=request.user),
        "second_factor_required": Role.MANAGER in user_roles(request.user),
        "language_form": LanguageForm(initial={"language": request.user.language}),
    }
    return render(request, "registration/security.html", context)


@login_required
@require_POST
def account_language(request):
    """Choose the language of the pages; back to where the form was."""
    services.user_language_set(user=request.user, language=request.POST.get("language", ""))
    # The message is read on the next page, in the language just chosen.
    with translation.override(language_for_staff_request(request)):
        messages.success(request, _("The pages are now shown in this language."))
    return redirect(_next_url(request))


@login_required
@require_POST
def account_token_revoke(request, token_key: str):
    services.auth_token_revoke(user=request.user, token_key=token_key)
    messages.success(request, _("The token no longer works."))
    return redirect("account-security")


@cache_control(no_store=True)  # the page holds a credential: no browser or proxy keeps it
def invitation(request, token: str):
    """The link in a new member of staff's invitation: choose a password
    (Django's password validators), then sign in. A forged link is a 400, an
    expired, used or replaced one a 410, each with a page that says to ask
    the manager for a new invitation."""

    def refused(error: DomainError):
        context = {"problem": error_words(error)}
        return render(request, "registration/invitation_refused.html", context, status=http_status(error))

    try:
        invited = invitations.invited_user(token)
    except DomainError as error:
        return refused(error)
    form = SetPasswordForm(invited, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except DomainError as error:
            return refused(error)
        signin.log.info("Password set from an invitation: %s", invited.get_username())
        messages.success(request, _("Your password is set. Sign in with your login name and your new password."))
        return redirect("login")
    return render(request, "registration/invitation.html", {"form": form, "invited": invited})


def not_found(request, exception):
    """An address under /api/ that names nothing (``/api/v1/clients/x/``)
    answers in the API's error shape; pages keep Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="not_found", detail=_("Not found.")), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="server_error", detail=_("Something went wrong on our side.")), status=500)
    return defaults.server_error(request)
