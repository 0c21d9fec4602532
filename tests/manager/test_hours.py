"""The manager's page for opening hours and closures: a manager closes a day
and sets special hours from it; a closure over a booked session is refused on
the page, with the session named; nobody else gets in."""

import datetime

import pytest

from salon.models import SpecialDay
from salon.roles import Role
from sessions.services.booking import appointment_book
from tests.factories import UserFactory, short_routine
from tests.helpers import at, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return salon_scenario()


@pytest.fixture
def manager_page(client, scene):
    sign_in(client, UserFactory(roles=[Role.MANAGER]))
    return client


@pytest.fixture
def holiday():
    return datetime.date.today() + datetime.timedelta(days=9)


def test_a_manager_closes_a_public_holiday_and_sees_it_listed(manager_page, scene, holiday):
    answer = manager_page.post(
        "/manage/hours/closures/", {"first_day": holiday, "last_day": holiday, "reason": "Public holiday"}
    )

    assert answer.status_code == 302
    page = manager_page.get(answer["Location"])
    text = page.content.decode()
    assert f"{holiday:%a} {holiday.day} {holiday:%b %Y}" in text
    assert "Public holiday" in text
    assert SpecialDay.objects.get(salon=scene.salon, day=holiday).closed


def test_special_hours_then_back_to_the_weekly_hours(manager_page, scene, holiday):
    manager_page.post("/manage/hours/special/", {"day": holiday, "opens": "10:00", "closes": "14:00"})
    assert SpecialDay.objects.get(day=holiday).opens == datetime.time(10)

    answer = manager_page.post(f"/manage/hours/special/{holiday}/clear/")

    assert answer.status_code == 302
    assert not SpecialDay.objects.exists()


def test_a_closure_over_a_booked_session_is_refused_on_the_page(manager_page, scene, holiday):
    appointment_book(client=scene.client, routine=short_routine(), start=at(holiday, 10))

    page = manager_page.post("/manage/hours/closures/", {"first_day": holiday, "last_day": holiday})

    assert page.status_code == 409
    assert "move or cancel them first" in page.content.decode()
    assert str(scene.client) in page.content.decode()
    assert not SpecialDay.objects.exists()


def test_bad_input_is_shown_next_to_its_field(manager_page, holiday):
    page = manager_page.post("/manage/hours/special/", {"day": holiday, "opens": "14:00", "closes": "10:00"})

    assert page.status_code == 400
    assert page.context["hours_form"].errors == {"closes": ["Closing comes after opening."]}


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_get_in(client, scene, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get("/manage/hours/").status_code == 403
    assert client.post("/manage/hours/closures/", {}).status_code == 403
