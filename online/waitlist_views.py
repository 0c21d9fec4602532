"""The waitlist's public pages (no login, work without JavaScript): joining
when the wanted day has nothing, the page an offer's link opens (a GET
only shows it, since mail scanners open links; the button books it), and
the page of one's entry, to leave the list.

Nothing personal travels in an address: the name, email and phone only in
the POST body; the links carry signed tokens. Like the booking pages
(online.views), joining needs neither the session nor the CSRF cookie, so
that it works in a frame on the salon's website."""

import contextlib
import datetime
from urllib.parse import urlencode

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clients.links import LinkInvalid
from clients.search import normalise_phone
from clients.views import private, refused_page, same_site_posts_only, throttled_per_address
from online import selectors
from online.embedding import booking_posts_only
from online.language import booking_language, link_page_language, location_page_language, with_language
from online.limits import within_limits
from salon.errors import Conflict, DomainError, Gone, NotFound, error_words, http_status
from salon.models import Salon
from sessions.availability import therapists_at
from sessions.forms import WaitlistWishForm
from sessions.models import WaitlistEntry, WaitlistOffer
from sessions.services.waitlist import (
    entry_from_token,
    offer_from_token,
    waitlist_join,
    waitlist_offer_accept,
    waitlist_withdraw,
)

ANYONE = "any"
PURPOSE = "waitlist"
JOINED_FIELD = "joined"
JOINED_SALT = "online.waitlist.joined"
# The page that says one joined, for a reload soon after; then the form again.
JOINED_MAX_AGE = 60 * 60


class WaitlistForm(WaitlistWishForm):
    service = forms.ChoiceField(label=gettext_lazy("Service"))
    # Its own context: the booking pages name therapists as the client's emails do, not as the staff pages.
    therapist = forms.ChoiceField(label=pgettext_lazy("online booking", "Therapist"))
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=gettext_lazy("An email address or a phone number: we send offers there."),
    )
    consent_reminders = forms.BooleanField(
        label=gettext_lazy("Send me reminders before my appointment"), required=False
    )
    consent_feedback = forms.BooleanField(label=gettext_lazy("Ask me afterwards how it was"), required=False)
    privacy = forms.BooleanField(
        label=gettext_lazy("I have read the privacy notice"),
        error_messages={"required": gettext_lazy("Please read the privacy notice and tick the box.")},
    )
    website = forms.CharField(
        label=gettext_lazy("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, salon: Salon, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.salon = salon
        self.services = {
            f"{service.slug}:{minutes}": (service, minutes)
            for service in selectors.online_services(salon=salon)
            for minutes, _ in service.lengths
        }
        self.fields["service"].choices = [
            (key, _("%(service)s, %(minutes)s minutes") % {"service": service.routine.name, "minutes": minutes})
            for key, (service, minutes) in self.services.items()
        ]
        self.therapists = {str(therapist.pk): therapist for therapist in therapists_at(salon).order_by("display_name")}
        self.fields["therapist"].choices = [(ANYONE, pgettext("any therapist", "Anyone"))] + [
            (key, therapist.display_name) for key, therapist in self.therapists.items()
        ]
        self.fields["given_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["family_name"].widget.attrs["autocomplete"] = "family-name"

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"], region=self.salon.phone_region)

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and "email" not in self.errors:
            raise ValidationError(_("Give an email address or a phone number."))
        return data

    def is_robot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def entry_fields(self) -> dict:
        data = self.cleaned_data
        service, minutes = self.services[data["service"]]
        return {
            "routine": service.routine,
            "minutes": minutes,
            "therapist": self.therapists.get(data["therapist"]),
            **self.wish_fields(),
            **{name: data[name] for name in ("email", "phone", "consent_reminders", "consent_feedback")},
        }


def _initial(request, salon: Salon) -> dict:
    """What the booking page passes on (``?service=&minutes=&therapist=&date=``): nothing personal."""
    query = request.GET
    initial = {}
    service, minutes = query.get("service", "")[:100], query.get("minutes", "")[:4]
    if service:
        initial["service"] = f"{service}:{minutes}"
    if query.get("therapist", "")[:12]:
        initial["therapist"] = query["therapist"][:12]
    try:
        day = datetime.date.fromisoformat(query.get("date", "")[:10])
    except ValueError:
        day = timezone.now().astimezone(salon.zone).date()
    initial.update(first_day=day, last_day=day + datetime.timedelta(days=7))
    return initial


def _join_page(request, salon: Salon, form: WaitlistForm, *, status: int = 200, problem: str = ""):
    return render(
        request, "online/waitlist_join.html", {"salon": salon, "form": form, "problem": problem}, status=status
    )


def _joined(request, salon: Salon) -> dict | None:
    """What ``?joined=`` says was joined (signed: service, days, by email or not; nothing personal),
    its days as dates, for the page to write in the reader's language."""
    try:
        joined = signing.loads(request.GET.get(JOINED_FIELD, "")[:1000], salt=JOINED_SALT, max_age=JOINED_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(joined, dict) or joined.get("location") != salon.pk:
        return None
    try:
        days = {name: datetime.date.fromisoformat(joined[name]) for name in ("first_day", "last_day")}
    except (KeyError, TypeError, ValueError):
        return None
    return {**joined, **days}


@booking_language
@csrf_exempt  # no CSRF cookie in a frame on another site; see online.embedding.booking_posts_only
@booking_posts_only
@require_http_methods(["GET", "POST"])
def waitlist_join_page(request, location: int):
    """Join the location's waitlist; then (GET ``?joined=<signed>``) the page that says so."""
    salon = get_object_or_404(selectors.online_locations(), pk=location)
    location_page_language(request, salon)
    if request.method == "GET":
        joined = _joined(request, salon)
        if joined:
            return render(request, "online/waitlist_joined.html", {"salon": salon, "joined": joined})
        return _join_page(request, salon, WaitlistForm(salon=salon, initial=_initial(request, salon)))
    form = WaitlistForm(request.POST, salon=salon)
    if form.is_robot():
        # Answered as if it worked, so a robot learns nothing; nothing is stored or sent.
        return render(request, "online/waitlist_joined.html", {"salon": salon, "robot": True})
    if not form.is_valid():
        return _join_page(request, salon, form, status=400)
    fields = form.entry_fields()
    if not within_limits(request, scope="online_hold", email=fields["email"], phone=fields["phone"]):
        return render(request, "online/throttled.html", {"salon": salon}, status=429)
    try:
        entry = waitlist_join(salon=salon, language=translation.get_language(), **fields)
    except DomainError as refusal:
        for name, messages in refusal.fields.items():
            if name in form.fields:
                for message in messages:
                    form.add_error(name, message)
        return _join_page(request, salon, form, status=http_status(refusal), problem=error_words(refusal))
    joined = {
        "location": salon.pk,
        "service": entry.routine.name,
        "first_day": entry.first_day.isoformat(),
        "last_day": entry.last_day.isoformat(),
        "by_email": bool(entry.email),
    }
    signed = urlencode({JOINED_FIELD: signing.dumps(joined, salt=JOINED_SALT, compress=True)})
    return redirect(with_language(request, f"{reverse('book-waitlist-join', args=[salon.pk])}?{signed}"))


@booking_language
@private
@csrf_exempt  # the token in the address is the proof; see clients.views.same_site_posts_only
@throttled_per_address(purpose=PURPOSE)
@same_site_posts_only(purpose=PURPOSE)
@require_http_methods(["GET", "POST"])
def offer_page(request, token):
    """A freed time offered from the waitlist: a GET shows it, the button books it."""
    try:
        offer = offer_from_token(token)
    except NotFound:
        return refused_page(request, LinkInvalid(), purpose=PURPOSE)
    # An entry names no client record (one is found or made when an offer is booked): the location's language.
    link_page_language(request, client=offer.entry.client, salon=offer.entry.salon, asked_in=offer.entry.language)
    context = {"offer": offer, "entry": offer.entry, "salon": offer.entry.salon}
    if offer.status == WaitlistOffer.Status.TAKEN:
        return render(request, "online/waitlist_booked.html", context)
    if offer.status == WaitlistOffer.Status.GONE:
        return render(request, "online/waitlist_taken.html", context, status=409)
    if offer.status == WaitlistOffer.Status.EXPIRED or offer.expires_at <= timezone.now():
        return render(request, "online/waitlist_taken.html", {**context, "expired": True}, status=410)
    if request.method == "GET":
        return render(request, "online/waitlist_offer.html", context)
    if not within_limits(request, scope="online_confirm", email=offer.entry.email, phone=offer.entry.phone):
        return render(request, "online/throttled.html", {"salon": offer.entry.salon}, status=429)
    try:
        waitlist_offer_accept(offer=offer)
    except Gone:
        return render(request, "online/waitlist_taken.html", {**context, "expired": True}, status=410)
    except Conflict as refusal:
        if refusal.code == "offer_taken":
            return render(request, "online/waitlist_taken.html", context, status=409)
        if refusal.code == "offer_accepted":
            return redirect(with_language(request, request.path))
        context["problem"] = error_words(refusal)
        return render(request, "online/waitlist_offer.html", context, status=409)
    except DomainError as refusal:
        context["problem"] = error_words(refusal)
        return render(request, "online/waitlist_offer.html", context, status=http_status(refusal))
    return redirect(with_language(request, request.path))


@booking_language
@private
@csrf_exempt  # the token in the address is the proof; see clients.views.same_site_posts_only
@throttled_per_address(purpose=PURPOSE)
@same_site_posts_only(purpose=PURPOSE)
@require_http_methods(["GET", "POST"])
def waitlist_entry_page(request, token):
    """One's place on the waitlist, with the button to leave it."""
    try:
        entry = entry_from_token(token)
    except NotFound:
        return refused_page(request, LinkInvalid(), purpose=PURPOSE)
    link_page_language(request, client=entry.client, salon=entry.salon, asked_in=entry.language)
    if request.method == "POST":
        if entry.status == WaitlistEntry.Status.WAITING:
            # Withdrawn or booked a moment ago: the page shows which.
            with contextlib.suppress(Conflict):
                waitlist_withdraw(entry=entry)
        return redirect(with_language(request, request.path))
    return render(request, "online/waitlist_entry.html", {"entry": entry, "salon": entry.salon})
