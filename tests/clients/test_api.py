"""The clients API by role: who gets contact data, flags, answers."""

import json

import pytest

from clients.models import Client, HealthDataAccess
from salon.roles import Role
from tests.factories import ClientFactory, SalonFactory, UserFactory, screening_answers, screening_for

pytestmark = pytest.mark.django_db

ANSWER_FIELDS = {"pain_map", "allergies", "medications", "skin_injury_areas", "pregnant", "acute_spinal_inflammation"}
HEALTH_WORDS = ["almond", "wound", "Wound", "lower back", "pregnan", "Allergic"]


@pytest.fixture
def salon():
    return SalonFactory()


@pytest.fixture
def client_with_screening(salon):
    client = ClientFactory(salon=salon, given_name="Sabine", family_name="Krüger")
    screening_for(
        client,
        skin_injuries=True,
        skin_injury_areas=["lower_back"],
        oil_or_nut_allergy=True,
        allergies="almond oil",
        pain_map=[{"area": "shoulders", "side": "left", "intensity": 7, "note": ""}],
    )
    return client


@pytest.fixture
def as_role(api_client):
    def login(role):
        api_client.force_authenticate(UserFactory(roles=[role]))
        return api_client

    return login


def test_front_desk_creates_and_finds_clients(as_role, salon):
    api = as_role(Role.RECEPTIONIST)

    created = api.post("/api/v1/clients/", {"given_name": "Felix", "family_name": "Braun", "phone": "0160 5550101"})
    found = api.get("/api/v1/clients/?q=brau")

    assert created.status_code == 201, created.json()
    assert created.json()["phone"] == "+491605550101"
    assert created.json()["possible_duplicates"] == []
    assert [client["family_name"] for client in found.json()["results"]] == ["Braun"]


def test_a_duplicate_is_created_but_flagged(as_role, salon):
    first = ClientFactory(salon=salon, email="felix@example.com")

    response = as_role(Role.RECEPTIONIST).post(
        "/api/v1/clients/", {"given_name": "Felix", "family_name": "Braun", "email": "FELIX@example.com"}
    )

    assert response.status_code == 201
    assert response.json()["possible_duplicates"] == [first.pk]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"given_name": "Felix", "family_name": "Braun"}, "email"),
        ({"given_name": "Felix", "family_name": "Braun", "phone": "12"}, "phone"),
        ({"given_name": "", "family_name": "Braun", "email": "f@example.com"}, "given_name"),
        ({"given_name": "Felix", "family_name": "Braun", "email": "not-an-email"}, "email"),
    ],
)
def test_bad_client_input_is_a_400_naming_the_field(as_role, salon, body, field):
    response = as_role(Role.RECEPTIONIST).post("/api/v1/clients/", body)

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Client.objects.count() == 0


def test_therapists_cannot_change_client_records(as_role, salon):
    client = ClientFactory(salon=salon)

    response = as_role(Role.THERAPIST).patch(f"/api/v1/clients/{client.pk}/", {"front_desk_notes": "x"})

    assert response.status_code == 403


def test_archive_hides_a_client_from_search(as_role, salon):
    client = ClientFactory(salon=salon, family_name="Lange")
    api = as_role(Role.RECEPTIONIST)

    assert api.post(f"/api/v1/clients/{client.pk}/archive/").json()["archived"] is True
    assert api.get("/api/v1/clients/?q=lange").json()["count"] == 0
    assert api.get("/api/v1/clients/?q=lange&archived=1").json()["count"] == 1


@pytest.mark.parametrize(("role", "sees_client"), [(Role.RECEPTIONIST, True), (Role.THERAPIST, False)])
def test_without_a_session_staff_never_receive_screening_answers(as_role, client_with_screening, role, sees_client):
    api = as_role(role)
    client = client_with_screening

    listing = api.get(f"/api/v1/clients/{client.pk}/screenings/")
    outcome = api.get(f"/api/v1/clients/{client.pk}/screening-outcome/")
    detail = api.get(f"/api/v1/clients/{client.pk}/")
    search = api.get("/api/v1/clients/?q=kr")

    assert listing.status_code == 403
    if sees_client:  # the front desk sees the flags
        assert outcome.status_code == 200
        assert outcome.json() == {"flags": [{"code": "needs_therapist_review", "label": "Needs therapist review"}]}
    else:  # another therapist's client is not theirs to see at all
        assert (outcome.status_code, detail.status_code, search.json()["count"]) == (403, 403, 0)
    for response in (listing, outcome, detail, search):
        text = json.dumps(response.json())
        assert not any(word in text for word in HEALTH_WORDS), text
        assert not ANSWER_FIELDS & set(response.json())
    assert not HealthDataAccess.objects.filter(action="view").exists()


def test_managers_read_answers_and_each_read_is_logged(as_role, client_with_screening):
    api = as_role(Role.MANAGER)
    client = client_with_screening

    listing = api.get(f"/api/v1/clients/{client.pk}/screenings/")
    outcome = api.get(f"/api/v1/clients/{client.pk}/screening-outcome/")

    assert listing.status_code == 200
    assert listing.json()[0]["allergies"] == "almond oil"
    assert outcome.json()["outcome"]["avoid_areas"] == ["lower_back"]
    assert outcome.json()["outcome"]["oil"].startswith("Neutral baby oil")
    log = HealthDataAccess.objects.filter(client=client, action="view")
    assert log.count() == 2
    assert {entry.actor for entry in log} == {api.handler._force_user.username}


def test_a_receptionist_can_enter_a_screening_but_gets_only_a_receipt(as_role, salon):
    client = ClientFactory(salon=salon)
    body = screening_answers(allergies="almond oil", oil_or_nut_allergy=True)

    response = as_role(Role.RECEPTIONIST).post(f"/api/v1/clients/{client.pk}/screenings/", body, format="json")

    assert response.status_code == 201
    assert set(response.json()) == {"id", "created_at", "flags"}
    assert response.json()["flags"] == [{"code": "needs_therapist_review", "label": "Needs therapist review"}]
    assert client.screenings.get().allergies == "almond oil"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consent_health_data": False}, "consent_health_data"),
        ({"pain_map": [{"area": "knee", "side": "left", "intensity": 3}]}, "pain_map.0.area"),
        ({"pain_map": [{"area": "neck", "side": "left", "intensity": 12}]}, "pain_map.0.intensity"),
        ({"skin_injury_areas": ["lower_back"]}, "skin_injury_areas"),
        ({"skin_injuries": True}, "skin_injury_areas"),  # a wound must have a place
        ({"pregnancy_weeks": 60, "pregnant": True}, "pregnancy_weeks"),
    ],
)
def test_bad_screening_input_is_a_400_naming_the_field(as_role, salon, change, field):
    client = ClientFactory(salon=salon)

    response = as_role(Role.MANAGER).post(
        f"/api/v1/clients/{client.pk}/screenings/", screening_answers(**change), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()
    assert client.screenings.count() == 0


def test_a_manager_clears_a_spinal_block(as_role, salon):
    client = ClientFactory(salon=salon)
    screening_for(client, acute_spinal_inflammation=True)
    api = as_role(Role.MANAGER)
    assert api.get(f"/api/v1/clients/{client.pk}/screening-outcome/").json()["flags"][0]["code"] == (
        "blocked_until_cleared"
    )

    response = api.post(
        f"/api/v1/clients/{client.pk}/clearance/",
        {"rule": "acute_spinal_inflammation", "note": "Settled; GP letter seen."},
    )

    assert response.status_code == 201
    assert api.get(f"/api/v1/clients/{client.pk}/screening-outcome/").json()["flags"] == []


def test_receptionists_cannot_clear(as_role, salon):
    client = ClientFactory(salon=salon)
    screening_for(client, acute_spinal_inflammation=True)

    response = as_role(Role.RECEPTIONIST).post(
        f"/api/v1/clients/{client.pk}/clearance/", {"rule": "acute_spinal_inflammation", "note": "ok"}
    )

    assert response.status_code == 403


def test_the_client_list_costs_a_fixed_number_of_queries(as_role, salon, django_assert_max_num_queries):
    for _ in range(15):
        ClientFactory(salon=salon)
    api = as_role(Role.RECEPTIONIST)

    with django_assert_max_num_queries(5):  # salon zone (cached), roles, salon, count, page
        assert api.get("/api/v1/clients/").json()["count"] == 15


def test_before_any_salon_exists_creating_a_client_is_a_clear_409(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.RECEPTIONIST]))

    response = api_client.post("/api/v1/clients/", {"given_name": "A", "family_name": "B", "email": "a@b.example"})

    assert response.status_code == 409
    assert response.json()["code"] == "no_salon"


def test_a_manager_marks_areas_to_keep_away_from_and_the_receptionist_may_not(as_role, client_with_screening):
    url = f"/api/v1/clients/{client_with_screening.pk}/avoid-areas/"

    refused = as_role(Role.RECEPTIONIST).post(url, {"areas": ["neck"]}, format="json")
    bad = as_role(Role.MANAGER).post(url, {"areas": ["knee"]}, format="json")
    marked = as_role(Role.MANAGER).post(url, {"areas": ["neck"], "note": "Rash"}, format="json")

    assert refused.status_code == 403
    assert bad.status_code == 400
    assert "areas.0" in bad.json()["fields"]
    assert marked.status_code == 201
    assert marked.json()["areas"] == ["neck"]
    outcome = as_role(Role.MANAGER).get(f"/api/v1/clients/{client_with_screening.pk}/screening-outcome/").json()
    assert set(outcome["outcome"]["avoid_areas"]) == {"lower_back", "neck"}


def test_front_desk_notes_that_look_like_health_information_are_pointed_out_not_refused(as_role, salon):
    response = as_role(Role.RECEPTIONIST).post(
        "/api/v1/clients/",
        {"given_name": "Ida", "family_name": "Roth", "email": "ida@example.com",
         "front_desk_notes": "Schwanger, 20. Woche; prefers mornings"},
        format="json",
    )  # fmt: skip
    plain = as_role(Role.RECEPTIONIST).post(
        "/api/v1/clients/",
        {"given_name": "Ina", "family_name": "Roth", "email": "ina@example.com", "front_desk_notes": "Mornings"},
        format="json",
    )

    assert response.status_code == 201
    assert "keep health information in the screening (found: schwanger)" in response.json()["front_desk_notes_warning"]
    assert plain.json()["front_desk_notes_warning"] == ""


def test_the_demo_salon_keeps_no_health_information_in_front_desk_notes():
    from django.core.management import call_command

    from clients.selectors import health_words_in

    call_command("seed_demo", stdout=None)

    assert [c.given_name for c in Client.objects.all() if health_words_in(c.front_desk_notes)] == []
