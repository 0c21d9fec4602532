"""The booking pages' forms: the choices that travel in the address (service,
length, therapist, day, time: nothing personal), and the client's details,
which travel only in a POST body and the session."""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from clients.search import normalise_phone
from salon.inputs import date_problem
from sessions.availability import local_instant

ANYONE = "any"
NAME_LENGTH = 80
MESSAGE_LENGTH = 500


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
            raise ValidationError("Choose a therapist from the list.")
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
    """Who is booking. The email address is needed: the link that confirms
    the booking goes there."""

    given_name = forms.CharField(label="First name", max_length=NAME_LENGTH)
    family_name = forms.CharField(label="Last name", max_length=NAME_LENGTH)
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="We send the link that confirms your booking to this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label="Phone (optional)",
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent_reminders = forms.BooleanField(label="Send me reminders before my appointment", required=False)
    consent_feedback = forms.BooleanField(label="Ask me afterwards how it was", required=False)
    privacy = forms.BooleanField(
        label="I have read the privacy notice",
        error_messages={"required": "Please read the privacy notice and tick the box."},
    )
    message = forms.CharField(
        label="A message to the salon (optional)",
        required=False,
        max_length=MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Please no health details here: you get a health form after booking.",
    )
    # Left empty by people (it is hidden from them); filled in by form-filling robots.
    website = forms.CharField(
        label="Leave this empty",
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

    def is_robot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    def details(self) -> dict:
        """What the session keeps until the time is held."""
        return {name: value for name, value in self.cleaned_data.items() if name not in ("privacy", "website")}
