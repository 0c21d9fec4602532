"""The client's feedback form, from the link in the feedback request (no login)."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext
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
from salon.errors import DomainError, error_words
from sessions.models import Appointment, Feedback
from sessions.services import feedback


def overall_choices() -> list[tuple[int, str]]:
    """Worded when the form is shown, in the client's language."""
    return [(n, gettext("%(stars)s of 5") % {"stars": n}) for n in range(5, 0, -1)]


class FeedbackForm(forms.Form):
    overall = forms.TypedChoiceField(
        label=_("How was your massage overall?"), coerce=int, widget=forms.RadioSelect,
        choices=overall_choices,
    )  # fmt: skip
    pain_before = forms.IntegerField(
        label=_("Pain before the massage (0–10)"), required=False, min_value=0, max_value=10
    )
    pain_after = forms.IntegerField(label=_("Pain after the massage (0–10)"), required=False, min_value=0, max_value=10)
    pressure = forms.ChoiceField(
        label=_("The pressure was"), required=False, widget=forms.RadioSelect, choices=Feedback.Pressure.choices
    )
    would_book_again = forms.TypedChoiceField(
        label=_("Would you book again?"), required=False, widget=forms.RadioSelect, empty_value=None,
        coerce=lambda value: value == "yes", choices=[("yes", _("Yes")), ("no", _("No"))],
    )  # fmt: skip
    comment = forms.CharField(
        label=_("Anything else?"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, pain_before_known: bool = False, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)
        if pain_before_known:
            # Told in the intake step before the session: not asked twice.
            del self.fields["pain_before"]


@private
@throttled_per_address(purpose=ClientLink.Purpose.FEEDBACK)
@require_http_methods(["GET"])
def feedback_link(request, token):
    return link_landing(request, token, purpose=ClientLink.Purpose.FEEDBACK, form_url="feedback-form")


@private
@csrf_exempt  # see clients.views.same_site_posts_only
@throttled_per_address(purpose=ClientLink.Purpose.FEEDBACK)
@same_site_posts_only(purpose=ClientLink.Purpose.FEEDBACK)
@require_http_methods(["GET", "POST"])
def feedback_form(request):
    try:
        link = link_in_session(request, purpose=ClientLink.Purpose.FEEDBACK)
    except LinkRefused as refused:
        return refused_page(request, refused, purpose=ClientLink.Purpose.FEEDBACK)
    appointment = (
        Appointment.objects.select_related("routine", "client", "room__salon", "pain_report")
        .filter(pk=link.reference)
        .first()
    )
    if appointment is None:
        return refused_page(request, LinkInvalid(_("No such appointment.")), purpose=ClientLink.Purpose.FEEDBACK)
    client_language_use(request, client=appointment.client, salon=appointment.room.salon)
    form = FeedbackForm(request.POST or None, pain_before_known=hasattr(appointment, "pain_report"))
    problem = ""
    if request.method == "POST" and form.is_valid():
        answers = {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
        try:
            feedback.feedback_submit(link=link, answers=answers)
        except LinkRefused as refused:
            return refused_page(request, refused, purpose=ClientLink.Purpose.FEEDBACK)
        except DomainError as error:
            problem = error_words(error)
        else:
            link_finished(request, purpose=ClientLink.Purpose.FEEDBACK)
            return render(request, "sessions/feedback_thanks.html", {"salon": appointment.room.salon})
    return render(
        request,
        "sessions/feedback_form.html",
        {"form": form, "appointment": appointment, "problem": problem, "link": link},
        status=400 if form.errors or problem else 200,
    )
