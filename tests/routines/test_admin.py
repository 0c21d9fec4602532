import pytest

from clients.outcome import ScreeningOutcome
from routines.models import RoutineTemplate
from sessions.services.plans import session_plan_create
from tests.factories import UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, password):
    """The admin is for superusers (managers work in /manage/)."""
    sign_in(client, UserFactory(username="root", is_superuser=True))
    return client


def test_the_admin_lists_routines_with_their_computed_duration(admin_client):
    response = admin_client.get("/admin/routines/routinetemplate/")

    assert response.status_code == 200
    assert "42 / 48 min + 15 turnover" in response.content.decode()


def test_a_routine_in_use_is_read_only_in_the_admin(admin_client):
    classic = RoutineTemplate.objects.get(slug="classic-back-massage")
    session_plan_create(routine=classic, outcome=ScreeningOutcome.neutral(), booked_minutes=60)

    page = admin_client.get(f"/admin/routines/routinetemplate/{classic.pk}/change/")
    posted = admin_client.post(f"/admin/routines/routinetemplate/{classic.pk}/change/", {"name": "Changed"})

    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    assert posted.status_code == 403
    classic.refresh_from_db()
    assert classic.name == "Classic back massage"


def test_duplicate_as_new_version(admin_client):
    classic = RoutineTemplate.objects.get(slug="classic-back-massage")

    response = admin_client.post(
        "/admin/routines/routinetemplate/",
        {"action": "duplicate_as_new_version", "_selected_action": [classic.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Classic back massage (v2) created" in response.content.decode()
    assert RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True).version == 2
