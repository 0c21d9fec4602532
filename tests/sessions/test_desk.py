import pytest

from salon.roles import Role
from sessions.services.booking import appointment_book
from tests.factories import ClientFactory, TherapistFactory, UserFactory, screening_for, works_every_day
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client, password):
    user = UserFactory(roles=[Role.RECEPTIONIST])
    sign_in(client, user)
    return client


def test_therapists_do_not_use_the_desk(client, password, salon):
    user = UserFactory(roles=[Role.THERAPIST])
    sign_in(client, user)

    assert client.get("/desk/").status_code == 403


def test_the_grid_shows_bookings_with_flags_but_no_health_details(
    desk_client, salon, therapist, room, routine, client_, tomorrow
):
    screening_for(client_, oil_or_nut_allergy=True, allergies="almond oil")
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    html = desk_client.get(f"/desk/?date={tomorrow}").content.decode()

    assert "10:00 Sabine" in html
    assert "Needs therapist review" in html
    assert "almond" not in html
    assert 'aria-label="Book Anna at 09:45"' in html
    assert 'aria-label="Book Anna at 10:15"' not in html  # taken


def test_the_grid_costs_the_same_queries_for_few_or_many_bookings(
    desk_client, salon, therapist, room, routine, tomorrow, django_assert_max_num_queries
):
    for number in range(4):
        works_every_day(TherapistFactory(salon=salon, display_name=f"T{number}"))
    clients = [ClientFactory(salon=salon) for _ in range(6)]
    for index, person in enumerate(clients):
        appointment_book(client=person, routine=routine, start=at(tomorrow, 9 + index))

    with django_assert_max_num_queries(16):
        assert desk_client.get(f"/desk/?date={tomorrow}").status_code == 200


def test_booking_from_the_desk_with_a_new_client(desk_client, salon, therapist, room, routine, tomorrow):
    response = desk_client.post(
        "/desk/book/",
        {"start": f"{tomorrow}T10:00", "routine": routine.pk, "therapist": therapist.pk, "room": "",
         "new_given_name": "Ada", "new_family_name": "Neu", "new_phone": "0151 23456789"},
        headers={"HX-Request": "true"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Booked Ada Neu at 10:00." in response.content.decode()
    assert response["HX-Retarget"] == "#desk-grid"


def test_a_refused_booking_explains_itself_and_keeps_the_form(desk_client, salon, therapist, room, routine, tomorrow):
    response = desk_client.post(
        "/desk/book/",
        {"start": f"{tomorrow}T07:00", "routine": routine.pk, "therapist": therapist.pk, "room": "",
         "new_given_name": "Ada", "new_family_name": "Neu", "new_email": "ada@example.com"},
        headers={"HX-Request": "true"},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 400
    assert "is not working at" in html
    assert 'value="Ada"' in html
    from clients.models import Client

    assert not Client.objects.filter(given_name="Ada").exists()  # the quick-added client is rolled back too


def test_next_free_slot(desk_client, salon, therapist, room, routine):
    response = desk_client.get(f"/desk/next-free/?routine={routine.pk}&therapist={therapist.pk}")

    assert response.status_code == 200
    assert response.content.decode().count("<li>") == 6


def test_a_desk_date_that_is_no_date_is_refused(desk_client, salon):
    response = desk_client.get("/desk/?date=next-week")

    assert response.status_code == 400
    assert "Give the date as YYYY-MM-DD." in response.content.decode()


def test_an_unknown_desk_action_is_not_found(desk_client, salon, therapist, room, routine, tomorrow, client_):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    assert desk_client.post(f"/desk/appointments/{appointment.pk}/teleport/").status_code == 404


def test_a_move_without_a_valid_time_names_the_field(desk_client, salon, therapist, room, routine, tomorrow, client_):
    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    response = desk_client.post(f"/desk/appointments/{appointment.pk}/reschedule/", {"start": "soon"})

    assert response.status_code == 400
    assert "Give the new start as a date and time." in response.content.decode()
    appointment.refresh_from_db()
    assert appointment.start == at(tomorrow, 10)


@pytest.mark.parametrize("path", ["/desk/", "/desk/book/", "/desk/clients/?q=a", "/desk/next-free/"])
def test_before_any_salon_is_set_up_the_desk_says_so(client, receptionist, path):
    sign_in(client, receptionist)

    response = client.get(path)

    assert response.status_code == 409
    assert "No location is set up yet: a superuser adds the first one" in response.content.decode()
