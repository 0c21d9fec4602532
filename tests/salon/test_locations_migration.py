"""Upgrading an installation: today's salon becomes the first location of a
business, and nothing a single-location salon had is lost."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sessions.availability_triggers import triggers_install, triggers_remove

BEFORE = [("salon", "0011_drop_old_api_tokens"), ("clients", "0015_input_limits"), ("routines", "0008_input_limits")]
AFTER = [
    ("salon", "0014_locations_finish"),
    ("clients", "0018_locations_finish"),
    ("routines", "0009_routines_withheld"),
]


def migrate(targets):
    """As ``manage.py migrate`` does it, with the availability triggers off
    before and put back after (sessions.apps: its signals come from the command)."""
    triggers_remove(connection)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    triggers_install(connection)
    return executor.loader.project_state(targets).apps


# Serialized like the integration tests: a flush without it would bring back
# content types that their reload then duplicates.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_salon_becomes_the_first_location_of_its_business():
    old = migrate(BEFORE)
    Salon, User = (old.get_model("salon", name) for name in ("Salon", "User"))
    Group = old.get_model("auth", "Group")
    salon = Salon.objects.create(
        name="Lindenhof", time_zone="Europe/Vienna", screening_valid_months=6, clearance_valid_days=30,
        health_data_retention_months=36,
    )  # fmt: skip
    therapist_user = User.objects.create(username="anna")
    therapist_user.groups.add(Group.objects.get_or_create(name="Therapist")[0])
    User.objects.create(username="clara")
    manager = User.objects.create(username="petra")
    manager.groups.add(Group.objects.get_or_create(name="Manager")[0])
    anna = old.get_model("salon", "Therapist").objects.create(salon=salon, user=therapist_user, display_name="Anna")
    old.get_model("salon", "WorkingHours").objects.create(
        therapist=anna, weekday=0, starts=datetime.time(9), ends=datetime.time(17)
    )
    old.get_model("clients", "Client").objects.create(
        salon=salon, given_name="Sabine", family_name="Krüger", email="sabine@example.com"
    )

    new = migrate(AFTER)

    location = new.get_model("salon", "Salon").objects.get()
    business = location.business
    assert (business.name, business.time_zone) == ("Lindenhof", "Europe/Vienna")
    assert (business.screening_valid_months, business.clearance_valid_days) == (6, 30)
    assert business.health_data_retention_months == 36
    assert new.get_model("salon", "Therapist").objects.get().business == business
    assert new.get_model("salon", "WorkingHours").objects.get().salon == location
    assert new.get_model("clients", "Client").objects.get().business == business
    users = {user.username: user for user in new.get_model("salon", "User").objects.all()}
    assert [place.pk for place in users["anna"].locations.all()] == [location.pk]
    assert [place.pk for place in users["clara"].locations.all()] == [location.pk]
    assert users["petra"].all_locations
    assert not users["clara"].all_locations


@pytest.fixture(autouse=True)
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())
