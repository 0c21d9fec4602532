import pytest

from salon.roles import Role
from sessions.models import Notification
from sessions.services.booking import appointment_book
from tests.factories import UserFactory
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(salon, therapist, room, routine, client_, tomorrow):
    return appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))


def test_managers_read_the_outbox_with_filters(api_client, booked):
    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))

    everything = api_client.get("/api/v1/notifications/").json()
    confirmations = api_client.get(f"/api/v1/notifications/?kind=confirmation&appointment={booked.pk}").json()

    assert everything["count"] == Notification.objects.count() >= 2
    item = confirmations["results"][0]
    assert set(item) == {
        "id",
        "kind",
        "channel",
        "status",
        "appointment",
        "due_at",
        "sent_at",
        "attempts",
        "last_error",
    }
    assert (item["kind"], item["status"], item["appointment"]) == ("confirmation", "pending", booked.pk)


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_other_staff_cannot_read_the_outbox(api_client, booked, role):
    api_client.force_authenticate(UserFactory(roles=[role]))

    assert api_client.get("/api/v1/notifications/").status_code == 403


def test_only_failed_messages_can_be_retried(api_client, booked):
    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    failed = Notification.objects.filter(appointment=booked).first()
    Notification.objects.filter(pk=failed.pk).update(status="failed", attempts=5, last_error="down")
    pending = Notification.objects.filter(appointment=booked, status="pending").first()

    retried = api_client.post(f"/api/v1/notifications/{failed.pk}/retry/")
    refused = api_client.post(f"/api/v1/notifications/{pending.pk}/retry/")

    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    assert refused.status_code == 409


def test_the_admin_shows_the_outbox_and_retries_for_superusers(client, password, booked):
    sign_in(client, UserFactory(username="root", is_superuser=True))
    failed = Notification.objects.filter(appointment=booked).first()
    Notification.objects.filter(pk=failed.pk).update(status="failed")

    page = client.get("/admin/treatments/notification/")
    done = client.post(
        "/admin/treatments/notification/", {"action": "retry_failed", "_selected_action": [failed.pk]}, follow=True
    )

    assert page.status_code == 200
    assert "1 message(s) will be sent again." in done.content.decode()
    failed.refresh_from_db()
    assert failed.status == "pending"
