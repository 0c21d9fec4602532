"""The booking pages' forms: the choices that travel in the address (service,
length, therapist, day, time: nothing personal), and the client's details,
which travel only in POST bodies: from the details page to the summary, and
from there, signed, to "hold this time"."""

import datetime

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.search import normalise_phone
from salon.inputs import date_problem
from sessions.availability import local_instant

ANYONE = "any"
NAME_LENGTH = 80
MESSAGE_LENGTH = 500
DETAILS_FIELD = "details"
DETAILS_SALT = "online.book.details"
# Time enough to read the summary; a page left open longer asks again.
DETAILS_MAX_AGE = 60 * 60
# Well above the longest details signed (names, email, phone, message).
SIGNED_LENGTH = 4000


class ChoiceForm(forms.Form):
    """What the client chose so far (``?service=&minutes=&therapist=&date=&time=``);
    every field may be missing, the page then asks for it."""

    service = forms.SlugField(required=False, max_length=100)
    minutes = forms.IntegerField(required=False, min_value=5, max_value=480)
    therapist = forms.CharField(required=False, max_length=12)
    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    time = forms.TimeField(required=False, input_formats=["%H:%M"])

    def clean_date(self):
        day = self.cleaned_data["date"]
        problem = date_problem(day) if day is not None else None
        if problem:
            raise ValidationError(problem)
        return day

    def clean_therapist(self):
        value = self.cleaned_data["therapist"].strip()
        if value in ("", ANYONE):
            return value
        if not value.isdigit():
            raise ValidationError(_("Choose a therapist from the list."))
        return value

    def therapist_id(self) -> int | None:
        value = self.cleaned_data.get("therapist") or ""
        return int(value) if value.isdigit() else None

    def start(self, zone) -> datetime.datetime | None:
        day, wall = self.cleaned_data.get("date"), self.cleaned_data.get("time")
        if day is None or wall is None:
            return None
        return local_instant(day, wall, zone)


class DetailsForm(forms.Form):
    """Who is booking. An email address or a phone number is needed: the
    link that confirms the booking goes to the email address, or by SMS
    when there is only a phone number."""

    given_name = forms.CharField(label=gettext_lazy("First name"), max_length=NAME_LENGTH)
    family_name = forms.CharField(label=gettext_lazy("Last name"), max_length=NAME_LENGTH)
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        required=False,
        help_text=gettext_lazy("We send the link that confirms your booking to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        max_length=32,
        help_text=gettext_lazy("No email address? We send the link by SMS to this number."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent_reminders = forms.BooleanField(
        label=gettext_lazy("Send me reminders before my appointment"), required=False
    )
    consent_feedback = forms.BooleanField(label=gettext_lazy("Ask me afterwards how it was"), required=False)
    privacy = forms.BooleanField(
        label=gettext_lazy("I have read the privacy notice"),
        error_messages={"required": gettext_lazy("Please read the privacy notice and tick the box.")},
    )
    message = forms.CharField(
        label=gettext_lazy("A message to the salon (optional)"),
        required=False,
        max_length=MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Please no health details here: you get a health form after booking."),
    )
    # Left empty by people (it is hidden from them); filled in by form-filling robots.
    website = forms.CharField(
        label=gettext_lazy("Leave this empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, phone_region: str = "DE", **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.phone_region = phone_region
        self.fields["given_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["family_name"].widget.attrs["autocomplete"] = "family-name"

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"], region=self.phone_region)

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and not {"email", "phone"} & set(self.errors):
            message = _("Give an email address or a phone number: the link that confirms your booking goes there.")
            self.add_error("email", message)
            self.add_error("phone", message)
        return data

    def is_robot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def details(self) -> dict:
        """What the summary passes on to "hold this time" (``details_signed``)."""
        return {name: value for name, value in self.cleaned_data.items() if name not in ("privacy", "website")}


def details_signed(*, location: int, details: dict) -> str:
    """The checked details for the summary's hidden field. Signed, so the
    hold is made with what the details form accepted and nothing typed in
    between; bound to the location, whose rules checked them."""
    return signing.dumps({"location": location, "details": details}, salt=DETAILS_SALT, compress=True)


def details_from_signed(value: str, *, location: int) -> dict | None:
    """The details of ``details_signed``; None when altered, too old or another location's."""
    try:
        signed = signing.loads(value[:SIGNED_LENGTH], salt=DETAILS_SALT, max_age=DETAILS_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(signed, dict) or signed.get("location") != location:
        return None
    return signed.get("details") or None
