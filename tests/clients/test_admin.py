import pytest

from clients.models import Client, HealthDataAccess
from tests.factories import ClientFactory, SalonFactory, UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, password):
    """The admin is for superusers (managers work in /manage/)."""
    sign_in(client, UserFactory(username="root", is_superuser=True))
    return client


def test_a_client_added_in_the_admin_goes_through_the_service(admin_client):
    salon = SalonFactory()

    response = admin_client.post(
        "/admin/clients/client/add/",
        {"salon": salon.pk, "given_name": "Étienne", "family_name": "Dubois", "phone": "+33 6 12 34 56 78",
         "email": "", "preferred_channel": "sms", "front_desk_notes": ""},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    client = Client.objects.get()
    assert client.phone == "+33612345678"
    assert client.name_key == "etienne dubois"


def test_superusers_read_the_access_log_but_cannot_change_it(admin_client):
    entry = HealthDataAccess.objects.create(client=ClientFactory(), client_label="1", actor="anna", action="view")

    assert admin_client.get("/admin/clients/healthdataaccess/").status_code == 200
    assert admin_client.post(f"/admin/clients/healthdataaccess/{entry.pk}/delete/").status_code == 403
