from django import forms

from salon.inputs import DateFormField


class ManagerForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)


class ClosureForm(ManagerForm):
    first_day = DateFormField(label="First day closed", widget=forms.DateInput(attrs={"type": "date"}))
    last_day = DateFormField(label="Last day closed", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="Reason (optional)", max_length=200, required=False)


class SpecialHoursForm(ManagerForm):
    day = DateFormField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    opens = forms.TimeField(label="Opens", widget=forms.TimeInput(attrs={"type": "time"}))
    closes = forms.TimeField(label="Closes", widget=forms.TimeInput(attrs={"type": "time"}))
    reason = forms.CharField(label="Reason (optional)", max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("opens") and data.get("closes") and data["closes"] <= data["opens"]:
            self.add_error("closes", "Closing comes after opening.")
        return data
