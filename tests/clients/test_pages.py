import pytest

from salon.roles import Role
from tests.factories import ClientFactory, UserFactory, screening_for
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def login(client, role, password):
    user = UserFactory(roles=[role])
    sign_in(client, user)
    return user


def test_the_front_desk_sees_contact_visits_and_flags_but_no_answers(client, password):
    person = ClientFactory(given_name="Sabine", family_name="Krüger", email="sabine@example.com")
    screening_for(person, allergies="almond oil", oil_or_nut_allergy=True)
    login(client, Role.RECEPTIONIST, password)

    html = client.get(f"/clients/{person.pk}/").content.decode()

    assert "sabine@example.com" in html
    assert "Needs therapist review" in html
    assert "No visits yet." in html
    assert "almond" not in html
    assert "Health screening" not in html


def test_a_manager_sees_the_answers_and_the_read_is_logged(client, password):
    from clients.models import HealthDataAccess

    person = ClientFactory()
    screening_for(
        person, allergies="almond oil", pain_map=[{"area": "neck", "side": "left", "intensity": 6, "note": ""}]
    )
    login(client, Role.MANAGER, password)

    response = client.get(f"/clients/{person.pk}/")

    html = response.content.decode()
    assert "almond oil" in html
    assert "Neck (left): 6/10" in html
    assert response["Cache-Control"] == "no-store"
    assert HealthDataAccess.objects.filter(client=person, action="view").count() == 1


def test_search_page_finds_clients_and_answers_htmx_with_the_results_only(client, password):
    ClientFactory(given_name="Thomas", family_name="Müller")
    login(client, Role.RECEPTIONIST, password)

    page = client.get("/clients/?q=mull")
    fragment = client.get("/clients/?q=mull", headers={"HX-Request": "true"})

    assert "Müller, Thomas" in page.content.decode()
    assert "<h1>" in page.content.decode()
    assert "Müller, Thomas" in fragment.content.decode()
    assert "<h1>" not in fragment.content.decode()


def test_the_client_page_shows_who_cleared_or_marked_what_and_when(client, password):
    from clients.services import screening_areas_mark, screening_clear
    from salon.roles import Role
    from tests.factories import ClientFactory, UserFactory, screening_for

    person = ClientFactory(given_name="Henrik")
    screening = screening_for(person, acute_spinal_inflammation=True)
    manager = UserFactory(username="clara", first_name="Clara", last_name="Brandt", roles=[Role.MANAGER])
    screening_clear(screening=screening, rule="acute_spinal_inflammation", cleared_by=manager, note="GP letter seen")
    screening_areas_mark(screening=screening, areas=["mid_back", "neck"], marked_by=manager, note="Bruise")
    sign_in(client, manager)

    html = client.get(f"/clients/{person.pk}/").content.decode()

    assert "Clara Brandt:" in html
    assert "cleared “acute spinal inflammation”, until" in html
    assert "keep away from the neck, mid back — Bruise" in html
    assert "<strong>info</strong>" not in html  # severities in words
