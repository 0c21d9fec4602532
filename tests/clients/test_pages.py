import pytest

from salon.roles import Role
from tests.factories import ClientFactory, UserFactory, screening_for

pytestmark = pytest.mark.django_db


def login(client, role, password):
    user = UserFactory(roles=[role])
    client.login(username=user.username, password=password)
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
