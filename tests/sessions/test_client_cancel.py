"""A client cancels from the link in a confirmation, reminder or reschedule
notice, until the salon's cut-off (``client_cancel_hours``); later they call."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from clients.models import ClientLink
from salon.errors import Conflict
from sessions.models import Appointment, AppointmentChange, Notification
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_cancel_by_client, appointment_transition
from sessions.tasks import notifications_dispatch
from tests.factories import ClientFactory, screening_for
from tests.helpers import at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
SITE = "http://127.0.0.1:8000"


@pytest.fixture
def sabine(salon):
    person = ClientFactory(salon=salon, given_name="Sabine", consent_reminders=True)
    screening_for(person)
    return person


@pytest.fixture
def in_three_days(salon, therapist, room, routine, sabine, tomorrow):
    return appointment_book(client=sabine, routine=routine, start=at(tomorrow + datetime.timedelta(days=2), 10))


def cancel_link_in(message) -> str:
    found = re.search(rf"{re.escape(SITE)}(/forms/cancel/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def confirmation_email():
    notifications_dispatch.apply()
    return next(m for m in mail.outbox if m.subject.startswith("Your massage is booked"))


def test_the_client_cancels_from_the_link_in_the_confirmation(client, salon, in_three_days):
    """Given a confirmation with a cancel link, when the client follows it and
    confirms, then the appointment is cancelled with the client's reason, the
    reminders are called off, a cancellation notice goes out and the link is spent."""
    message = confirmation_email()
    assert "Cannot come? You can cancel here until" in message.body
    assert "Cancel online</a>" in message.alternatives[0][0]

    landing = client.get(cancel_link_in(message))
    assert landing.status_code == 302
    assert landing["Location"] == "/forms/cancel/"
    page = client.get("/forms/cancel/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "no-referrer"
    assert "Cancel my appointment" in page.content.decode()

    done = client.post("/forms/cancel/", {"reason": "My daughter is ill"})

    assert done.status_code == 200
    assert "is cancelled" in done.content.decode()
    in_three_days.refresh_from_db()
    assert in_three_days.status == Appointment.Status.CANCELLED
    assert in_three_days.cancellation_reason == "Cancelled by the client online: My daughter is ill"
    change = AppointmentChange.objects.get(appointment=in_three_days, to_status="cancelled")
    assert change.by is None
    kinds = dict(Notification.objects.filter(appointment=in_three_days).values_list("kind", "status"))
    assert kinds["reminder"] == "cancelled"
    assert kinds["cancellation"] == "pending"
    assert client.post("/forms/cancel/", {"reason": ""}).status_code == 404  # the link left the session
    assert client.get(cancel_link_in(message)).status_code == 410  # and is spent


def test_a_reason_that_is_too_long_re_shows_the_form_and_cancels_nothing(client, in_three_days):
    client.get(cancel_link_in(confirmation_email()))

    response = client.post("/forms/cancel/", {"reason": "x" * 201})

    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()
    assert Appointment.objects.get(pk=in_three_days.pk).status == Appointment.Status.BOOKED


def test_a_cross_site_post_is_refused(client, in_three_days):
    client.get(cancel_link_in(confirmation_email()))

    response = client.post("/forms/cancel/", {"reason": ""}, headers={"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 403
    assert Appointment.objects.get(pk=in_three_days.pk).status == Appointment.Status.BOOKED


def test_inside_the_cut_off_the_message_says_to_call(salon, therapist, room, routine, sabine, tomorrow):
    """Tomorrow at ten is at most 34 hours away: inside a 48-hour cut-off, so
    the confirmation gives the phone number instead of a link."""
    salon.phone = "+49 30 1234567"
    salon.client_cancel_hours = 48
    salon.save()
    appointment_book(client=sabine, routine=routine, start=at(tomorrow, 10))

    message = confirmation_email()

    assert "/forms/cancel/" not in message.body
    assert "Cannot come? Please call us on +49 30 1234567." in message.body
    assert not ClientLink.objects.filter(purpose=ClientLink.Purpose.CANCEL).exists()


def test_past_the_cut_off_the_page_says_until_when_and_whom_to_call(client, salon, in_three_days):
    """Given a link opened after online cancelling ended (here: the salon
    moved its cut-off to a week), the page names the cut-off and the phone
    number, and a post changes nothing."""
    path = cancel_link_in(confirmation_email())
    link = ClientLink.objects.get(purpose=ClientLink.Purpose.CANCEL)
    assert link.expires_at == in_three_days.start
    salon.phone = "+49 30 1234567"
    salon.client_cancel_hours = 7 * 24
    salon.save()
    client.get(path)

    page = client.get("/forms/cancel/").content.decode()
    refused = client.post("/forms/cancel/", {"reason": "", "link": link.pk})

    assert "Cancelling online was possible until" in page
    assert 'href="tel:+49 30 1234567"' in page
    assert "Cancel my appointment" not in page
    assert refused.status_code == 409
    assert "Online cancelling ends 168 hours before the appointment" in refused.content.decode()
    assert Appointment.objects.get(pk=in_three_days.pk).status == Appointment.Status.BOOKED


def test_once_the_appointment_has_begun_the_link_has_expired(client, salon, in_three_days):
    path = cancel_link_in(confirmation_email())
    salon.phone = "+49 30 1234567"
    salon.save()
    ClientLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get(path)

    assert response.status_code == 410
    assert "The appointment has begun or is over" in response.content.decode()
    assert "+49 30 1234567" in response.content.decode()


def test_a_page_left_open_in_another_tab_cannot_cancel_the_appointment_of_a_newer_link(
    client, salon, routine, sabine, in_three_days
):
    """Given two bookings and a page open for the first when the client opens
    the second's link in another tab, when the first tab's form is sent, then
    nothing is cancelled and the client is told why."""
    from clients.services import client_link_create

    later = appointment_book(client=sabine, routine=routine, start=in_three_days.start + datetime.timedelta(days=7))
    first, first_url = client_link_create(client=sabine, purpose="cancel", reference=in_three_days.pk)
    second, second_url = client_link_create(client=sabine, purpose="cancel", reference=later.pk)
    client.get(first_url.removeprefix(SITE))
    assert f'name="link" value="{first.pk}"' in client.get("/forms/cancel/").content.decode()
    client.get(second_url.removeprefix(SITE))  # the other tab

    stale = client.post("/forms/cancel/", {"reason": "", "link": first.pk})

    assert stale.status_code == 409
    assert "You opened another link" in stale.content.decode()
    assert set(Appointment.objects.values_list("status", flat=True)) == {"booked"}
    assert client.post("/forms/cancel/", {"reason": "", "link": second.pk}).status_code == 200
    assert Appointment.objects.get(pk=later.pk).status == Appointment.Status.CANCELLED
    assert Appointment.objects.get(pk=in_three_days.pk).status == Appointment.Status.BOOKED


def test_an_archived_client_still_gets_the_confirmation_without_a_link(in_three_days, sabine):
    from clients.services import client_archive

    client_archive(client=sabine)

    message = confirmation_email()

    assert "/forms/cancel/" not in message.body
    assert "Please call us" in message.body
    assert Notification.objects.get(appointment=in_three_days, kind="confirmation").status == "sent"


def test_a_link_to_an_appointment_that_is_gone_finds_nothing(client, sabine):
    from clients.services import client_link_create

    _, url = client_link_create(client=sabine, purpose=ClientLink.Purpose.CANCEL, reference=987654)
    client.get(url.removeprefix(SITE))

    assert client.get("/forms/cancel/").status_code == 404
    assert client.post("/forms/cancel/", {"reason": ""}).status_code == 404


def test_too_late_is_a_conflict_that_names_the_cut_off(salon, in_three_days):
    confirmation_email()
    link = ClientLink.objects.get(purpose=ClientLink.Purpose.CANCEL)
    past_cut_off = in_three_days.start - datetime.timedelta(hours=salon.client_cancel_hours - 1)

    with pytest.raises(Conflict) as refused:
        appointment_cancel_by_client(link=link, now=past_cut_off)

    assert refused.value.code == "too_late_to_cancel"
    assert "24 hours" in refused.value.detail
    assert Appointment.objects.get(pk=in_three_days.pk).status == Appointment.Status.BOOKED
    assert ClientLink.objects.get(pk=link.pk).used_at is None


def test_an_appointment_that_is_no_longer_booked_cannot_be_cancelled_online(client, in_three_days):
    path = cancel_link_in(confirmation_email())
    appointment_transition(appointment=in_three_days, to_status="cancelled", reason="Therapist ill")
    client.get(path)

    page = client.get("/forms/cancel/")
    response = client.post("/forms/cancel/", {"reason": ""})

    assert "cannot be cancelled here" in page.content.decode()
    assert response.status_code == 409
    assert "no longer be cancelled online" in response.content.decode()
    assert ClientLink.objects.get(purpose=ClientLink.Purpose.CANCEL).used_at is None


def test_a_second_link_to_the_same_appointment_finds_it_cancelled(client, salon, in_three_days):
    """The confirmation and a reminder each carry a link; the first one used wins."""
    first = cancel_link_in(confirmation_email())
    Notification.objects.filter(appointment=in_three_days, kind="reminder").update(due_at=timezone.now())
    notifications_dispatch.apply()
    reminder = next(m for m in mail.outbox if m.subject.startswith("Reminder: your massage"))
    second = cancel_link_in(reminder)
    assert first != second
    client.get(first)
    client.post("/forms/cancel/", {"reason": ""})

    client.get(second)
    response = client.post("/forms/cancel/", {"reason": ""})

    assert response.status_code == 409
    assert AppointmentChange.objects.filter(appointment=in_three_days, to_status="cancelled").count() == 1
