import datetime

import pytest

from salon.errors import Conflict, InvalidInput
from salon.models import TimeOff
from salon.roles import Role
from sessions.models import Appointment
from sessions.services.booking import appointment_book, appointment_reschedule
from sessions.services.lifecycle import appointment_transition
from tests.factories import RoomFactory, TherapistFactory, UserFactory, screening_for, short_routine, works_every_day
from tests.helpers import BERLIN, at, move_to_now

pytestmark = pytest.mark.django_db


def test_a_booking_takes_the_slot_and_builds_the_plan(salon, therapist, room, routine, client_, tomorrow):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    assert (appointment.therapist, appointment.room, appointment.status) == (therapist, room, "booked")
    assert appointment.end - appointment.start == datetime.timedelta(minutes=45)
    assert appointment.busy_until - appointment.start == datetime.timedelta(minutes=60)
    assert appointment.plan.plan["planned_minutes"] == 45
    assert appointment.plan.routine == routine
    assert appointment.changes.get().kind == "booked"


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (lambda day: at(day - datetime.timedelta(days=2), 10), "in_the_past"),
        (lambda day: at(day, 7), "outside_working_hours"),
        (lambda day: at(day, 16, 15), "outside_working_hours"),  # the turnover would run past 17:00
        (lambda day: at(day, 10, 7), "not_on_grid"),
        (lambda day: at(day + datetime.timedelta(days=500), 10), "too_far_ahead"),
    ],
)
def test_times_that_cannot_be_booked_are_refused_with_a_code(
    salon, therapist, room, routine, client_, tomorrow, when, code
):
    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=client_, routine=routine, start=when(tomorrow))

    assert refused.value.code == code
    assert Appointment.objects.count() == 0


def test_too_short_notice(salon, therapist, room, routine, client_):
    now = at(datetime.date(2027, 1, 11), 9, 30)

    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=client_, routine=routine, start=at(now.date(), 10), now=now)

    assert refused.value.code == "too_short_notice"


def test_a_busy_therapist_is_a_409_naming_the_clashing_time(salon, therapist, room, routine, client_, tomorrow):
    RoomFactory(salon=salon, name="Birke")
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 10), therapist=therapist)

    with pytest.raises(Conflict) as refused:
        appointment_book(client=client_, routine=routine, start=at(tomorrow, 10, 30), therapist=therapist)

    assert refused.value.code == "therapist_busy"
    assert "10:00 to 11:00" in refused.value.detail


def test_a_busy_room_is_a_409(salon, therapist, room, routine, client_, tomorrow):
    other = TherapistFactory(salon=salon, display_name="Jonas")
    works_every_day(other)
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 10), therapist=therapist, room=room)

    with pytest.raises(Conflict) as refused:
        appointment_book(client=client_, routine=routine, start=at(tomorrow, 10), therapist=other, room=room)

    assert refused.value.code == "room_busy"


def test_therapist_and_room_are_chosen_when_left_out(salon, therapist, room, routine, client_, tomorrow):
    other = TherapistFactory(salon=salon, display_name="Jonas")
    works_every_day(other)
    second_room = RoomFactory(salon=salon, name="Birke")

    first = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    second = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    assert {first.therapist, second.therapist} == {therapist, other}
    assert {first.room, second.room} == {room, second_room}
    with pytest.raises(Conflict):
        appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))


def test_time_off_counts_as_not_working(salon, therapist, room, routine, client_, tomorrow):
    TimeOff.objects.create(therapist=therapist, start=at(tomorrow, 9), end=at(tomorrow, 12))

    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=client_, routine=routine, start=at(tomorrow, 10), therapist=therapist)

    assert refused.value.code == "outside_working_hours"


def test_an_unqualified_therapist_is_refused(salon, therapist, room, client_, tomorrow):
    pregnancy = short_routine(slug="pregnancy-short", minutes=45, turnover=15, qualification="pregnancy")

    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=client_, routine=pregnancy, start=at(tomorrow, 10), therapist=therapist)

    assert refused.value.code == "not_qualified"


def test_a_contraindication_says_only_that_a_therapist_must_review(salon, therapist, room, routine, client_, tomorrow):
    screening_for(client_, acute_spinal_inflammation=True)

    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    assert refused.value.code == "contraindicated"
    assert "inflammation" not in refused.value.detail
    assert "spine" not in refused.value.detail


def test_a_salon_can_require_a_screening_before_the_first_visit(salon, therapist, room, routine, client_, tomorrow):
    salon.screening_required = True
    salon.save()

    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    screening_for(client_)
    booked = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    assert refused.value.code == "screening_required"
    assert booked.pk


def test_status_changes_follow_the_life_of_a_session(salon, therapist, room, routine, client_, tomorrow):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    for status in ["checked_in", "in_progress", "completed"]:
        appointment = appointment_transition(appointment=appointment, to_status=status, now=appointment.start)

    assert appointment.status == "completed"
    assert [change.to_status for change in appointment.changes.all()] == [
        "booked",
        "checked_in",
        "in_progress",
        "completed",
    ]
    with pytest.raises(Conflict) as refused:
        appointment_transition(appointment=appointment, to_status="cancelled", reason="late")
    assert refused.value.code == "invalid_transition"


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ([], "in_progress"),
        ([], "completed"),
        (["cancelled"], "booked"),
        (["no_show"], "checked_in"),
        (["checked_in", "in_progress"], "cancelled"),
    ],
)
def test_transitions_that_make_no_sense_are_refused(salon, therapist, room, routine, client_, tomorrow, path, target):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    for status in path:
        appointment = appointment_transition(
            appointment=appointment, to_status=status, reason="reason", now=appointment.start
        )

    with pytest.raises(Conflict):
        appointment_transition(appointment=appointment, to_status=target, reason="reason")


def test_cancelling_frees_the_time_and_keeps_the_reason(salon, therapist, room, routine, client_, tomorrow):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    cancelled = appointment_transition(appointment=appointment, to_status="cancelled", reason="Client is ill")
    again = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    assert cancelled.cancellation_reason == "Client is ill"
    assert again.therapist == therapist


def test_rescheduling_moves_the_booking_and_keeps_the_history(salon, therapist, room, routine, client_, tomorrow):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    moved = appointment_reschedule(appointment=appointment, start=at(tomorrow, 10, 30))

    assert moved.start == at(tomorrow, 10, 30)
    assert moved.busy_until == at(tomorrow, 11, 30)
    change = moved.changes.get(kind="rescheduled")
    assert (change.from_start, change.to_start) == (at(tomorrow, 10), at(tomorrow, 10, 30))


def test_rescheduling_onto_another_booking_is_a_409(salon, therapist, room, routine, client_, tomorrow):
    first = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 12))

    with pytest.raises(Conflict):
        appointment_reschedule(appointment=first, start=at(tomorrow, 11, 30))

    first.refresh_from_db()
    assert first.start == at(tomorrow, 10)


class TestApi:
    @pytest.fixture
    def desk(self, api_client):
        api_client.force_authenticate(UserFactory(roles=[Role.RECEPTIONIST]))
        return api_client

    def test_book_and_act_through_the_api(self, desk, salon, therapist, room, routine, client_, tomorrow):
        body = {"client": client_.pk, "routine": routine.pk, "start": at(tomorrow, 10).isoformat()}

        created = desk.post("/api/v1/appointments/", body, format="json")
        appointment = created.json()
        clash = desk.post("/api/v1/appointments/", body, format="json")
        too_soon = desk.post(f"/api/v1/appointments/{appointment['id']}/check-in/")
        move_to_now(Appointment.objects.get(pk=appointment["id"]))  # the day has come
        checked_in = desk.post(f"/api/v1/appointments/{appointment['id']}/check-in/")

        assert created.status_code == 201, appointment
        assert appointment["start"] == at(tomorrow, 10).isoformat()
        assert (appointment["therapist"], appointment["room"]) == (therapist.pk, room.pk)
        assert clash.status_code == 409
        assert clash.json()["code"] == "therapist_busy"
        assert too_soon.status_code == 409
        assert too_soon.json()["code"] == "check_in_too_early"
        assert checked_in.json()["status"] == "checked_in"

    def test_the_front_desk_cannot_start_a_session(self, desk, salon, therapist, room, routine, client_, tomorrow):
        appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

        assert desk.post(f"/api/v1/appointments/{appointment.pk}/start/").status_code == 403

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"start": "tomorrow"}, "start"),
            ({"client": 999999}, "client"),
            ({"routine": None}, "routine"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, desk, salon, routine, client_, tomorrow, body, field):
        base = {"client": client_.pk, "routine": routine.pk, "start": at(tomorrow, 10).isoformat()}

        response = desk.post("/api/v1/appointments/", {**base, **body}, format="json")

        assert response.status_code == 400
        assert field in response.json()["fields"]

    def test_availability_answers_with_offsets(self, desk, salon, therapist, room, routine, tomorrow):
        response = desk.get(f"/api/v1/availability/?routine={routine.pk}&start={tomorrow}&end={tomorrow}")

        slot = response.json()["slots"][0]
        assert slot["start"] == at(tomorrow, 9).isoformat()
        assert (slot["therapist"], slot["room"]) == (therapist.pk, room.pk)

    def test_availability_needs_a_sane_range(self, desk, routine, tomorrow):
        response = desk.get(f"/api/v1/availability/?routine={routine.pk}&start={tomorrow}&end=2020-01-01")

        assert response.status_code == 400
        assert "end" in response.json()["fields"]


def test_a_therapist_with_a_session_now_reads_the_clients_answers(
    api_client, salon, therapist, room, routine, client_, tomorrow
):
    screening_for(client_, allergies="almond oil")
    api_client.force_authenticate(therapist.user)
    assert api_client.get(f"/api/v1/clients/{client_.pk}/screenings/").status_code == 403

    appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    response = api_client.get(f"/api/v1/clients/{client_.pk}/screenings/")
    assert response.status_code == 200
    assert response.json()[0]["allergies"] == "almond oil"


def test_times_are_stored_in_utc(salon, therapist, room, routine, client_, tomorrow):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    stored = Appointment.objects.values_list("start", flat=True).get(pk=appointment.pk)
    assert stored.utcoffset() == datetime.timedelta(0)
    assert stored.astimezone(BERLIN).hour == 10


def test_a_routine_that_would_lose_its_core_is_refused_at_booking_and_in_availability(
    salon, therapist, room, client_, tomorrow
):
    from clients.services import screening_create
    from routines.models import RoutineTemplate
    from salon.errors import InvalidInput
    from sessions.selectors import availability
    from tests.factories import screening_answers

    relief = RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True)
    screening_create(
        client=client_, answers=screening_answers(skin_injuries=True, skin_injury_areas=["lower_back"]),
        entered_via="staff",
    )  # fmt: skip

    slots, reason = availability(salon=salon, routine=relief, first_day=tomorrow, last_day=tomorrow, client=client_)
    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=client_, routine=relief, start=at(tomorrow, 10))

    assert (slots, refused.value.code) == ([], "core_step_lost")
    assert "would lose a step it cannot do without" in reason
    assert "lower back" not in refused.value.detail  # the desk is told that, not why
