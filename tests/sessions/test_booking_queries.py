"""What one booking through the API costs in queries (issue 20): a fixed
number, however many messages it writes, with the plan, the history and the
messages in the booking's own transaction."""

import datetime

import pytest
from django.utils import timezone

from salon.roles import Role
from sessions.models import Appointment, Notification, PressureFeedback, SessionNote
from sessions.services.booking import appointment_book
from tests.factories import UserFactory, screening_for, visit_with_pain
from tests.helpers import BERLIN, at

pytestmark = pytest.mark.django_db

# Auth 1 (token with its user and roles), input 2 (routine with its steps,
# location: the one named, or the room's), locks 3 (the client, the therapist
# with whether she works here, the room: each row read once, as it is locked),
# checks 3 (offered with the menu entry, the day's calendar: hours, shifts and
# rooms, time off with holds and bookings), plan 2 (screening, insert), the
# booking, its history and its messages 1 each, nothing read back: 14
# (bench/booking.py prints them by phase), and the savepoint the test's own
# transaction turns the booking's transaction into, 2. A client with a
# completed session costs 1 more (what it taught: a first visit's lock reads
# that there is none), and with a screening 1 more (what therapists decided on it).
BOOKING_QUERIES = 14 + 2
LAST_SESSION = 1
SCREENING_DECISIONS = 1
# With the therapist and the room left to the booking: no room to say where
# (the caller's location instead), the day's calendar of every therapist (1
# more: the therapists), then, under the chosen one's lock, hers again (2
# more: hours, shifts and rooms, time off with holds and bookings), and the
# chosen room checked again after its lock (1 more): 18.
CHOSEN_QUERIES = 18 + 2


@pytest.fixture
def desk(api_client, password):
    """A receptionist calling with a real token, so its lookup is counted."""
    UserFactory(username="desk-queries", roles=[Role.RECEPTIONIST])
    answer = api_client.post("/api/v1/auth/token/", {"username": "desk-queries", "password": password}, format="json")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    api_client.cookies.clear()  # the token alone, as a script calls: no session to load
    return api_client


@pytest.fixture
def days_ahead() -> datetime.date:
    """Far enough that both reminders and the second intake request are still ahead."""
    return (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=4)).date()


def test_a_booking_costs_a_fixed_number_of_queries_whatever_it_writes(
    desk, salon, therapist, room, routine, client_, days_ahead, django_assert_max_num_queries
):
    # given a client who takes reminders and has no screening yet: a confirmation,
    # two reminders and two intake requests to write
    client_.consent_reminders = True
    client_.save(update_fields=["consent_reminders"])
    body = {"client": client_.pk, "routine": routine.pk, "therapist": therapist.pk, "room": room.pk}
    warm = desk.post("/api/v1/appointments/", {**body, "start": at(days_ahead, 9).isoformat()}, format="json")
    assert warm.status_code == 201, warm.json()

    # when the desk books again
    with django_assert_max_num_queries(BOOKING_QUERIES):
        created = desk.post("/api/v1/appointments/", {**body, "start": at(days_ahead, 11).isoformat()}, format="json")

    # then the plan, the history and every message were written with it
    assert created.status_code == 201, created.json()
    appointment = Appointment.objects.get(pk=created.json()["id"])
    assert appointment.plan is not None
    assert [change.kind for change in appointment.changes.all()] == ["booked"]
    kinds = sorted(Notification.objects.filter(appointment=appointment).values_list("kind", flat=True))
    assert kinds == ["confirmation", "intake_request", "intake_request", "reminder", "reminder"]


def test_the_booking_answer_is_what_reading_it_back_gives(desk, salon, room, routine, client_, days_ahead):
    # given a booking that leaves the therapist and the room to the desk's choice
    body = {"client": client_.pk, "routine": routine.pk, "start": at(days_ahead, 10).isoformat()}

    # when it is made and then read back
    created = desk.post("/api/v1/appointments/", body, format="json")
    read = desk.get(f"/api/v1/appointments/{created.json()['id']}/")

    # then the answer to the booking was not made up from anything but the stored row
    assert created.status_code == 201, created.json()
    assert created.json() == read.json()
    assert created.json()["location"] == salon.pk


def test_a_returning_client_costs_no_more_than_what_their_screening_adds(
    desk, salon, therapist, room, routine, client_, days_ahead, django_assert_max_num_queries
):
    # given a client with a screening and a completed session the therapist and the client said much about
    screening_for(client_)
    last = visit_with_pain(client_, routine, at(days_ahead - datetime.timedelta(days=1), 9), after=2)
    PressureFeedback.objects.create(appointment=last, verdict=PressureFeedback.Verdict.TOO_STRONG)
    SessionNote.objects.create(appointment=last, advice="Stretch the neck daily.")
    body = {"client": client_.pk, "routine": routine.pk, "therapist": therapist.pk, "room": room.pk}
    warm = desk.post("/api/v1/appointments/", {**body, "start": at(days_ahead, 9).isoformat()}, format="json")
    assert warm.status_code == 201, warm.json()

    # when the desk books them again
    with django_assert_max_num_queries(BOOKING_QUERIES + LAST_SESSION + SCREENING_DECISIONS):
        created = desk.post("/api/v1/appointments/", {**body, "start": at(days_ahead, 11).isoformat()}, format="json")

    # then the plan learned from that session: all of it was read within the count
    assert created.status_code == 201, created.json()
    plan = Appointment.objects.get(pk=created.json()["id"]).plan
    assert plan.outcome["max_pressure"] == "medium"
    assert any("Stretch the neck daily." in line for line in plan.outcome["precautions"])


def test_a_booking_without_a_room_or_therapist_named_costs_a_fixed_number_too(
    desk, salon, routine, client_, days_ahead, django_assert_max_num_queries
):
    # given the desk leaves the therapist and the room to the booking
    body = {"client": client_.pk, "routine": routine.pk}
    warm = desk.post("/api/v1/appointments/", {**body, "start": at(days_ahead, 9).isoformat()}, format="json")
    assert warm.status_code == 201, warm.json()

    # when it books again, the chosen therapist's calendar is read again under her lock
    with django_assert_max_num_queries(CHOSEN_QUERIES):
        created = desk.post("/api/v1/appointments/", {**body, "start": at(days_ahead, 11).isoformat()}, format="json")

    # then it is booked with both chosen
    assert created.status_code == 201, created.json()
    booked = Appointment.objects.get(pk=created.json()["id"])
    assert booked.therapist_id is not None
    assert booked.room_id is not None


# The service called with the rows already read (the desk's pages, online
# bookings, the waitlist): the booking's 14 less auth and input, 11, and the savepoints.
SERVICE_QUERIES = 11 + 2


def test_booking_through_the_service_costs_what_the_api_adds_nothing_to(
    salon, therapist, room, routine, client_, days_ahead, django_assert_max_num_queries
):
    # given a client who takes reminders, booked once already
    client_.consent_reminders = True
    client_.save(update_fields=["consent_reminders"])
    chosen = {"client": client_, "salon": salon, "routine": routine, "therapist": therapist, "room": room}
    appointment_book(**chosen, start=at(days_ahead, 9))

    # when the service books them again
    with django_assert_max_num_queries(SERVICE_QUERIES):
        appointment = appointment_book(**chosen, start=at(days_ahead, 11))

    # then the plan, the history and every message were written with it
    assert appointment.plan_id is not None
    assert [change.kind for change in appointment.changes.all()] == ["booked"]
    kinds = sorted(Notification.objects.filter(appointment=appointment).values_list("kind", flat=True))
    assert kinds == ["confirmation", "intake_request", "intake_request", "reminder", "reminder"]


@pytest.mark.parametrize(
    ("unknown", "named"),
    [("client", ("therapist", "room")), ("therapist", ("room",)), ("room", ("therapist",)), ("room", ())],
)
def test_an_id_that_names_nothing_is_refused_on_its_field_and_nothing_is_booked(
    desk, salon, therapist, room, routine, client_, days_ahead, unknown, named
):
    # given a booking naming a client, therapist or room that does not exist (the API reads
    # none of them before the booking reads them as it locks them)
    chosen = {"therapist": therapist.pk, "room": room.pk}
    body = {"client": client_.pk, "routine": routine.pk, "start": at(days_ahead, 9).isoformat()}
    body |= {field: chosen[field] for field in named} | {unknown: 987654}

    # when the desk books it
    refused = desk.post("/api/v1/appointments/", body, format="json")

    # then it is refused on that field, and nothing is written
    assert refused.status_code == 400, refused.json()
    assert list(refused.json()["fields"]) == [unknown]
    assert not Appointment.objects.exists()
    assert not Notification.objects.exists()


# Moving through the API, therapist and room named (as the desk's drag and drop
# sends them): auth 1, the appointment read with its rows (who may move it, and
# the answer) 1, locks 3 (the appointment with its client, routine and location;
# the therapist with whether she works there; the room), the day's calendar 2,
# the move 1, its messages 2 (the pending reminders withdrawn, the notice and the
# new reminders in one insert), its history 1, the history read for the answer 1:
# 12, and the savepoint of the test's transaction, 2.
MOVE_QUERIES = 12 + 2
# Cancelling: auth 1, the appointment read 1, locked 1, the change 1, its history 1,
# its messages 2 (the pending withdrawn, the notice written), the history read 1: 8.
CANCEL_QUERIES = 8 + 2


@pytest.fixture
def booked(desk, therapist, room, routine, client_, days_ahead) -> dict:
    """A booking made through the API for a client who takes reminders."""
    client_.consent_reminders = True
    client_.save(update_fields=["consent_reminders"])
    body = {"client": client_.pk, "routine": routine.pk, "therapist": therapist.pk, "room": room.pk}
    created = desk.post("/api/v1/appointments/", {**body, "start": at(days_ahead, 9).isoformat()}, format="json")
    assert created.status_code == 201, created.json()
    return created.json()


def test_a_move_costs_a_fixed_number_of_queries_and_answers_what_reading_it_back_gives(
    desk, booked, therapist, room, days_ahead, django_assert_max_num_queries
):
    # given a booking, and another moved once already (every query compiled)
    address = f"/api/v1/appointments/{booked['id']}/reschedule/"
    warm = desk.post(address, {"start": at(days_ahead, 15).isoformat()}, format="json")
    assert warm.status_code == 200, warm.json()

    # when the desk moves it, naming the therapist and the room
    body = {"start": at(days_ahead, 11).isoformat(), "therapist": therapist.pk, "room": room.pk}
    with django_assert_max_num_queries(MOVE_QUERIES):
        moved = desk.post(address, body, format="json")

    # then the answer is the appointment as stored, with its whole history, and the messages moved with it
    assert moved.status_code == 200, moved.json()
    assert moved.json() == desk.get(f"/api/v1/appointments/{booked['id']}/").json()
    assert [change["kind"] for change in moved.json()["history"]] == ["booked", "rescheduled", "rescheduled"]
    waiting = Notification.objects.filter(appointment_id=booked["id"], status=Notification.Status.PENDING)
    assert sorted(waiting.values_list("kind", flat=True)) == [
        "confirmation", "intake_request", "intake_request", "reminder", "reminder", "reschedule", "reschedule",
    ]  # fmt: skip


def test_a_move_to_someone_unknown_is_refused_on_that_field(desk, booked, days_ahead):
    # given a booking

    # when the desk moves it to a therapist or a room that does not exist
    for field in ("therapist", "room"):
        body = {"start": at(days_ahead, 11).isoformat(), field: 987654}
        refused = desk.post(f"/api/v1/appointments/{booked['id']}/reschedule/", body, format="json")

        # then it is refused on that field, and the booking stays
        assert refused.status_code == 400, refused.json()
        assert list(refused.json()["fields"]) == [field]
    assert Appointment.objects.get(pk=booked["id"]).start == at(days_ahead, 9)


def test_a_cancel_costs_a_fixed_number_of_queries_and_answers_what_reading_it_back_gives(
    desk, booked, django_assert_max_num_queries
):
    # given a booking with a confirmation, reminders and intake requests waiting

    # when the desk cancels it
    with django_assert_max_num_queries(CANCEL_QUERIES):
        cancelled = desk.post(f"/api/v1/appointments/{booked['id']}/cancel/", {"reason": "Ill"}, format="json")

    # then the answer is the appointment as stored, and only the cancellation notice waits
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json() == desk.get(f"/api/v1/appointments/{booked['id']}/").json()
    assert cancelled.json()["status"] == "cancelled"
    assert [change["kind"] for change in cancelled.json()["history"]] == ["booked", "status"]
    waiting = Notification.objects.filter(appointment_id=booked["id"], status=Notification.Status.PENDING)
    assert list(waiting.values_list("kind", flat=True)) == ["cancellation"]
    assert Appointment.objects.get(pk=booked["id"]).calendar_sequence == 1


def test_a_second_cancel_is_refused_and_writes_nothing(desk, booked):
    # given a cancelled booking
    address = f"/api/v1/appointments/{booked['id']}/cancel/"
    assert desk.post(address, {"reason": "Ill"}, format="json").status_code == 200

    # when the desk cancels it again
    again = desk.post(address, {"reason": "Ill"}, format="json")

    # then it is refused, with the one notice and the one history row kept
    assert again.status_code == 409, again.json()
    assert again.json()["code"] == "invalid_transition"
    assert Notification.objects.filter(appointment_id=booked["id"], kind="cancellation").count() == 1
    assert Appointment.objects.get(pk=booked["id"]).changes.count() == 2
