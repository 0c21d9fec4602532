"""The intake form speaks the client's language (their own, else their
location's), whatever the browser asks for, and asks which language they
want to be written to in."""

import pytest

from clients.models import Client, ClientLink, HealthScreening
from clients.services import client_link_create
from tests.factories import ClientFactory, SalonFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "consent_treatment": "on",
    "consent_health_data": "on",
    "consent_name": "Sabine Krüger",
    "pain_area_0": "lower_back",
    "pain_side_0": "left",
    "pain_intensity_0": "6",
}
# Phrases of the English form that must not be left on the German one.
ENGLISH = ["Before your massage", "Hello Sabine", "I am pregnant", "Your health", "Send my answers", "Both sides"]


def intake_page(browser, person: Client, **headers):
    _, url = client_link_create(client=person, purpose=ClientLink.Purpose.INTAKE)
    landing = browser.get(url.removeprefix("http://127.0.0.1:8000"), **headers)
    assert landing.status_code == 302
    return browser.get(landing["Location"], **headers)


def test_a_german_client_gets_the_form_in_german_though_the_browser_asks_for_english(client):
    # Given a client who reads German, opening the link in an English browser
    sabine = ClientFactory(given_name="Sabine", language="de")

    page = intake_page(client, sabine, HTTP_ACCEPT_LANGUAGE="en")

    # Then the page is German, and says so
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Content-Language"] == "de"
    assert '<html lang="de">' in html
    assert "Vor Ihrer Massage" in html
    assert "Guten Tag, Sabine!" in html
    assert "Ich bin schwanger" in html
    assert "Beide Seiten" in html
    assert "Antworten absenden" in html
    for phrase in ENGLISH:
        assert phrase not in html
    # The values sent back are the codes, in any language
    assert '<option value="lower_back">' in html
    assert '<option value="both">Beide Seiten</option>' in html


def test_a_client_without_a_language_gets_the_locations(client):
    # Given a business whose location writes German, and a client who never chose
    berlin = SalonFactory(language="de")
    person = ClientFactory(salon=berlin, given_name="Sabine")
    assert person.language == ""

    page = intake_page(client, person)

    assert "Vor Ihrer Massage" in page.content.decode()
    assert page["Content-Language"] == "de"


def test_an_english_client_gets_english_even_in_a_german_browser(client):
    person = ClientFactory(given_name="Sabine", language="en")

    page = intake_page(client, person, HTTP_ACCEPT_LANGUAGE="de")

    assert "Before your massage" in page.content.decode()
    assert page["Content-Language"] == "en"


def test_the_form_asks_for_the_language_with_the_clients_own_chosen(client):
    sabine = ClientFactory(given_name="Sabine", language="de")

    html = intake_page(client, sabine).content.decode()

    assert "In welcher Sprache sollen wir Ihnen schreiben?" in html
    assert '<option value="de" selected>Deutsch</option>' in html


def test_choosing_another_language_stores_it_and_thanks_in_it(client):
    # Given a German client at an English location
    sabine = ClientFactory(given_name="Sabine", language="de")
    intake_page(client, sabine)

    # When she answers and asks for English from now on
    done = client.post("/forms/intake/", {**ANSWERS, "language": "en"})

    # Then her record says English, the thanks are in English and the answers are stored as codes
    assert done.status_code == 200
    assert "Thank you" in done.content.decode()
    sabine.refresh_from_db()
    assert sabine.language == "en"
    screening = HealthScreening.objects.get(client=sabine)
    assert screening.pain_map == [{"area": "lower_back", "side": "left", "intensity": 6, "note": ""}]


def test_answers_without_the_language_field_leave_the_language_as_it_was(client):
    sabine = ClientFactory(given_name="Sabine", language="de")
    intake_page(client, sabine)

    done = client.post("/forms/intake/", ANSWERS)

    assert done.status_code == 200
    assert "Vielen Dank" in done.content.decode()
    sabine.refresh_from_db()
    assert sabine.language == "de"


def test_a_language_the_product_does_not_have_is_refused_and_nothing_is_stored(client):
    sabine = ClientFactory(given_name="Sabine", language="de")
    intake_page(client, sabine)

    refused = client.post("/forms/intake/", {**ANSWERS, "language": "xx"})

    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Bitte prüfen Sie diese Angaben" in html
    assert 'href="#id_language"' in html  # the summary names the field
    assert not HealthScreening.objects.exists()
    sabine.refresh_from_db()
    assert sabine.language == "de"


def test_the_forms_own_errors_are_german_for_a_german_client(client):
    sabine = ClientFactory(given_name="Sabine", language="de")
    intake_page(client, sabine)

    refused = client.post("/forms/intake/", {**ANSWERS, "pregnant": "on", "pain_intensity_0": ""})

    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Bitte nennen Sie uns die Schwangerschaftswoche" in html
    assert "Bitte geben Sie an, wie stark es ist, von 0 bis 10." in html
    assert "Tell us how many weeks" not in html


def test_keeping_the_language_shown_leaves_a_client_without_one_following_the_location(client):
    # Given a client who never chose, at a German location: the form shows German preselected
    person = ClientFactory(salon=SalonFactory(language="de"), given_name="Sabine")
    intake_page(client, person)

    # When they send it as it stands
    done = client.post("/forms/intake/", {**ANSWERS, "language": "de"})

    # Then nothing is stored: a later change of the location's language reaches them too
    assert done.status_code == 200
    person.refresh_from_db()
    assert person.language == ""
