"""The health data access log in the manager's area: who read or wrote a
client's health answers, newest first, found by username or client number;
for managers only, and with no health data on it."""

import pytest

from clients.models import HealthDataAccess
from salon.roles import Role
from tests.factories import UserFactory, screening_for
from tests.helpers import sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    return salon_scenario(clients=["Sabine", "Tom"])


def test_a_manager_sees_who_touched_health_data(client, scene):
    sabine, tom = scene.clients
    screening_for(sabine, allergies="almond oil")
    HealthDataAccess.objects.create(client=tom, client_label=str(tom.pk), actor="anna", action="view")
    sign_in(client, UserFactory(roles=[Role.MANAGER]))

    page = client.get("/manage/access-log/").content.decode()
    only_anna = client.get("/manage/access-log/", {"q": "anna"}).content.decode()

    assert "<td>Viewed screening answers</td>" in page
    assert "<td>Entered a screening</td>" in page
    assert "almond" not in page
    assert "<td>Viewed screening answers</td>" in only_anna
    assert "<td>Entered a screening</td>" not in only_anna


def test_an_unknown_kind_of_access_shows_every_kind(client, scene):
    HealthDataAccess.objects.create(client_label="7", actor="anna", action="view")
    sign_in(client, UserFactory(roles=[Role.MANAGER]))

    answer = client.get("/manage/access-log/", {"action": "<script>", "page": "nonsense"})

    assert answer.status_code == 200
    assert "7 (erased)" in answer.content.decode()


def test_the_log_costs_the_same_queries_however_long(client, scene, django_assert_max_num_queries):
    for number in range(150):
        HealthDataAccess.objects.create(client=scene.client, client_label=str(scene.client.pk), actor=f"u{number}",
                                        action="view")  # fmt: skip
    sign_in(client, UserFactory(roles=[Role.MANAGER]))

    with django_assert_max_num_queries(8):
        page = client.get("/manage/access-log/")

    assert page.content.decode().count("<td>Viewed screening answers</td>") == 100


def test_the_log_shows_what_it_holds_as_text(client, scene):
    # given an entry of a client erased since, by an actor whose name reads like markup, and one of a client kept
    HealthDataAccess.objects.create(client_label="<i>7</i>", actor="<b>anna</b>", action="erase")
    HealthDataAccess.objects.create(client=scene.client, client_label=str(scene.client.pk), actor="ben", action="view")
    sign_in(client, UserFactory(roles=[Role.MANAGER]))

    # when the manager opens the log
    page = client.get("/manage/access-log/").content.decode()

    # then each is a row of plain text, the kept client's number a link to the client
    assert (
        "<td>&lt;b&gt;anna&lt;/b&gt;</td>\n      <td>Erased the client&#x27;s data</td>\n"
        "      <td>&lt;i&gt;7&lt;/i&gt; (erased)</td>"
    ) in page
    assert f'<td><a href="/clients/{scene.client.pk}/">{scene.client.pk}</a></td>' in page
    assert "<b>anna" not in page


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_read_the_log(client, scene, role):
    sign_in(client, UserFactory(roles=[role]))

    assert client.get("/manage/access-log/").status_code == 403
