"""The service menu page: a manager sets the lengths and prices of a routine
at the location, sees them on the menu and at the desk; bad input is shown
next to its row and nothing is half-saved."""

import pytest
from django.test import Client

from routines.models import RoutineWithheld, Service
from routines.services import service_set
from salon.roles import Role
from tests.factories import UserFactory, short_routine
from tests.helpers import sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return salon_scenario()


@pytest.fixture
def routine():
    return short_routine(slug="back", minutes=30, turnover=15)


@pytest.fixture
def manager_page(client, scene):
    sign_in(client, UserFactory(roles=[Role.MANAGER]))
    return client


def form_data(*rows, **fields):
    """The edit form as a browser sends it: the service's fields and one
    (minutes, price) pair per length row, with a blank row at the end."""
    rows = [*rows, ("", "")]
    data = {
        "lengths-TOTAL_FORMS": str(len(rows)),
        "lengths-INITIAL_FORMS": "0",
        "offered": "on",
        "description": "",
        "turnover_minutes": "",
        **fields,
    }
    for index, (minutes, price) in enumerate(rows):
        data[f"lengths-{index}-minutes"] = str(minutes)
        data[f"lengths-{index}-price"] = price
    return data


def test_a_manager_sets_a_price_list_and_sees_it_on_the_menu(manager_page, scene, routine):
    answer = manager_page.post(
        "/manage/services/back/", form_data((30, "45"), (60, "79,50"), description="Slow and deep.", online="on")
    )

    assert answer.status_code == 302
    service = Service.objects.get(salon=scene.salon, slug="back")
    assert dict(service.lengths.values_list("minutes", "price_minor")) == {30: 4500, 60: 7950}
    assert (service.description, service.online) == ("Slow and deep.", True)
    menu = manager_page.get("/manage/services/").content.decode()
    assert "30 min · €45.00" in menu
    assert "60 min · €79.50" in menu


def test_a_manager_writes_the_description_in_german_and_german_clients_read_it(manager_page, scene, routine):
    # Given a description as written and its German
    answer = manager_page.post(
        "/manage/services/back/",
        form_data((30, "45"), description="Slow and deep.", description_de="Langsam und tief.", online="on"),
    )
    assert answer.status_code == 302

    # Then the menu keeps both, and the booking page shows each reader theirs
    service = Service.objects.get(salon=scene.salon, slug="back")
    assert service.description == "Slow and deep."
    assert service.translations == {"de": {"description": "Langsam und tief."}}
    german = Client().get(f"/book/{scene.salon.pk}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    english = Client().get(f"/book/{scene.salon.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Langsam und tief." in german
    assert "Slow and deep." in english
    # and the edit page shows the German again; emptied, it is gone and German readers get the text as written
    assert "Langsam und tief." in manager_page.get("/manage/services/back/").content.decode()
    manager_page.post("/manage/services/back/", form_data((30, "45"), description="Slow and deep.", online="on"))
    service.refresh_from_db()
    assert service.translations == {}


def test_the_desk_offers_each_length_with_its_price(client, scene, routine):
    service_set(salon=scene.salon, routine=routine, lengths=[(30, 4500), (60, 7950)])
    sign_in(client, UserFactory(roles=[Role.RECEPTIONIST]))

    form = client.get("/desk/book/").content.decode()

    assert f'value="{routine.pk}:60"' in form
    assert "Test routine · 60 min · €79.50" in form


def test_a_length_shorter_than_the_routine_is_shown_on_its_row_and_nothing_is_saved(manager_page, scene, routine):
    service_set(salon=scene.salon, routine=routine, lengths=[(45, 5000)])

    page = manager_page.post("/manage/services/back/", form_data((60, "79"), (20, "30")))

    assert page.status_code == 400
    lengths = page.context["lengths"]
    assert lengths.forms[1].errors["minutes"] == ["Test routine takes 30 minutes at least; give 30 to 480."]
    assert not lengths.forms[0].errors
    assert dict(Service.objects.get(slug="back").lengths.values_list("minutes", "price_minor")) == {45: 5000}


@pytest.mark.parametrize("price", ["abc", "-5", "12.345", "1e9", "1e26", "1_000", "NaN", "99999999999"])
def test_a_price_that_is_not_one_is_refused_next_to_it(manager_page, routine, price):
    page = manager_page.post("/manage/services/back/", form_data((60, price)))

    assert page.status_code == 400
    assert page.context["lengths"].forms[0].errors["price"]
    assert not Service.objects.exists()


def test_a_length_without_a_price_is_refused(manager_page, routine):
    page = manager_page.post("/manage/services/back/", form_data((60, "")))

    assert page.status_code == 400
    assert page.context["lengths"].forms[0].errors == {"price": ["Give the price of this length."]}


def test_taking_a_routine_off_the_menu_withholds_it_here(manager_page, scene, routine):
    data = form_data((60, "79"))
    del data["offered"]

    manager_page.post("/manage/services/back/", data)

    assert RoutineWithheld.objects.filter(salon=scene.salon, slug="back").exists()
    assert "Not offered" in manager_page.get("/manage/services/").content.decode()


def test_the_edit_form_shows_the_prices_as_typed(manager_page, scene, routine):
    service_set(salon=scene.salon, routine=routine, lengths=[(60, 7950)], turnover_minutes=20)

    page = manager_page.get("/manage/services/back/").content.decode()

    assert 'value="79.50"' in page
    assert 'value="60"' in page
    assert 'value="20"' in page


def test_the_menu_costs_the_same_queries_with_more_routines(manager_page, scene, django_assert_max_num_queries):
    for number in range(4):
        routine = short_routine(slug=f"r{number}")
        service_set(salon=scene.salon, routine=routine, lengths=[(15, 1000), (30, 2000)])

    with django_assert_max_num_queries(12):
        page = manager_page.get("/manage/services/")

    assert page.content.decode().count("15 min · €10.00") == 4


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_set_prices(client, scene, routine, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get("/manage/services/").status_code == 403
    assert client.post("/manage/services/back/", form_data((60, "1"))).status_code == 403
    assert not Service.objects.exists()
