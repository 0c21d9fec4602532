"""The desk's waitlist at /desk/waitlist/: who waits at the current
location (the switcher's), with the offers made to them; the front desk
adds someone (a client on the phone) or takes an entry off the list."""

import datetime

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from salon.errors import DomainError, NotFound, error_words, http_status
from salon.inputs import parse_id
from salon.locations import location_for
from salon.models import Salon
from salon.roles import role_required
from salon.selectors import salon_today
from sessions.availability import therapists_at
from sessions.desk_views import FRONT_DESK, desk_services, service_chosen
from sessions.forms import WaitlistWishForm
from sessions.models import WaitlistEntry
from sessions.services.waitlist import waiting_entries, waitlist_join, waitlist_withdraw


class DeskWaitlistForm(WaitlistWishForm):
    service = forms.ChoiceField(label=_("Service"))
    therapist = forms.TypedChoiceField(label=_("Therapist"), coerce=int, empty_value=None, required=False)
    email = forms.EmailField(label=_("Email"), max_length=254, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, help_text=_("Email or phone: offers go there.")
    )

    def __init__(self, *args, salon: Salon, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        self.services = desk_services(salon)
        self.fields["service"].choices = [(service.value, service.label) for service in self.services]
        self.therapists = list(therapists_at(salon).order_by("display_name"))
        self.fields["therapist"].choices = [("", gettext("Anyone"))] + [(t.pk, t.display_name) for t in self.therapists]

    def entry_fields(self) -> dict:
        data = self.cleaned_data
        service = service_chosen(self.services, data["service"])
        return {
            "routine": service.routine,
            "minutes": service.minutes,
            "therapist": next((t for t in self.therapists if t.pk == data["therapist"]), None),
            **self.wish_fields(),
            "email": data["email"],
            "phone": data["phone"],
        }


def _page(request, salon: Salon, form: DeskWaitlistForm, *, status: int = 200, problem: str = ""):
    context = {"salon": salon, "form": form, "entries": waiting_entries(salon=salon), "problem": problem}
    return render(request, "sessions/waitlist.html", context, status=status)


@role_required(*FRONT_DESK)
@require_http_methods(["GET", "POST"])
def desk_waitlist(request):
    """GET: the list and the form to add to it. POST: ``action=add`` with
    the form's fields, or ``action=withdraw`` with ``entry``."""
    salon = location_for(request.user)
    if request.method == "GET":
        today = salon_today(salon)
        initial = {"first_day": today, "last_day": today + datetime.timedelta(days=7)}
        return _page(request, salon, DeskWaitlistForm(salon=salon, initial=initial))
    action = request.POST.get("action", "")
    form = DeskWaitlistForm(request.POST if action == "add" else None, salon=salon)
    try:
        if action == "withdraw":
            entry_id = parse_id(request.POST.get("entry"), field="entry")
            entry = WaitlistEntry.objects.filter(pk=entry_id, salon=salon).first() if entry_id else None
            if entry is None:
                raise NotFound(
                    gettext("No such entry on this location's waitlist."), fields={"entry": [gettext("Unknown entry.")]}
                )
            waitlist_withdraw(entry=entry)
        elif action == "add":
            if not form.is_valid():
                return _page(request, salon, form, status=400, problem=gettext("Please check the fields marked below."))
            waitlist_join(salon=salon, by=request.user, **form.entry_fields())
        else:
            return _page(
                request, salon, form, status=400, problem=gettext("Add someone or take an entry off the list.")
            )
    except DomainError as refusal:
        for name, messages in refusal.fields.items():
            if form.is_bound and name in form.fields:
                for message in messages:
                    form.add_error(name, message)
        return _page(request, salon, form, status=http_status(refusal), problem=error_words(refusal))
    return redirect("desk-waitlist")
