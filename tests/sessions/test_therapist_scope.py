"""A therapist sees their own work: their appointments and the clients of
their sessions. The front desk and managers see the whole salon."""

import pytest

from clients.models import HealthScreening
from salon.errors import Conflict, Forbidden
from salon.roles import Role
from sessions.models import Appointment
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.running import session_review_acknowledge, session_start
from tests.factories import UserFactory
from tests.helpers import at, sign_in
from tests.scenario import salon_scenario


@pytest.fixture
def scene(db):
    """Anna and Ben; Sabine is Anna's client, Tom is Ben's; Uwe's only
    session with Anna was cancelled."""
    return salon_scenario(therapists=["Anna", "Ben"], rooms=["Linden", "Birke"], clients=["Sabine", "Tom", "Uwe"])


@pytest.fixture
def booked(scene, routine, tomorrow):
    anna, ben = scene.therapists
    sabine, tom, uwe = scene.clients
    own = appointment_book(client=sabine, routine=routine, start=at(tomorrow, 9), therapist=anna)
    other = appointment_book(client=tom, routine=routine, start=at(tomorrow, 9), therapist=ben)
    cancelled = appointment_book(client=uwe, routine=routine, start=at(tomorrow, 11), therapist=anna)
    appointment_transition(appointment=cancelled, to_status="cancelled", reason="Client called")
    return {"own": own, "other": other, "cancelled": cancelled}


@pytest.fixture
def anna_api(api_client, scene):
    api_client.force_authenticate(scene.therapists[0].user)
    return api_client


def test_a_therapist_lists_only_their_own_appointments(anna_api, booked, scene, tomorrow):
    ben = scene.therapists[1]

    everything = anna_api.get("/api/v1/appointments/")
    asked_for_ben = anna_api.get(f"/api/v1/appointments/?therapist={ben.pk}&date={tomorrow}")

    assert sorted(row["id"] for row in everything.json()["results"]) == sorted(
        [booked["own"].pk, booked["cancelled"].pk]
    )
    assert asked_for_ben.status_code == 200
    assert asked_for_ben.json()["results"] == []


@pytest.mark.parametrize("path", ["", "plan/"])
def test_a_therapist_cannot_read_another_therapists_appointment(anna_api, booked, path):
    own = anna_api.get(f"/api/v1/appointments/{booked['own'].pk}/{path}")
    other = anna_api.get(f"/api/v1/appointments/{booked['other'].pk}/{path}")

    assert own.status_code == 200
    assert other.status_code == 403
    assert other.json()["code"] == "permission_denied"
    assert "Tom" not in other.content.decode()


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.MANAGER])
def test_the_front_desk_and_managers_keep_the_full_view(api_client, booked, scene, role):
    api_client.force_authenticate(UserFactory(roles=[role]))
    ben = scene.therapists[1]

    everything = api_client.get("/api/v1/appointments/")
    bens = api_client.get(f"/api/v1/appointments/?therapist={ben.pk}")
    clients = api_client.get("/api/v1/clients/")

    assert everything.json()["count"] == 3
    assert [row["id"] for row in bens.json()["results"]] == [booked["other"].pk]
    assert api_client.get(f"/api/v1/appointments/{booked['other'].pk}/").status_code == 200
    assert clients.json()["count"] == 3


def test_a_therapist_who_also_works_the_desk_sees_everything(api_client, booked, scene):
    anna = scene.therapists[0].user
    anna.groups.add(*UserFactory(roles=[Role.RECEPTIONIST]).groups.all())
    api_client.force_authenticate(anna)

    assert api_client.get("/api/v1/appointments/").json()["count"] == 3


def test_a_therapist_lists_and_reads_only_the_clients_of_their_sessions(anna_api, booked, scene):
    sabine, tom, uwe = scene.clients

    listed = anna_api.get("/api/v1/clients/")
    searched = anna_api.get("/api/v1/clients/?q=tom")

    assert [row["id"] for row in listed.json()["results"]] == [sabine.pk]  # Uwe's session was cancelled
    assert searched.json()["count"] == 0
    assert anna_api.get(f"/api/v1/clients/{sabine.pk}/").status_code == 200
    for client in (tom, uwe):
        for path in ("", "screening-outcome/", "screenings/"):
            response = anna_api.get(f"/api/v1/clients/{client.pk}/{path}")
            assert response.status_code == 403, (client, path)


def test_availability_for_a_client_is_refused_for_someone_elses(anna_api, booked, scene, routine, tomorrow):
    tom = scene.clients[1]
    query = f"/api/v1/availability/?routine={routine.pk}&start={tomorrow}&end={tomorrow}"

    own = anna_api.get(f"{query}&client={scene.clients[0].pk}")
    others = anna_api.get(f"{query}&client={tom.pk}")
    unknown = anna_api.get(f"{query}&client=987654")

    assert own.status_code == 200
    # someone else's client reads exactly like an id that does not exist
    assert (others.status_code, unknown.status_code) == (400, 400)
    assert others.json()["fields"]["client"] == [
        message.replace("987654", str(tom.pk)) for message in unknown.json()["fields"]["client"]
    ]


def test_the_therapists_list_keeps_its_query_count(anna_api, scene, routine, tomorrow, django_assert_max_num_queries):
    anna = scene.therapists[0]
    for hour in (9, 10, 11, 12, 13, 14):
        appointment_book(client=scene.clients[0], routine=routine, start=at(tomorrow, hour), therapist=anna)

    with django_assert_max_num_queries(8):
        response = anna_api.get("/api/v1/appointments/")
    with django_assert_max_num_queries(6):
        clients = anna_api.get("/api/v1/clients/")

    assert response.json()["count"] == 6
    assert clients.json()["count"] == 1


# Pages


@pytest.fixture
def anna_browser(client, scene):
    sign_in(client, scene.therapists[0].user)
    return client


def test_a_therapist_finds_only_their_clients_on_the_client_pages(anna_browser, booked, scene):
    sabine, tom, _ = scene.clients

    found_sabine = anna_browser.get("/clients/?q=sabine")
    found_tom = anna_browser.get("/clients/?q=tom")
    own = anna_browser.get(f"/clients/{sabine.pk}/")
    other = anna_browser.get(f"/clients/{tom.pk}/")

    assert list(found_sabine.context["clients"]) == [sabine]
    assert list(found_tom.context["clients"]) == []
    assert own.status_code == 200
    assert other.status_code == 403
    assert tom.family_name not in other.content.decode()


def test_a_therapist_sees_only_their_own_visits_on_a_clients_page(anna_browser, booked, scene, routine, tomorrow):
    sabine = scene.clients[0]
    ben = scene.therapists[1]
    appointment_book(client=sabine, routine=routine, start=at(tomorrow, 15), therapist=ben)

    page = anna_browser.get(f"/clients/{sabine.pk}/")

    assert [visit.therapist for visit in page.context["visits"]] == [scene.therapists[0]]


@pytest.mark.parametrize("path", ["/desk/", "/desk/clients/?client_query=t", "/desk/next-free/"])
def test_the_desk_pages_are_not_for_therapists(anna_browser, booked, path):
    assert anna_browser.get(path).status_code == 403


def test_a_therapist_cannot_open_another_therapists_session_page(anna_browser, booked):
    assert anna_browser.get(f"/sessions/{booked['own'].pk}/").status_code == 200
    assert anna_browser.get(f"/sessions/{booked['other'].pk}/").status_code == 403


# Filing a screening


ANSWERS = {"consent_treatment": True, "consent_health_data": True, "consent_name": "Tom Example"}


def test_another_therapist_cannot_file_a_screening(anna_api, booked, scene):
    tom = scene.clients[1]

    response = anna_api.post(f"/api/v1/clients/{tom.pk}/screenings/", ANSWERS, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not HealthScreening.objects.filter(client=tom).exists()


@pytest.mark.parametrize("who", ["own therapist", Role.RECEPTIONIST, Role.MANAGER])
def test_the_front_desk_managers_and_the_clients_own_therapists_file_screenings(api_client, booked, scene, who):
    tom = scene.clients[1]
    user = scene.therapists[1].user if who == "own therapist" else UserFactory(roles=[who])
    api_client.force_authenticate(user)

    response = api_client.post(f"/api/v1/clients/{tom.pk}/screenings/", ANSWERS, format="json")

    assert response.status_code == 201, response.json()
    screening = HealthScreening.objects.get(client=tom)
    assert (screening.entered_via, screening.entered_by) == ("staff", user)
    assert screening.entered_by_role == ("Therapist" if who == "own therapist" else who)


def test_answers_the_front_desk_typed_in_wait_for_the_therapists_review(api_client, booked, scene):
    # given healthy answers from a paper form, typed in by the front desk
    sabine = scene.clients[0]
    api_client.force_authenticate(UserFactory(roles=[Role.RECEPTIONIST]))
    receipt = api_client.post(f"/api/v1/clients/{sabine.pk}/screenings/", ANSWERS, format="json")
    flags = api_client.get(f"/api/v1/clients/{sabine.pk}/screening-outcome/")

    # then the desk gets a receipt without answers and the flag only
    assert set(receipt.json()) == {"id", "created_at", "flags"}  # no answers
    assert flags.json() == {"flags": [{"code": "needs_therapist_review", "label": "Needs therapist review"}]}

    # and the session cannot start until the therapist has acknowledged the review
    session = Appointment.objects.get(pk=booked["own"].pk)
    appointment_transition(appointment=session, to_status="checked_in", now=session.start)
    with pytest.raises(Conflict) as refused:
        session_start(appointment=session, by=scene.therapists[0].user)
    assert refused.value.code == "review_required"
    finding = next(item for item in session.plan.outcome["findings"] if item["rule"] == "entered_by_front_desk")
    assert finding["severity"] == "review"

    session_review_acknowledge(appointment=session, by=scene.therapists[0].user)
    assert session_start(appointment=session, by=scene.therapists[0].user).status == "in_progress"


def test_answers_a_therapist_typed_in_need_no_extra_review(api_client, booked, scene):
    sabine = scene.clients[0]
    api_client.force_authenticate(scene.therapists[0].user)

    api_client.post(f"/api/v1/clients/{sabine.pk}/screenings/", ANSWERS, format="json")

    session = Appointment.objects.get(pk=booked["own"].pk)
    assert not [item for item in session.plan.outcome["findings"] if item["rule"] == "entered_by_front_desk"]


def test_the_service_itself_refuses_a_screening_from_another_therapist(booked, scene):
    from clients.services import screening_create

    ben, tom = scene.therapists[1].user, scene.clients[1]
    anna = scene.therapists[0].user

    with pytest.raises(Forbidden):
        screening_create(client=tom, answers=dict(ANSWERS), entered_via="staff", entered_by=anna)
    screening = screening_create(client=tom, answers=dict(ANSWERS), entered_via="staff", entered_by=ben)

    assert screening.entered_by_role == "Therapist"
