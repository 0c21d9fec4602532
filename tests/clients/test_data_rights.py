import datetime
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients.models import Client, HealthDataAccess, HealthScreening
from clients.services import health_data_purge
from salon.roles import Role
from tests.factories import ClientFactory, SalonFactory, UserFactory, screening_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    return api_client


def test_a_manager_exports_everything_held_about_a_client(manager_api):
    client = ClientFactory(given_name="Sabine", email="sabine@example.com")
    screening_for(client, allergies="almond oil", oil_or_nut_allergy=True)

    response = manager_api.get(f"/api/v1/clients/{client.pk}/export/")

    body = response.json()
    assert response.status_code == 200
    assert body["client"]["email"] == "sabine@example.com"
    assert body["screenings"][0]["allergies"] == "almond oil"
    assert [entry["action"] for entry in body["health_data_access"]] == ["create"]
    assert HealthDataAccess.objects.filter(client=client, action="export").exists()


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_export_or_erase(api_client, role):
    client = ClientFactory()
    api_client.force_authenticate(UserFactory(roles=[role]))

    assert api_client.get(f"/api/v1/clients/{client.pk}/export/").status_code == 403
    assert api_client.post(f"/api/v1/clients/{client.pk}/erase/").status_code == 403


def test_erasing_removes_personal_and_health_data_but_keeps_an_anonymous_record(manager_api):
    client = ClientFactory(
        given_name="Sabine", family_name="Krüger", email="sabine@example.com", front_desk_notes="VIP"
    )
    screening_for(client, allergies="almond oil")

    response = manager_api.post(f"/api/v1/clients/{client.pk}/erase/")

    assert response.status_code == 200
    client.refresh_from_db()
    assert (client.given_name, client.email, client.phone, client.front_desk_notes) == ("Erased", "", "", "")
    assert client.erased_at is not None
    assert client.archived
    assert HealthScreening.objects.filter(client=client).count() == 0
    text = json.dumps(manager_api.get(f"/api/v1/clients/{client.pk}/export/").json())
    assert "Sabine" not in text
    assert "almond" not in text


def test_retention_purges_screenings_of_inactive_clients_only():
    salon = SalonFactory(business__health_data_retention_months=24)
    inactive = ClientFactory(salon=salon)
    active = ClientFactory(salon=salon)
    confirmed = ClientFactory(salon=salon)
    old = timezone.now() - datetime.timedelta(days=800)
    HealthScreening.objects.filter(pk=screening_for(inactive).pk).update(created_at=old)
    screening_for(active)
    HealthScreening.objects.filter(pk=screening_for(confirmed).pk).update(created_at=old, confirmed_at=timezone.now())

    assert health_data_purge(business=salon.business) == 1

    assert not inactive.screenings.exists()
    assert active.screenings.exists()
    assert confirmed.screenings.exists()
    assert HealthDataAccess.objects.filter(client=inactive, action="purge", actor="retention").exists()
    assert Client.objects.filter(pk=inactive.pk).exists()


def test_the_purge_command_runs_for_every_salon(capsys):
    SalonFactory(business__name="Lindenhof")

    call_command("purge_health_data")

    assert "Lindenhof: screenings of 0 inactive client(s) purged." in capsys.readouterr().out
