"""The report's period and where: read from the address (GET), so that a
report can be bookmarked and its CSV links repeat it exactly."""

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from reports.selectors import LONGEST_PERIOD_DAYS, PRESETS, Period, period_preset
from salon.inputs import DateFormField

SCOPES = {"here": gettext_lazy("This location"), "all": gettext_lazy("All my locations")}


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=list(PRESETS.items()), initial="this_week")
    # Read only for chosen days; the page says so beside the labels.
    first_day = DateFormField(
        label=gettext_lazy("First day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = DateFormField(
        label=gettext_lazy("Last day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    scope = forms.ChoiceField(label=gettext_lazy("Where"), choices=list(SCOPES.items()), initial="here", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("period") != "custom":
            return data
        first, last = data.get("first_day"), data.get("last_day")
        if first is None and "first_day" not in self.errors:
            self.add_error("first_day", _("Give the first day."))
        if last is None and "last_day" not in self.errors:
            self.add_error("last_day", _("Give the last day."))
        if first and last:
            if last < first:
                self.add_error("last_day", _("The last day comes on or after the first."))
            elif (last - first).days >= LONGEST_PERIOD_DAYS:
                self.add_error(
                    "last_day",
                    ngettext("Choose at most %(days)s day.", "Choose at most %(days)s days.", LONGEST_PERIOD_DAYS)
                    % {"days": LONGEST_PERIOD_DAYS},
                )
        return data

    def chosen_period(self, *, today: datetime.date) -> Period:
        data = self.cleaned_data
        if data["period"] == "custom":
            return Period(data["first_day"], data["last_day"] + datetime.timedelta(days=1))
        return period_preset(data["period"], today=today)
