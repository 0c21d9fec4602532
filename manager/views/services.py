"""The service menu: each routine's lengths and prices at the location, its
description for clients, its turnover and whether clients may book it
online."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from routines.selectors import routine_list, routine_spec, routines_withheld, service_menu
from routines.services import service_set
from salon.errors import DomainError, InvalidInput, error_words, http_status
from salon.locations import location_for
from salon.money import money_parse, money_plain
from salon.roles import Role, role_required

BLANK_LENGTH_ROWS = 3
# Lengths salons commonly sell; offered as suggestions in the minutes fields.
USUAL_LENGTHS = (30, 45, 60, 75, 90, 120)


class ServiceForm(forms.Form):
    offered = forms.BooleanField(label=gettext_lazy("Offered at this location"), required=False)
    description = forms.CharField(
        label=gettext_lazy("Description for clients"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("A sentence or two clients read when they book. No health advice."),
    )
    turnover_minutes = forms.IntegerField(
        label=gettext_lazy("Turnover after the session (minutes)"),
        required=False,
        min_value=0,
        max_value=120,
        help_text=gettext_lazy("Fresh towels, oil and the table. Leave empty for the routine's own."),
    )
    online = forms.BooleanField(label=gettext_lazy("Clients may book it online"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        # The description in each language the product speaks: clients
        # reading it see that one; left empty, the description above.
        for code, name in settings.LANGUAGES:
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description for clients reading %(language)s") % {"language": name},
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def translation_fields(self) -> list:
        return [self[f"description_{code}"] for code, _name in settings.LANGUAGES]

    def translations(self) -> dict:
        """The descriptions given per language, as the menu keeps them."""
        given = {code: self.cleaned_data.get(f"description_{code}", "").strip() for code, _name in settings.LANGUAGES}
        return {code: {"description": text} for code, text in given.items() if text}

    def menu_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if not name.startswith("description_")}

    @staticmethod
    def initial_translations(translations: dict) -> dict:
        return {
            f"description_{code}": (translations.get(code) or {}).get("description", "")
            for code, _name in settings.LANGUAGES
        }


class LengthForm(forms.Form):
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), required=False, min_value=1, max_value=480)
    price = forms.CharField(label=gettext_lazy("Price"), required=False, max_length=20)
    remove = forms.BooleanField(label=gettext_lazy("Remove"), required=False)

    def __init__(self, *args, currency: str, shortest: int, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.currency = currency
        self.fields["price"].label = _("Price (%(currency)s)") % {"currency": currency}
        self.fields["minutes"].widget.attrs.update({"list": "usual-lengths", "min": shortest})
        self.fields["price"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self):
        data = super().clean()
        if data.get("remove") or (data.get("minutes") is None and not data.get("price")):
            data["wanted"] = None
            return data
        if data.get("minutes") is None:
            self.add_error("minutes", _("Give the length in minutes, or clear the price."))
        if not data.get("price"):
            self.add_error("price", _("Give the price of this length."))
        elif "price" not in self.errors:
            try:
                data["price_minor"] = money_parse(data["price"], currency=self.currency, field="price")
            except InvalidInput as error:
                self.add_error("price", error.detail)
        data["wanted"] = None if self.errors else (data["minutes"], data["price_minor"])
        return data


LengthFormSet = forms.formset_factory(LengthForm, extra=0)


def _routine(slug: str):
    routine = routine_list().filter(slug=slug).first()
    if routine is None:
        raise Http404(_("No such routine."))
    return routine


@role_required(Role.MANAGER)
def service_list(request):
    salon = location_for(request.user)
    menu = service_menu(salon=salon)
    withheld = routines_withheld(salon=salon)
    rows = [
        {
            "routine": routine,
            "spec": routine_spec(routine),
            "entry": menu.get(routine.slug),
            "offered": routine.slug not in withheld,
        }
        for routine in routine_list()
    ]
    context = {"salon": salon, "rows": rows, "manage_section": "services"}
    return render(request, "manager/services.html", context)


def _service_page(request, *, salon, routine, form, lengths, problem="", status=200):
    context = {
        "salon": salon,
        "routine": routine,
        "spec": routine_spec(routine),
        "form": form,
        "lengths": lengths,
        "usual_lengths": USUAL_LENGTHS,
        "problem": problem,
        "manage_section": "services",
    }
    return render(request, "manager/service_edit.html", context, status=status)


def _length_forms(salon, spec, *, data=None, initial=None):
    kwargs = {"currency": salon.currency, "shortest": spec.minimum_minutes}
    if data is not None:
        return LengthFormSet(data, prefix="lengths", form_kwargs=kwargs)
    rows = [*(initial or []), *({} for _ in range(BLANK_LENGTH_ROWS))]
    return LengthFormSet(initial=rows, prefix="lengths", form_kwargs=kwargs)


def _show_length_errors(lengths, sent: list[int], error: DomainError) -> bool:
    """Put the service's ``lengths.<i>.<field>`` errors on the rows they came
    from (``sent`` maps the i-th length given to its row). True if any was placed."""
    placed = False
    for name, words in error.fields.items():
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "lengths":
            form = lengths.forms[sent[int(parts[1])]]
            form.add_error("price" if parts[2] == "price_minor" else "minutes", words)
            placed = True
    return placed


@role_required(Role.MANAGER)
def service_edit(request, slug: str):
    salon = location_for(request.user)
    routine = _routine(slug)
    spec = routine_spec(routine)
    if request.method != "POST":
        entry = service_menu(salon=salon).get(routine.slug)
        form = ServiceForm(
            initial={
                "offered": routine.slug not in routines_withheld(salon=salon),
                "description": entry.description if entry else "",
                "turnover_minutes": entry.turnover_minutes if entry else None,
                "online": entry.online if entry else False,
                **ServiceForm.initial_translations(entry.translations if entry else {}),
            }
        )
        prices = entry.prices if entry else {}
        initial = [
            {"minutes": minutes, "price": money_plain(price, currency=salon.currency)}
            for minutes, price in prices.items()
        ]
        return _service_page(request, salon=salon, routine=routine, form=form, lengths=_length_forms(salon, spec,
                             initial=initial))  # fmt: skip

    form = ServiceForm(request.POST)
    lengths = _length_forms(salon, spec, data=request.POST)
    if not (form.is_valid() and lengths.is_valid()):
        return _service_page(request, salon=salon, routine=routine, form=form, lengths=lengths, status=400)
    sent = [index for index, length in enumerate(lengths.forms) if length.cleaned_data.get("wanted")]
    try:
        service_set(
            salon=salon,
            routine=routine,
            lengths=[lengths.forms[index].cleaned_data["wanted"] for index in sent],
            translations=form.translations(),
            **form.menu_fields(),
        )
    except DomainError as error:
        placed = _show_length_errors(lengths, sent, error)
        for name in ("online", "description", "turnover_minutes"):
            if name in error.fields:
                form.add_error(name, error.fields[name])
                placed = True
        if "translations" in error.fields:
            form.add_error(None, error.fields["translations"])
            placed = True
        problem = "" if placed else error_words(error)
        return _service_page(
            request, salon=salon, routine=routine, form=form, lengths=lengths, problem=problem,
            status=http_status(error),
        )  # fmt: skip
    messages.success(
        request, _("Saved %(routine)s at %(location)s.") % {"routine": routine.name, "location": salon.name}
    )
    return redirect("manage-services")


urlpatterns = [
    path("manage/services/", service_list, name="manage-services"),
    path("manage/services/<slug:slug>/", service_edit, name="manage-service"),
]
