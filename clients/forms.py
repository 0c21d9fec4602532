"""The client's intake form: plain fields, and a pain map edited either on the
body chart (with JavaScript) or as a plain list of rows (without). The
desk's form for a client's contact details and consents."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import NOTE_LENGTH, PRONE_DISCOMFORT_PLACES, Client, HealthScreening
from routines.models import BodyArea, Side
from salon.inputs import DateFormField

PAIN_ROWS = 6
PAIN_AREAS = [
    BodyArea.NECK,
    BodyArea.SHOULDERS,
    BodyArea.UPPER_BACK,
    BodyArea.MID_BACK,
    BodyArea.LOWER_BACK,
    BodyArea.SPINE,
    BodyArea.BUTTOCKS,
    BodyArea.ANKLES,
]
SKIN_AREAS = PAIN_AREAS
SIDES = [
    (Side.LEFT, gettext_lazy("Left")),
    (Side.RIGHT, gettext_lazy("Right")),
    (Side.BOTH, gettext_lazy("Both sides")),
]


def area_choices(areas) -> list[tuple[str, str]]:
    return [(area.value, area.label) for area in areas]


class IntakeForm(forms.Form):
    # Asked first, so the rest of the client's messages come in it.
    language = forms.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,  # left out: the language stays as it was
        label=gettext_lazy("Language for our messages to you"),
        help_text=gettext_lazy("Reminders, links and this form come in this language."),
    )
    pregnant = forms.BooleanField(required=False, label=gettext_lazy("I am pregnant"))
    pregnancy_weeks = forms.IntegerField(
        required=False, min_value=1, max_value=42, label=gettext_lazy("Weeks of pregnancy")
    )
    pregnancy_high_risk = forms.BooleanField(
        required=False, label=gettext_lazy("My doctor called the pregnancy high-risk")
    )
    fever_or_acute_illness = forms.BooleanField(
        required=False, label=gettext_lazy("I have a fever, flu or another acute illness at the moment")
    )
    blood_clots = forms.BooleanField(
        required=False, label=gettext_lazy("I have, or may have, a blood clot (thrombosis)")
    )
    acute_spinal_inflammation = forms.BooleanField(
        required=False, label=gettext_lazy("I have an acute inflammation of the spine right now")
    )
    skin_injuries = forms.BooleanField(required=False, label=gettext_lazy("I have wounds or skin injuries"))
    skin_injury_areas = forms.MultipleChoiceField(
        required=False,
        choices=area_choices(SKIN_AREAS),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Where are the wounds or skin injuries?"),
    )
    skin_injury_note = forms.CharField(required=False, max_length=300, label=gettext_lazy("Anything to add about them"))
    recent_injury = forms.BooleanField(required=False, label=gettext_lazy("I had an injury or surgery recently"))
    recent_injury_what = forms.CharField(required=False, max_length=300, label=gettext_lazy("What was it?"))
    recent_injury_when = DateFormField(
        required=False, label=gettext_lazy("When?"), widget=forms.DateInput(attrs={"type": "date"})
    )
    recent_injury_areas = forms.MultipleChoiceField(
        required=False,
        choices=area_choices(SKIN_AREAS),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Where was the fracture or surgery?"),
    )
    osteoporosis = forms.BooleanField(required=False, label=gettext_lazy("I have osteoporosis (fragile bones)"))
    blood_thinners = forms.BooleanField(required=False, label=gettext_lazy("I take blood-thinning medication"))
    conditions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Other conditions")
    )
    medications = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Medications")
    )
    allergies = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("Allergies")
    )
    oil_or_nut_allergy = forms.BooleanField(required=False, label=gettext_lazy("I am allergic to oils or nuts"))
    prone_discomfort = forms.MultipleChoiceField(
        required=False,
        choices=area_choices(PRONE_DISCOMFORT_PLACES),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Lying on my front is uncomfortable at the"),
    )
    pressure_preference = forms.ChoiceField(
        required=False,
        choices=HealthScreening.PressurePreference.choices,
        widget=forms.RadioSelect,
        label=gettext_lazy("Pressure I prefer"),
    )
    consent_treatment = forms.BooleanField(label=gettext_lazy("I agree to the massage treatment"))
    consent_health_data = forms.BooleanField(
        label=gettext_lazy("I agree that the salon stores these health answers for my treatment")
    )
    consent_name = forms.CharField(max_length=160, label=gettext_lazy("Type your full name to sign"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(PAIN_ROWS):
            self.fields[f"pain_area_{row}"] = forms.ChoiceField(
                required=False,
                choices=[("", "—"), *area_choices(PAIN_AREAS)],
                label=_("Place %(number)s") % {"number": row + 1},
            )
            self.fields[f"pain_side_{row}"] = forms.ChoiceField(
                required=False, choices=[("", "—"), *SIDES], label=_("Side %(number)s") % {"number": row + 1}
            )
            self.fields[f"pain_intensity_{row}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=10,
                label=_("How strong, 0 to 10 (%(number)s)") % {"number": row + 1},
            )
            self.fields[f"pain_note_{row}"] = forms.CharField(
                required=False, max_length=200, label=_("Note %(number)s") % {"number": row + 1}
            )

    def pain_rows(self):
        """The bound fields of each pain-map row, for the template."""
        return [
            {
                "number": row + 1,
                "area": self[f"pain_area_{row}"],
                "side": self[f"pain_side_{row}"],
                "intensity": self[f"pain_intensity_{row}"],
                "note": self[f"pain_note_{row}"],
            }
            for row in range(PAIN_ROWS)
        ]

    def clean(self):
        data = super().clean()
        pain_map = []
        for row in range(PAIN_ROWS):
            area = data.get(f"pain_area_{row}")
            side = data.get(f"pain_side_{row}")
            intensity = data.get(f"pain_intensity_{row}")
            if not area and intensity is None:
                continue
            if not area:
                self.add_error(f"pain_area_{row}", _("Choose where it hurts."))
                continue
            if intensity is None:
                self.add_error(f"pain_intensity_{row}", _("Say how strong it is, from 0 to 10."))
                continue
            pain_map.append(
                {
                    "area": area,
                    "side": side or Side.BOTH,
                    "intensity": intensity,
                    "note": data.get(f"pain_note_{row}", ""),
                }
            )
        if data.get("pregnant") and not data.get("pregnancy_weeks"):
            self.add_error("pregnancy_weeks", _("Tell us how many weeks, so we can choose the right massage."))
        if data.get("skin_injury_areas") and not data.get("skin_injuries"):
            self.add_error("skin_injuries", _("Tick this if you marked places with wounds."))
        if data.get("skin_injuries") and not data.get("skin_injury_areas"):
            self.add_error("skin_injury_areas", _("Say where the wound or skin injury is, so it can be kept clear."))
        data["pain_map"] = pain_map
        return data

    def answers(self) -> dict:
        """The cleaned answers in the shape ``screening_create`` takes."""
        data = self.cleaned_data
        return {name: data[name] for name in HealthScreening.ANSWER_FIELDS}


class PainTodayForm(forms.Form):
    """How much it hurts today and where, asked with the intake answers and
    with "nothing has changed" before a session; both optional."""

    pain_today = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=10,
        label=gettext_lazy("How much does it hurt today, 0 (not at all) to 10 (worst)?"),
    )
    pain_today_areas = forms.MultipleChoiceField(
        required=False,
        choices=area_choices(PAIN_AREAS),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Where?"),
    )

    def clean(self):
        data = super().clean()
        if data.get("pain_today_areas") and data.get("pain_today") is None and "pain_today" not in self.errors:
            self.add_error("pain_today", _("Say how much it hurts, from 0 to 10."))
        return data

    def answer(self) -> dict | None:
        """The answer in the shape the intake services take, or None when not given."""
        if self.cleaned_data.get("pain_today") is None:
            return None
        return {"pain_before": self.cleaned_data["pain_today"], "areas": self.cleaned_data["pain_today_areas"]}


class ClientContactForm(forms.Form):
    """A client's contact details and consents, as the desk edits them. The
    service normalises the phone number and checks the rest."""

    given_name = forms.CharField(max_length=80, label=gettext_lazy("Given name"))
    family_name = forms.CharField(max_length=80, label=gettext_lazy("Family name"))
    email = forms.EmailField(required=False, label=gettext_lazy("Email"))
    phone = forms.CharField(
        required=False,
        max_length=40,
        label=gettext_lazy("Phone"),
        help_text=gettext_lazy(
            "With the country code, e.g. +49 30 1234567; without one it is read as this location's country's."
        ),
    )
    date_of_birth = DateFormField(
        required=False,
        label=gettext_lazy("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    preferred_channel = forms.ChoiceField(
        choices=Client.Channel.choices, widget=forms.RadioSelect, label=gettext_lazy("Messages go by")
    )
    language = forms.ChoiceField(
        choices=[("", gettext_lazy("The location's language")), *settings.LANGUAGES],
        required=False,
        label=gettext_lazy("Language"),
        help_text=gettext_lazy("Messages, forms and links for the client are in it."),
    )
    consent_reminders = forms.BooleanField(required=False, label=gettext_lazy("Agrees to appointment reminders"))
    consent_feedback = forms.BooleanField(
        required=False, label=gettext_lazy("Agrees to feedback requests after a visit")
    )
    front_desk_notes = forms.CharField(
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Front-desk notes"),
        help_text=gettext_lazy(
            "For booking: preferences, how to reach them. No health information: that belongs in the screening."
        ),
    )

    CONTACT_FIELDS = ["given_name", "family_name", "email", "phone", "date_of_birth", "language"]
    field_order = [
        "given_name", "family_name", "email", "phone", "date_of_birth", "language", "preferred_channel",
        "consent_reminders", "consent_feedback", "front_desk_notes",
    ]  # fmt: skip

    @staticmethod
    def initial_for(client: Client) -> dict:
        return {name: getattr(client, name) for name in ClientContactForm.base_fields}

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and "email" not in self.errors:
            self.add_error("email", _("Give an email address or a phone number."))
        return data

    def changes(self) -> dict:
        """What was changed, in the shape ``client_update`` takes: a field
        left alone is not written back over someone else's change."""
        return {name: self.cleaned_data[name] for name in self.changed_data}
