"""The three forms behind client links (intake, feedback, cancel) cannot use
Django's CSRF token check (browsers send ``Origin: null`` under their
no-referrer policy); a post whose ``Origin`` names another site is refused
with 403 and a page saying so, one from this site, ``null`` or none passes
(clients.views.same_site_posts_only)."""

import datetime

import pytest

from clients.models import Client, ClientLink, HealthScreening
from clients.services import client_link_create
from sessions.models import Appointment, Feedback
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import ClientFactory, screening_for
from tests.helpers import at

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def forms(salon, therapist, room, routine, tomorrow):
    """For each form: how to open it and what a good post sends, and how to see that it took effect."""
    sabine = ClientFactory(salon=salon, given_name="Sabine", family_name="Link", consent_feedback=True)
    screening_for(sabine)
    later = appointment_book(client=sabine, routine=routine, start=at(tomorrow + datetime.timedelta(days=3), 10))
    done = appointment_book(client=sabine, routine=routine, start=at(tomorrow, 12))
    for status in ("checked_in", "in_progress", "completed"):
        done = appointment_transition(appointment=done, to_status=status, now=done.start)
    return {
        "intake": (
            (ClientLink.Purpose.INTAKE, None),
            {"consent_treatment": "on", "consent_health_data": "on", "consent_name": "Sabine"},
            lambda: HealthScreening.objects.filter(client=sabine).count() == 2,
        ),
        "feedback": (
            (ClientLink.Purpose.FEEDBACK, done.pk),
            {"overall": "5"},
            lambda: Feedback.objects.filter(appointment=done).exists(),
        ),
        "cancel": (
            (ClientLink.Purpose.CANCEL, later.pk),
            {"reason": ""},
            lambda: Appointment.objects.get(pk=later.pk).status == Appointment.Status.CANCELLED,
        ),
    }


def open_form(client, forms, name) -> str:
    (purpose, reference), _, _ = forms[name]
    _, url = client_link_create(client=Client.objects.get(family_name="Link"), purpose=purpose, reference=reference)
    landing = client.get(url.removeprefix(SITE))
    assert landing.status_code == 302
    return landing["Location"]


@pytest.mark.parametrize("name", ["intake", "feedback", "cancel"])
@pytest.mark.parametrize("origin", ["https://evil.example", "http://127.0.0.1:8001", "https://testserver"])
def test_a_post_from_another_origin_is_refused_with_a_page_that_says_so(client, forms, name, origin):
    form = open_form(client, forms, name)
    _, answers, took_effect = forms[name]

    response = client.post(form, answers, headers={"Origin": origin})

    assert response.status_code == 403
    assert "Sent from another website" in response.content.decode()
    assert not took_effect()


@pytest.mark.parametrize("name", ["intake", "feedback", "cancel"])
@pytest.mark.parametrize("origin", ["http://testserver", "null", None])
def test_a_post_from_this_site_a_null_origin_or_none_passes(client, forms, name, origin):
    form = open_form(client, forms, name)
    _, answers, took_effect = forms[name]

    response = client.post(form, answers, headers={"Origin": origin} if origin else {})

    assert response.status_code == 200, response.content.decode()[:1000]
    assert took_effect()


def test_the_site_address_behind_a_proxy_counts_as_this_site(client, forms, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://salon.example"]
    form = open_form(client, forms, "feedback")
    _, answers, took_effect = forms["feedback"]

    response = client.post(form, answers, headers={"Origin": "https://salon.example"})

    assert response.status_code == 200
    assert took_effect()


def test_opening_the_form_is_not_affected_by_a_foreign_origin(client, forms):
    form = open_form(client, forms, "cancel")

    assert client.get(form, headers={"Origin": "https://evil.example"}).status_code == 200
