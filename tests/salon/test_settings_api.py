"""The settings on the API: GET/PATCH /api/v1/salons/{id}/settings/ (a
location's, for its managers) and GET/PATCH /api/v1/business/ (what every
location shares; changed only by a manager granted every location)."""

import datetime

import pytest

from salon.errors import InvalidInput
from salon.models import Business, Salon
from salon.roles import Role
from salon.services import location_settings_update
from sessions.services.booking import appointment_book
from tests.factories import UserFactory, short_routine
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return salon_scenario(name="Lindenhof")


@pytest.fixture
def manager_api(api_client, scene):
    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    return api_client


def settings_url(salon) -> str:
    return f"/api/v1/salons/{salon.pk}/settings/"


def test_a_manager_reads_a_locations_settings(manager_api, scene):
    answer = manager_api.get(settings_url(scene.salon))

    assert answer.status_code == 200
    body = answer.json()
    assert body["name"] == "Lindenhof"
    assert body["time_zone"] == "Europe/Berlin"
    assert (body["quiet_hours_start"], body["quiet_hours_end"]) == ("21:00:00", "08:00:00")
    assert body["reminder_lead_hours"] == []


def test_a_patch_changes_what_it_sends_and_nothing_else(manager_api, scene):
    before = Salon.objects.filter(pk=scene.salon.pk).values().get()

    answer = manager_api.patch(
        settings_url(scene.salon),
        {"slot_minutes": 30, "quiet_hours_start": "22:30", "quiet_hours_end": "07:00", "reminder_lead_hours": [2, 24]},
        format="json",
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["quiet_hours_start"] == "22:30:00"
    after = Salon.objects.filter(pk=scene.salon.pk).values().get()
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"slot_minutes", "quiet_hours_start", "quiet_hours_end", "reminder_lead_hours"}
    assert (after["quiet_hours_start"], after["quiet_hours_end"]) == (datetime.time(22, 30), datetime.time(7))
    assert after["reminder_lead_hours"] == [24, 2]  # the earliest reminder first


def test_an_unknown_field_is_refused_not_ignored(manager_api, scene):
    answer = manager_api.patch(settings_url(scene.salon), {"slot_minute": 30}, format="json")

    assert answer.status_code == 400
    assert "slot_minute" in answer.json()["fields"]


def test_the_service_refuses_unknown_settings_too(scene):
    with pytest.raises(InvalidInput) as refused:
        location_settings_update(salon=scene.salon, colour="green")

    assert refused.value.code == "unknown_field"
    assert "colour" in refused.value.fields


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quiet_hours_start": "25:00"}, "quiet_hours_start"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"currency": "euro"}, "currency"),
        ({"slot_minutes": 7}, "slot_minutes"),
        ({"reminder_lead_hours": [0]}, "reminder_lead_hours.0"),
        ({"reminder_lead_hours": [1, 2, 3, 4, 5, 6]}, "reminder_lead_hours"),
        ({"min_notice_minutes": 2 * 24 * 60, "booking_horizon_days": 1}, "min_notice_minutes"),
        ({"booking_horizon_days": 731}, "booking_horizon_days"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_half_written(manager_api, scene, changes, field):
    before = Salon.objects.filter(pk=scene.salon.pk).values().get()

    answer = manager_api.patch(settings_url(scene.salon), {"name": "Renamed", **changes}, format="json")

    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["fields"]
    assert Salon.objects.filter(pk=scene.salon.pk).values().get() == before


def test_a_new_time_zone_is_refused_while_sessions_are_booked_ahead(manager_api, scene):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    routine = short_routine()
    appointment_book(client=scene.client, routine=routine, start=scene.at(tomorrow, 10))
    appointment_book(client=scene.client, routine=routine, start=scene.at(tomorrow, 14))

    answer = manager_api.patch(
        settings_url(scene.salon), {"time_zone": "Europe/London", "name": "Renamed"}, format="json"
    )

    assert answer.status_code == 409
    body = answer.json()
    assert body["code"] == "time_zone_in_use"
    assert "2 sessions are booked ahead" in body["detail"]
    assert f"{tomorrow:%a %d %b %Y} 10:00" in body["detail"]
    assert "time_zone" in body["fields"]
    assert Salon.objects.filter(pk=scene.salon.pk).values_list("time_zone", "name").get() == (
        "Europe/Berlin",
        "Lindenhof",
    )


def test_the_same_time_zone_sent_again_is_no_change(manager_api, scene):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    appointment_book(client=scene.client, routine=short_routine(), start=scene.at(tomorrow, 10))

    answer = manager_api.patch(settings_url(scene.salon), {"time_zone": "Europe/Berlin", "slot_minutes": 30})

    assert answer.status_code == 200, answer.json()


def test_a_location_not_granted_is_forbidden_and_one_that_does_not_exist_is_not_found(api_client, scene):
    london, _ = scene.location_add(name="London", time_zone="Europe/London")
    manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    manager.locations.add(scene.salon)
    api_client.force_authenticate(manager)

    read = api_client.get(settings_url(london))
    write = api_client.patch(settings_url(london), {"slot_minutes": 30}, format="json")
    missing = api_client.get(f"/api/v1/salons/{10**9}/settings/")

    assert (read.status_code, write.status_code, missing.status_code) == (403, 403, 404)
    assert write.json()["code"] == "location_forbidden"
    assert Salon.objects.get(pk=london.pk).slot_minutes == 15


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_other_roles_neither_read_nor_change_settings(api_client, scene, role):
    api_client.force_authenticate(UserFactory(roles=[role]))

    assert api_client.get(settings_url(scene.salon)).status_code == 403
    assert api_client.patch(settings_url(scene.salon), {"slot_minutes": 30}, format="json").status_code == 403
    assert api_client.get("/api/v1/business/").status_code == 403
    assert api_client.patch("/api/v1/business/", {"travel_minutes": 5}, format="json").status_code == 403
    assert Salon.objects.get(pk=scene.salon.pk).slot_minutes == 15


def test_a_manager_of_every_location_changes_the_business(manager_api, scene):
    answer = manager_api.patch(
        "/api/v1/business/", {"screening_valid_months": 6, "travel_minutes": 45, "name": "Lindenhof GmbH"}
    )

    assert answer.status_code == 200, answer.json()
    assert answer.json()["travel_minutes"] == 45
    business = Business.objects.get(pk=scene.salon.business_id)
    assert (business.screening_valid_months, business.travel_minutes, business.name) == (6, 45, "Lindenhof GmbH")
    assert manager_api.get("/api/v1/business/").json()["screening_valid_months"] == 6


def test_a_manager_of_one_location_reads_but_does_not_change_the_business(api_client, scene):
    manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    manager.locations.add(scene.salon)
    api_client.force_authenticate(manager)

    read = api_client.get("/api/v1/business/")
    write = api_client.patch("/api/v1/business/", {"travel_minutes": 5}, format="json")

    assert read.status_code == 200
    assert read.json()["travel_minutes"] == 30
    assert write.status_code == 403
    assert write.json()["code"] == "location_forbidden"
    assert Business.objects.get(pk=scene.salon.business_id).travel_minutes == 30


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"screening_valid_months": 0}, "screening_valid_months"),
        ({"health_data_retention_months": 241}, "health_data_retention_months"),
        ({"colour": "green"}, "colour"),
    ],
)
def test_bad_business_input_is_refused_naming_the_field(manager_api, scene, changes, field):
    answer = manager_api.patch("/api/v1/business/", {"name": "Renamed", **changes}, format="json")

    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert Business.objects.get(pk=scene.salon.business_id).name != "Renamed"


def test_the_business_time_zone_is_read_only_here(manager_api, scene):
    answer = manager_api.patch("/api/v1/business/", {"time_zone": "Europe/London"}, format="json")

    assert answer.status_code == 200
    assert answer.json()["time_zone"] == "Europe/Berlin"
    assert Business.objects.get(pk=scene.salon.business_id).time_zone == "Europe/Berlin"
