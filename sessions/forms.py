"""Forms the sessions app shares with the pages of other apps."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sessions.services.waitlist import WINDOWS

DATE_INPUT = {"input_formats": ["%Y-%m-%d"], "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class WaitlistWishForm(forms.Form):
    """What someone on the waitlist wants, as the desk and the online page
    both ask it: the days, the times of day and who they are. Each page adds
    its own service, therapist and address fields."""

    first_day = forms.DateField(label=_("From"), **DATE_INPUT)
    last_day = forms.DateField(label=_("To"), **DATE_INPUT)
    windows = forms.MultipleChoiceField(
        label=_("Times of day"),
        required=False,
        choices=[(key, label) for key, (label, _, _) in WINDOWS.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: any time of day."),
    )
    given_name = forms.CharField(label=_("First name"), max_length=80)
    family_name = forms.CharField(label=_("Last name"), max_length=80)

    def wish_fields(self) -> dict:
        """The days, the windows (as the waitlist service takes them) and the names."""
        data = self.cleaned_data
        return {
            "first_day": data["first_day"],
            "last_day": data["last_day"],
            "windows": [{"from": WINDOWS[key][1], "to": WINDOWS[key][2]} for key in data["windows"]],
            "given_name": data["given_name"],
            "family_name": data["family_name"],
        }
