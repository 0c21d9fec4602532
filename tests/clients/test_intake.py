"""The intake form clients open from a link, without an account."""

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from clients.models import ClientLink, HealthScreening
from clients.services import client_link_create
from salon.roles import Role
from tests.factories import ClientFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_ANSWERS = {
    "consent_treatment": "on",
    "consent_health_data": "on",
    "consent_name": "Sabine Krüger",
    "oil_or_nut_allergy": "on",
    "allergies": "Almonds",
    "prone_discomfort": ["neck"],
    "pain_area_0": "lower_back",
    "pain_side_0": "left",
    "pain_intensity_0": "8",
    "pain_note_0": "after driving",
}


@pytest.fixture
def link_url():
    client = ClientFactory(given_name="Sabine")
    _, url = client_link_create(client=client, purpose=ClientLink.Purpose.INTAKE)
    return url.removeprefix("http://127.0.0.1:8000")


def open_link(client, url):
    first = client.get(url)
    assert first.status_code == 302
    assert first["Location"] == "/forms/intake/"
    return client.get(first["Location"])


def test_the_token_leaves_the_address_bar_and_the_page_is_private(client, link_url):
    page = open_link(client, link_url)

    assert page.status_code == 200
    assert "Hello Sabine" in page.content.decode()
    assert page.request["PATH_INFO"] == "/forms/intake/"
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    assert page.content.decode().count('name="link" value="') == 1  # a new client's one form names its link


def test_submitting_stores_the_screening_once_and_spends_the_link(client, link_url):
    open_link(client, link_url)

    done = client.post("/forms/intake/", GOOD_ANSWERS)

    assert done.status_code == 200
    assert "Thank you" in done.content.decode()
    screening = HealthScreening.objects.get()
    assert screening.entered_via == "client_link"
    assert screening.pain_map == [{"area": "lower_back", "side": "left", "intensity": 8, "note": "after driving"}]
    assert screening.prone_discomfort == ["neck"]
    assert client.post("/forms/intake/", GOOD_ANSWERS).status_code == 404  # the session forgot the link
    again = client.get(link_url)
    assert again.status_code == 410
    assert "Already done" in again.content.decode()
    assert HealthScreening.objects.count() == 1


def test_a_tampered_link_gets_a_friendly_page(client, link_url):
    token = link_url.split("/")[-2]

    response = client.get(f"/forms/intake/{token[:-3]}abc/")

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_token_signed_for_another_purpose_is_refused(client):
    forged = signing.dumps("whatever", salt="salon.clients.link.feedback")

    assert client.get(f"/forms/intake/{forged}/").status_code == 404


def test_an_expired_link_gets_a_friendly_page(client, link_url):
    ClientLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = client.get(link_url)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


def test_a_link_that_expires_while_the_form_is_open_is_refused_on_submit(client, link_url):
    open_link(client, link_url)
    ClientLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))

    response = client.post("/forms/intake/", GOOD_ANSWERS)

    assert response.status_code == 410
    assert HealthScreening.objects.count() == 0


def test_the_form_alone_without_a_link_is_refused(client):
    response = client.get("/forms/intake/")

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_a_validation_error_keeps_everything_typed_and_marks_the_fields(client, link_url):
    open_link(client, link_url)
    answers = {**GOOD_ANSWERS, "consent_health_data": "", "pain_intensity_0": "14", "pregnant": "on"}

    response = client.post("/forms/intake/", answers)

    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html
    assert 'value="Sabine Krüger"' in html
    assert "Almonds</textarea>" in html
    assert 'value="14"' in html
    assert 'aria-invalid="true"' in html
    assert "Tell us how many weeks" in html
    assert HealthScreening.objects.count() == 0
    assert ClientLink.objects.get().used_at is None


def test_staff_create_a_link_through_the_api(api_client):
    client = ClientFactory()
    api_client.force_authenticate(UserFactory(roles=[Role.RECEPTIONIST]))

    response = api_client.post(f"/api/v1/clients/{client.pk}/intake-link/")

    assert response.status_code == 201
    assert response.json()["url"].startswith("http://127.0.0.1:8000/forms/intake/")


def test_therapists_do_not_send_links(api_client):
    client = ClientFactory()
    api_client.force_authenticate(UserFactory(roles=[Role.THERAPIST]))

    assert api_client.post(f"/api/v1/clients/{client.pk}/intake-link/").status_code == 403


def test_a_cross_site_post_is_refused(client, link_url):
    open_link(client, link_url)

    response = client.post("/forms/intake/", GOOD_ANSWERS, headers={"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 403
    assert HealthScreening.objects.count() == 0


def test_the_session_cookie_stays_on_this_site(settings):
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_a_returning_client_confirms_that_nothing_has_changed(client):
    from tests.factories import screening_for

    person = ClientFactory()
    earlier = screening_for(person, pressure_preference="light")
    _, url = client_link_create(client=person, purpose=ClientLink.Purpose.INTAKE)
    page = open_link(client, url.removeprefix("http://127.0.0.1:8000"))
    assert "Nothing has changed" in page.content.decode()

    done = client.post("/forms/intake/", {"action": "confirm_unchanged"})

    assert "Thank you" in done.content.decode()
    earlier.refresh_from_db()
    assert earlier.confirmed_at is not None
    assert HealthScreening.objects.filter(client=person).count() == 1
    assert ClientLink.objects.get(client=person).used_at is not None


def test_a_first_time_client_is_not_offered_the_shortcut(client, link_url):
    page = open_link(client, link_url)

    assert "Nothing has changed" not in page.content.decode()


def test_confirming_without_an_earlier_screening_asks_for_answers(client, link_url):
    open_link(client, link_url)

    response = client.post("/forms/intake/", {"action": "confirm_unchanged"})

    assert response.status_code == 400
    assert "nothing to confirm yet" in response.content.decode()
    assert ClientLink.objects.get().used_at is None
