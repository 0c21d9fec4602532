"""The location's settings, and the business's, on one page.

The location's are one form in four sections (location and contact, booking
rules, online booking, messages to clients), saved together by one service call, so a refusal
leaves everything as it was. The business's (what every location shares) are a
form of their own, which only a manager granted every location may change;
others see them read-only and why.
"""

from functools import cache
from zoneinfo import available_timezones

from django import forms
from django.contrib import messages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from manager.forms import ManagerForm
from salon.errors import DomainError, error_words, http_status
from salon.locations import business_check, location_for, may_change_business
from salon.models import Business, Salon
from salon.roles import Role, role_required
from salon.services import (
    BUSINESS_SETTINGS,
    FEEDBACK_DELAY_MINUTES_MAX,
    LOCATION_SETTINGS,
    MIN_NOTICE_MINUTES_MAX,
    REMINDER_LEAD_HOURS_MAX,
    business_settings_update,
    location_settings_update,
)

MANAGERS = (Role.MANAGER,)
# The regions of the IANA database whose zones name a place; the rest are
# aliases kept for old systems (US/Eastern, Etc/GMT+1, EST5EDT).
ZONE_REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
COMMON_CURRENCIES = ("EUR", "GBP", "CHF", "USD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF")


@cache
def _zone_groups() -> tuple:
    """Each zone under its region, by its full name (the closed select shows
    only the option, and the page names the zone the same way elsewhere)."""
    by_region: dict[str, list[tuple[str, str]]] = {region: [] for region in ZONE_REGIONS}
    for zone in sorted(available_timezones()):
        region, _, place = zone.partition("/")
        if region in by_region and place:
            by_region[region].append((zone, zone))
    return (("UTC", "UTC"), *((region, zones) for region, zones in by_region.items()))


def time_zone_choices(current: str = "") -> list:
    """IANA zones grouped by region (an <optgroup> each), and the zone set
    now even when it is one of the old aliases, so saving keeps it."""
    groups = list(_zone_groups())
    listed = {"UTC"} | {zone for _, zones in groups[1:] for zone, _ in zones}
    if current and current not in listed:
        groups.insert(0, (current, current))
    return groups


def _limit(model, name: str, kind) -> int:
    """The model's own bound of a field, so the form offers what the model takes."""
    return next(rule.limit_value for rule in model._meta.get_field(name).validators if isinstance(rule, kind))


def _number(label: str, *, model, name: str, low: int | None = None, high: int | None = None, **options):
    low = _limit(model, name, MinValueValidator) if low is None else low
    high = _limit(model, name, MaxValueValidator) if high is None else high
    return forms.IntegerField(label=label, min_value=low, max_value=high, **options)


def _wall_clock(label: str, **options) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), **options)


class LocationSettingsForm(ManagerForm):
    """A location's settings as the page shows them. Which field belongs to
    which section is ``SECTIONS``; the rules are the service's."""

    SECTIONS = {
        "contact": ["name", "address", "phone", "email", "phone_region", "time_zone", "currency", "language"],
        "booking": [
            "slot_minutes",
            "min_notice_minutes",
            "booking_horizon_days",
            "client_cancel_hours",
            "check_in_opens_minutes",
            "default_turnover_minutes",
            "screening_required",
        ],
        "online": [
            "online_booking",
            "online_new_clients",
            "online_notice_minutes",
            "online_horizon_days",
            "online_open_bookings",
            "online_hold_minutes",
            "waitlist_offer_minutes",
            "online_screening_blocked",
            "online_embed_origins",
        ],
        "messages": ["reminder_lead_hours", "feedback_delay_minutes", "quiet_hours_start", "quiet_hours_end"],
    }

    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    address = forms.CharField(
        label=gettext_lazy("Address"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False, max_length=254)
    phone_region = forms.CharField(
        label=gettext_lazy("Phone region"),
        min_length=2,
        max_length=2,
        help_text=gettext_lazy(
            "The country assumed for clients' phone numbers written without +country code, e.g. DE."
        ),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy(
            "Opening hours, rotas and quiet hours are local times in this zone. "
            "It cannot change while sessions are booked ahead."
        ),
    )
    currency = forms.CharField(
        label=gettext_lazy("Currency (ISO 4217 code)"),
        min_length=3,
        max_length=3,
        help_text=gettext_lazy(
            "E.g. EUR, GBP, CHF. Prices on the menu are amounts in it: changing it does not convert them."
        ),
        widget=forms.TextInput(attrs={"list": "currencies", "autocomplete": "off"}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=Salon._meta.get_field("language").choices,
        help_text=gettext_lazy(
            "Clients without a language of their own get pages, emails and texts in it; "
            "so does staff whose browser asks for none the product has."
        ),
    )

    slot_minutes = forms.TypedChoiceField(
        label=gettext_lazy("Slot grid"),
        coerce=int,
        choices=Salon._meta.get_field("slot_minutes").choices,
        help_text=gettext_lazy("Sessions start on this grid, and a session's length is rounded up to it."),
    )
    min_notice_minutes = _number(
        gettext_lazy("Minimum notice (minutes)"),
        model=Salon,
        name="min_notice_minutes",
        low=0,
        high=MIN_NOTICE_MINUTES_MAX,
        help_text=gettext_lazy(
            "How soon before its start a session can still be booked, e.g. 60 for an hour, 1440 for a day."
        ),
    )
    booking_horizon_days = _number(
        gettext_lazy("Booking horizon (days)"),
        model=Salon,
        name="booking_horizon_days",
        help_text=gettext_lazy("How far ahead clients can book."),
    )
    client_cancel_hours = _number(
        gettext_lazy("Clients cancel online until (hours before)"),
        model=Salon,
        name="client_cancel_hours",
        low=0,
        help_text=gettext_lazy("Until then the link in their messages cancels; later they call."),
    )
    check_in_opens_minutes = _number(
        gettext_lazy("Check-in opens (minutes before the start)"),
        model=Salon,
        name="check_in_opens_minutes",
        low=0,
        help_text=gettext_lazy("The desk can check a client in from then until the session's end."),
    )
    default_turnover_minutes = _number(
        gettext_lazy("Turnover after a session (minutes)"),
        model=Salon,
        name="default_turnover_minutes",
        low=0,
        help_text=gettext_lazy("Fresh towels, oil and the table, unless a routine says otherwise."),
    )
    screening_required = forms.BooleanField(
        label=gettext_lazy("Require a valid health screening before a first booking"),
        required=False,
        help_text=gettext_lazy("Otherwise the booking is taken and the client is sent the intake form."),
    )

    online_booking = forms.BooleanField(
        label=gettext_lazy("Clients may book online"),
        required=False,
        help_text=gettext_lazy(
            "On the booking pages (/book/) and the public API. Which services: the menu's "
            '"bookable online" (Services).'
        ),
    )
    online_new_clients = forms.BooleanField(
        label=gettext_lazy("Clients new to the salon may book online"),
        required=False,
        help_text=gettext_lazy(
            "Otherwise a first visit is booked by phone; clients the salon knows still book online."
        ),
    )
    online_notice_minutes = _number(
        gettext_lazy("Minimum notice online (minutes)"),
        model=Salon,
        name="online_notice_minutes",
        low=0,
        help_text=gettext_lazy("How soon before its start a session can be booked online, e.g. 120 for two hours."),
    )
    online_horizon_days = _number(
        gettext_lazy("Online booking horizon (days)"),
        model=Salon,
        name="online_horizon_days",
        help_text=gettext_lazy("How far ahead."),
    )
    online_open_bookings = _number(
        gettext_lazy("Online bookings ahead per client (at most)"),
        model=Salon,
        name="online_open_bookings",
        help_text=gettext_lazy("More are booked by phone."),
    )
    online_hold_minutes = _number(
        gettext_lazy("A time is held for confirming (minutes)"),
        model=Salon,
        name="online_hold_minutes",
        help_text=gettext_lazy(
            "The client confirms by the link emailed to them; unconfirmed, the time is offered again."
        ),
    )
    waitlist_offer_minutes = _number(
        gettext_lazy("A freed time offered to the waitlist stays open (minutes)"),
        model=Salon,
        name="waitlist_offer_minutes",
    )
    online_screening_blocked = forms.BooleanField(
        label=gettext_lazy("Clients whose health screening blocks a routine or needs review may book online"),
        required=False,
        help_text=gettext_lazy(
            "The desk is told either way; otherwise such clients are asked to call. They are never shown why."
        ),
    )
    online_embed_origins = forms.CharField(
        label=gettext_lazy("Sites that may embed the booking page"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=gettext_lazy(
            "One address a line, https:// and the host only, e.g. https://www.example.com. "
            "Only these (and this site) may show /book/ in a frame."
        ),
    )

    reminder_lead_hours = forms.CharField(
        label=gettext_lazy("Reminders (hours before the session)"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("Whole hours, separated by commas, e.g. 24, 2. Left empty: the default, 24 and 2."),
    )
    feedback_delay_minutes = _number(
        gettext_lazy("Feedback request (minutes after the session)"),
        model=Salon,
        name="feedback_delay_minutes",
        low=0,
        high=FEEDBACK_DELAY_MINUTES_MAX,
    )
    quiet_hours_start = _wall_clock(gettext_lazy("Quiet hours start"))
    quiet_hours_end = _wall_clock(gettext_lazy("Quiet hours end"))

    def __init__(self, *args, salon: Salon, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(salon.time_zone)
        self.fields["quiet_hours_start"].help_text = _(
            "Local time in %(zone)s. No text message goes out from the start until the end; "
            "one due then waits for the end. The same time twice: no quiet hours."
        ) % {"zone": salon.time_zone}
        self.fields["quiet_hours_end"].help_text = _("Local time in %(zone)s.") % {"zone": salon.time_zone}

    @classmethod
    def initial_for(cls, salon: Salon) -> dict:
        initial = {name: getattr(salon, name) for name in LOCATION_SETTINGS}
        initial["reminder_lead_hours"] = ", ".join(str(hours) for hours in salon.reminder_lead_hours or [])
        initial["online_embed_origins"] = "\n".join(salon.online_embed_origins or [])
        return initial

    def sections(self) -> dict:
        return {section: [self[name] for name in names] for section, names in self.SECTIONS.items()}

    def clean_phone_region(self) -> str:
        return self.cleaned_data["phone_region"].strip().upper()

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean_online_embed_origins(self) -> list[str]:
        """One origin a line; the service checks each (salon.services.embed_origins_clean)."""
        return [line.strip() for line in self.cleaned_data["online_embed_origins"].splitlines() if line.strip()]

    def clean_reminder_lead_hours(self) -> list[int]:
        """ "24, 2" as [24, 2]; the service checks the hours themselves."""
        words = self.cleaned_data["reminder_lead_hours"].replace(";", ",").replace(" ", ",").split(",")
        words = [word for word in words if word]
        if not all(word.isascii() and word.isdigit() for word in words):
            raise forms.ValidationError(_("Give whole hours separated by commas, e.g. 24, 2."))
        hours = [int(word) for word in words]
        if any(not 1 <= hour <= REMINDER_LEAD_HOURS_MAX for hour in hours):
            raise forms.ValidationError(_("Each between 1 and %(most)s hours.") % {"most": REMINDER_LEAD_HOURS_MAX})
        return hours


class BusinessSettingsForm(ManagerForm):
    """What every location shares; its fields are named ``business-...``
    (the page's other form has a name too)."""

    prefix = "business"
    SECTIONS = {
        "health": ["screening_valid_months", "clearance_valid_days", "health_data_retention_months"],
        "business": ["name", "travel_minutes"],
    }

    screening_valid_months = _number(
        gettext_lazy("A health screening is valid for (months)"),
        model=Business,
        name="screening_valid_months",
        help_text=gettext_lazy("Then the client fills in a new one."),
    )
    clearance_valid_days = _number(
        gettext_lazy("A therapist's clearance lasts (days)"),
        model=Business,
        name="clearance_valid_days",
        help_text=gettext_lazy("After it, a finding that blocked a routine blocks it again."),
    )
    health_data_retention_months = _number(
        gettext_lazy("Keep health data of clients without a visit for (months)"),
        model=Business,
        name="health_data_retention_months",
        help_text=gettext_lazy("Then their screenings are deleted."),
    )
    name = forms.CharField(label=gettext_lazy("Business name"), max_length=120)
    travel_minutes = _number(
        gettext_lazy("Travel between locations (minutes)"),
        model=Business,
        name="travel_minutes",
        low=0,
        help_text=gettext_lazy("The time a therapist needs between sessions at two different locations."),
    )

    @classmethod
    def initial_for(cls, business: Business) -> dict:
        return {name: getattr(business, name) for name in BUSINESS_SETTINGS}

    def sections(self) -> dict:
        return {section: [self[name] for name in names] for section, names in self.SECTIONS.items()}


def _page(request, *, location_form=None, business_form=None, problem: str = "", status: int = 200):
    salon = location_for(request.user)
    business = salon.business
    context = {
        "salon": salon,
        "business": business,
        "location_form": location_form
        or LocationSettingsForm(salon=salon, initial=LocationSettingsForm.initial_for(salon)),
        "business_form": business_form or BusinessSettingsForm(initial=BusinessSettingsForm.initial_for(business)),
        "may_change_business": may_change_business(request.user),
        "currencies": COMMON_CURRENCIES,
        "problem": problem,
        "manage_section": "settings",
    }
    return render(request, "manager/settings.html", context, status=status)


def _refused(form, refusal: DomainError) -> str:
    """Put a refusal's field messages next to their fields; the words for
    the top of the page."""
    for name, words in refusal.fields.items():
        form.add_error(name if name in form.fields else None, words)
    return error_words(refusal)


@role_required(*MANAGERS)
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """The page; a POST saves the location's settings."""
    if request.method == "GET":
        return _page(request)
    salon = location_for(request.user)
    form = LocationSettingsForm(request.POST, salon=salon)
    if not form.is_valid():
        return _page(request, location_form=form, problem=_("Some settings need another look; see below."), status=400)
    try:
        location_settings_update(salon=salon, **form.cleaned_data)
    except DomainError as refusal:
        return _page(request, location_form=form, problem=_refused(form, refusal), status=http_status(refusal))
    messages.success(request, _("Settings of %(name)s saved.") % {"name": salon.name})
    return redirect("manage-settings")


@role_required(*MANAGERS)
@require_POST
def business_settings(request):
    """Save what every location shares (a manager granted every location)."""
    business_check(user=request.user)
    business = location_for(request.user).business
    form = BusinessSettingsForm(request.POST)
    if not form.is_valid():
        return _page(request, business_form=form, problem=_("Some settings need another look; see below."), status=400)
    try:
        business_settings_update(business=business, **form.cleaned_data)
    except DomainError as refusal:
        return _page(request, business_form=form, problem=_refused(form, refusal), status=http_status(refusal))
    messages.success(request, _("Settings of %(name)s saved for every location.") % {"name": business.name})
    return redirect("manage-settings")


urlpatterns = [
    path("manage/settings/", settings_page, name="manage-settings"),
    path("manage/settings/business/", business_settings, name="manage-settings-business"),
]
