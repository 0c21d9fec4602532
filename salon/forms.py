from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        error_messages={"required": _("Enter the code."), "max_length": _("That is longer than any code.")},
    )


class LanguageForm(forms.Form):
    """The language a member of staff reads the pages in."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As my browser asks")), *settings.LANGUAGES],
        required=False,
        help_text=_("Without a choice, the language your browser asks for, else your location's."),
    )
