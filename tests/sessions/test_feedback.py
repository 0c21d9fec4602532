import pytest

from clients.models import ClientLink
from clients.services import client_link_create
from salon.errors import Conflict
from sessions.models import Feedback
from sessions.services.booking import appointment_book
from sessions.services.feedback import feedback_record
from sessions.services.lifecycle import appointment_transition
from tests.factories import ClientFactory, screening_for
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(salon, therapist, room, routine, tomorrow):
    person = ClientFactory(salon=salon, given_name="Sabine", consent_feedback=True)
    screening_for(person)
    appointment = appointment_book(client=person, routine=routine, start=at(tomorrow, 10))
    for status in ("checked_in", "in_progress", "completed"):
        appointment = appointment_transition(appointment=appointment, to_status=status, now=appointment.start)
    return appointment


def open_link(client, appointment):
    _, url = client_link_create(
        client=appointment.client, purpose=ClientLink.Purpose.FEEDBACK, reference=appointment.pk
    )
    first = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert first["Location"] == "/forms/feedback/"
    return client.get("/forms/feedback/")


def test_the_client_gives_feedback_once_through_the_link(client, completed):
    page = open_link(client, completed)
    assert "How was your massage?" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    link = ClientLink.objects.get(purpose=ClientLink.Purpose.FEEDBACK)
    assert f'name="link" value="{link.pk}"' in page.content.decode()  # a tab left open is recognised

    done = client.post(
        "/forms/feedback/",
        {"overall": "4", "pain_before": "7", "pain_after": "3", "pressure": "too_strong", "would_book_again": "yes",
         "comment": "Lovely, a bit firm"},
    )  # fmt: skip

    assert "Thank you" in done.content.decode()
    feedback = Feedback.objects.get(appointment=completed)
    assert (feedback.overall, feedback.pain_after, feedback.pressure, feedback.would_book_again) == (
        4, 3, "too_strong", True,
    )  # fmt: skip
    assert client.post("/forms/feedback/", {"overall": "5"}).status_code == 404


def test_a_missing_rating_re_shows_the_form(client, completed):
    open_link(client, completed)

    response = client.post("/forms/feedback/", {"comment": "Nice"})

    assert response.status_code == 400
    assert "Nice</textarea>" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_only_for_completed_sessions(salon, therapist, room, routine, client_, tomorrow):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    with pytest.raises(Conflict):
        feedback_record(appointment=appointment, overall=5)


def test_the_next_plan_mentions_the_feedback(salon, therapist, room, routine, completed, tomorrow):
    feedback_record(appointment=completed, overall=4, pressure="too_strong", comment="A bit firm")

    following = appointment_book(client=completed.client, routine=routine, start=at(tomorrow, 12))

    precautions = following.plan.plan["precautions"]
    assert any("rated last time 4/5" in line and "A bit firm" in line for line in precautions)
    assert any("too strong" in line for line in precautions)


def test_a_link_to_an_appointment_that_is_gone_is_refused_not_an_error(client, completed):
    from sessions.models import Appointment

    _, url = client_link_create(client=completed.client, purpose=ClientLink.Purpose.FEEDBACK, reference=completed.pk)
    client.get(url.removeprefix("http://127.0.0.1:8000"))
    Appointment.objects.filter(pk=completed.pk).delete()

    response = client.get("/forms/feedback/")

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
