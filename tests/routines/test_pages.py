import pytest

from salon.roles import Role
from tests.factories import UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, password):
    user = UserFactory(roles=[Role.RECEPTIONIST])
    sign_in(client, user)
    return client


def test_the_list_shows_each_routine_with_its_durations(staff_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = staff_client.get("/routines/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Classic back massage" in html
    assert "48 min" in html
    assert "75 min" in html
    assert 'href="/routines/pregnancy-back-massage/"' in html


def test_a_routine_page_shows_the_steps_as_a_timeline(staff_client):
    response = staff_client.get("/routines/classic-back-massage/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="timeline-step"') == 10
    assert "8′ <span" in html  # the second step starts at minute 8
    assert "Lower back, Mid back, Upper back, Neck" in html
    assert "repeats step 3" in html
    assert "Warm the oil in your palm" in html
    assert "Massage oil (baby oil as a substitute)" in html


def test_an_unknown_routine_is_a_404(staff_client):
    assert staff_client.get("/routines/no-such-routine/").status_code == 404


def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get("/routines/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_routine_page_shows_its_aftercare_advice(client, password):
    from salon.roles import Role
    from tests.factories import UserFactory

    user = UserFactory(roles=[Role.MANAGER])
    sign_in(client, user)

    html = client.get("/routines/lower-back-relief/").content.decode()

    assert "After-care advice" in html
    assert "avoid lifting heavy things today" in html
