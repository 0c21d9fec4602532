"""The API's list of a day's appointments (the desk's and the managers'
read): each with its history, in a number of queries that does not grow
with the day's bookings."""

import pytest

from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from tests.factories import ClientFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db

# Who asks and where, the count, the page, and the page's histories in one query.
DAY_LIST_QUERIES = 6


def _day_booked(salon, routine, day, hours):
    booked = []
    for hour in hours:
        appointment = appointment_book(client=ClientFactory(salon=salon), routine=routine, start=at(day, hour))
        booked.append(appointment_transition(appointment=appointment, to_status="checked_in", now=appointment.start))
    return booked


@pytest.mark.parametrize("hours", [(9, 11), (9, 10, 11, 12, 13, 14)])
def test_a_days_appointments_come_with_their_history_in_a_fixed_number_of_queries(
    api_client, receptionist, salon, therapist, room, routine, tomorrow, hours, django_assert_max_num_queries
):
    booked = _day_booked(salon, routine, tomorrow, hours)
    api_client.force_authenticate(receptionist)

    with django_assert_max_num_queries(DAY_LIST_QUERIES):
        listed = api_client.get(f"/api/v1/appointments/?date={tomorrow}&location={salon.pk}").json()

    assert [entry["id"] for entry in listed["results"]] == [appointment.pk for appointment in booked]
    for entry in listed["results"]:
        assert [change["kind"] for change in entry["history"]] == ["booked", "status"]
        assert entry["history"][-1]["to_status"] == "checked_in"


def test_each_appointment_of_the_list_reads_as_it_does_alone(
    api_client, receptionist, salon, therapist, room, routine, tomorrow
):
    _day_booked(salon, routine, tomorrow, (9, 11))
    api_client.force_authenticate(receptionist)

    listed = api_client.get(f"/api/v1/appointments/?date={tomorrow}&location={salon.pk}").json()["results"]

    assert listed == [api_client.get(f"/api/v1/appointments/{entry['id']}/").json() for entry in listed]
