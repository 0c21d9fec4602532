"""Cancelling an appointment from the link in the client's messages (no login)."""

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clients.links import LinkInvalid, LinkRefused
from clients.models import ClientLink
from clients.views import (
    client_language_use,
    link_finished,
    link_in_session,
    link_landing,
    private,
    refused_page,
    same_site_posts_only,
    throttled_per_address,
)
from salon.errors import Conflict
from sessions import selectors
from sessions.models import Appointment
from sessions.services import lifecycle

PURPOSE = ClientLink.Purpose.CANCEL


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Would you tell us why? (optional)"),
        required=False,
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)


@private
@throttled_per_address(purpose=PURPOSE)
@require_http_methods(["GET"])
def cancel_link(request, token):
    return link_landing(request, token, purpose=PURPOSE, form_url="cancel-form")


@private
@csrf_exempt  # see clients.views.same_site_posts_only
@throttled_per_address(purpose=PURPOSE)
@same_site_posts_only(purpose=PURPOSE)
@require_http_methods(["GET", "POST"])
def cancel_form(request):
    try:
        link = link_in_session(request, purpose=PURPOSE)
    except LinkRefused as refused:
        return refused_page(request, refused, purpose=PURPOSE)
    appointment = (
        Appointment.objects.select_related("routine", "therapist", "client", "room__salon")
        .filter(pk=link.reference, client_id=link.client_id)
        .first()
    )
    if appointment is None:  # erased since the message went out
        return refused_page(request, LinkInvalid(_("No such appointment.")), purpose=PURPOSE)
    client_language_use(request, client=appointment.client, salon=appointment.room.salon)
    form = CancelForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.appointment_cancel_by_client(link=link, reason=form.cleaned_data["reason"])
        except LinkRefused as refused:
            return refused_page(request, refused, purpose=PURPOSE)
        except Conflict as conflict:
            problem = conflict.detail
        else:
            link_finished(request, purpose=PURPOSE)
            return render(request, "sessions/cancel_done.html", {"appointment": appointment})
    context = {
        "form": form,
        "appointment": appointment,
        "salon": appointment.room.salon,
        "deadline": selectors.client_cancel_deadline(appointment),
        "now": timezone.now(),
        "problem": problem,
        "link": link,
    }
    status = 409 if problem else 400 if form.errors else 200
    return render(request, "sessions/cancel_form.html", context, status=status)
