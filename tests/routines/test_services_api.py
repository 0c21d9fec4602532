"""The service menu in the API: staff read a location's lengths and prices,
managers set them; bookings through the API take a length and keep its price."""

import datetime

import pytest

from routines.services import service_set
from salon.roles import Role
from tests.factories import UserFactory, short_routine
from tests.helpers import at
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return salon_scenario()


@pytest.fixture
def routine():
    return short_routine(slug="back", minutes=30, turnover=15)


@pytest.fixture
def as_role(api_client):
    def login(role):
        api_client.force_authenticate(UserFactory(roles=[role]))
        return api_client

    return login


def test_a_manager_puts_a_routine_on_the_menu(as_role, scene, routine):
    api = as_role(Role.MANAGER)

    answer = api.put(
        "/api/v1/services/back/",
        {"lengths": [{"minutes": 60, "price_minor": 7900}, {"minutes": 30, "price_minor": 4500}], "online": True},
        format="json",
    )

    assert answer.status_code == 200
    body = answer.json()
    assert body["lengths"] == [{"minutes": 30, "price_minor": 4500}, {"minutes": 60, "price_minor": 7900}]
    assert (body["currency"], body["online"], body["offered"], body["minimum_minutes"]) == ("EUR", True, True, 30)


def test_staff_read_the_menu(as_role, scene, routine):
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7900)], description="Deep and slow.")

    menu = as_role(Role.RECEPTIONIST).get("/api/v1/services/").json()

    back = next(entry for entry in menu if entry["slug"] == "back")
    assert back["lengths"] == [{"minutes": 60, "price_minor": 7900}]
    assert back["description"] == "Deep and slow."
    unpriced = next(entry for entry in menu if entry["slug"] == "classic-back-massage")
    assert unpriced["lengths"] == []


def test_a_length_too_short_is_a_400_naming_it(as_role, scene, routine):
    answer = as_role(Role.MANAGER).put(
        "/api/v1/services/back/", {"lengths": [{"minutes": 10, "price_minor": 100}]}, format="json"
    )

    assert answer.status_code == 400
    assert list(answer.json()["fields"]) == ["lengths.0.minutes"]


def test_an_unknown_routine_is_a_404(as_role, scene):
    assert as_role(Role.MANAGER).put("/api/v1/services/nothing-here/", {}, format="json").status_code == 404


def test_receptionists_cannot_set_prices(as_role, scene, routine):
    answer = as_role(Role.RECEPTIONIST).put("/api/v1/services/back/", {"lengths": []}, format="json")

    assert answer.status_code == 403


def test_a_booking_through_the_api_takes_a_length_and_shows_its_price(as_role, scene, routine):
    service_set(salon=scene.salon, routine=routine, lengths=[(30, 4500), (60, 7900)])
    day = datetime.date.today() + datetime.timedelta(days=5)
    api = as_role(Role.RECEPTIONIST)

    slots = api.get("/api/v1/availability/", {"routine": routine.pk, "start": day, "end": day, "minutes": 60}).json()[
        "slots"
    ]
    booked = api.post(
        "/api/v1/appointments/",
        {"client": scene.client.pk, "routine": routine.pk, "start": at(day, 10).isoformat(), "minutes": 60},
        format="json",
    )
    refused = api.post(
        "/api/v1/appointments/",
        {"client": scene.client.pk, "routine": routine.pk, "start": at(day, 14).isoformat(), "minutes": 45},
        format="json",
    )

    assert slots[-1]["start"].startswith(f"{day}T15:45")  # 60 minutes and 15 of turnover by 17:00
    assert booked.status_code == 201
    assert (booked.json()["price_minor"], booked.json()["currency"]) == (7900, "EUR")
    assert (refused.status_code, refused.json()["code"]) == (400, "length_not_offered")
