"""Weekly opening hours, set as a whole week: a break is two spans on a day,
a day without any is closed; a week that would leave a session still to
come outside the hours is refused with the sessions named (unless that day
keeps special hours or is closed anyway); the API reads them for all staff
and lets managers replace them."""

import datetime

import pytest

from salon.errors import Conflict, InvalidInput
from salon.models import OpeningHours
from salon.roles import Role
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from sessions.services.closures import opening_hours_set, special_hours_set
from tests.factories import UserFactory
from tests.helpers import at

pytestmark = pytest.mark.django_db

EIGHT, TWELVE, ONE, EIGHT_PM = datetime.time(8), datetime.time(12), datetime.time(13), datetime.time(20)


def starts(salon, routine, day):
    slots, _ = availability(salon=salon, routine=routine, first_day=day, last_day=day)
    return sorted({slot.as_dict(salon.zone)["start"].time() for slot in slots})


def a_week(*, lunch: bool = True, closed: tuple[int, ...] = ()) -> list:
    spans = [(EIGHT, TWELVE), (ONE, EIGHT_PM)] if lunch else [(EIGHT, EIGHT_PM)]
    return [(day, opens, closes) for day in range(7) if day not in closed for opens, closes in spans]


def test_a_lunch_break_and_a_closed_day(salon, therapist, room, routine, tomorrow):
    opening_hours_set(salon=salon, hours=a_week(closed=(tomorrow.weekday(),)))

    assert starts(salon, routine, tomorrow) == []
    day_after = starts(salon, routine, tomorrow + datetime.timedelta(days=1))
    assert datetime.time(11) in day_after
    assert datetime.time(12) not in day_after  # the break (therapist 9–17)
    assert datetime.time(13) in day_after
    assert OpeningHours.objects.filter(salon=salon).count() == 12


def test_the_week_is_replaced_whole(salon):
    opening_hours_set(salon=salon, hours=[(0, EIGHT, TWELVE)])

    assert list(OpeningHours.objects.filter(salon=salon).values_list("weekday", "opens", "closes")) == [
        (0, EIGHT, TWELVE)
    ]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ([(0, TWELVE, EIGHT)], "Monday: closes before it opens."),
        ([(2, EIGHT, ONE), (2, TWELVE, EIGHT_PM)], "Wednesday: 08:00–13:00 and 12:00–20:00 overlap."),
        ([(7, EIGHT, TWELVE)], "Unknown weekday."),
    ],
)
def test_hours_must_make_sense(salon, hours, message):
    before = list(OpeningHours.objects.values_list("pk", flat=True))

    with pytest.raises(InvalidInput) as refused:
        opening_hours_set(salon=salon, hours=hours)

    assert refused.value.fields == {"hours": [message]}
    assert list(OpeningHours.objects.values_list("pk", flat=True)) == before


def test_a_week_that_strands_a_booked_session_is_refused_with_it_named(
    salon, therapist, room, routine, client_, tomorrow
):
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 12))
    before = list(OpeningHours.objects.values_list("pk", flat=True))

    with pytest.raises(Conflict) as refused:
        opening_hours_set(salon=salon, hours=a_week())

    assert refused.value.code == "bookings_in_the_way"
    assert "12:00" in refused.value.fields["hours"][0]
    assert str(client_) in refused.value.fields["hours"][0]
    assert list(OpeningHours.objects.values_list("pk", flat=True)) == before
    # A day with special hours of its own keeps them: the week does not touch it.
    special_hours_set(salon=salon, day=tomorrow, hours=[(EIGHT, EIGHT_PM)])
    opening_hours_set(salon=salon, hours=a_week())


def test_everyone_reads_the_week_and_managers_replace_it(api_client, salon, receptionist):
    api_client.force_authenticate(receptionist)
    read = api_client.get(f"/api/v1/opening-hours/?location={salon.pk}")
    refused = api_client.put("/api/v1/opening-hours/", {"hours": []}, format="json")

    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))
    body = {
        "hours": [
            {"weekday": 0, "opens": "08:00", "closes": "12:00"},
            {"weekday": 0, "opens": "13:00", "closes": "20:00"},
        ]
    }
    replaced = api_client.put(f"/api/v1/opening-hours/?location={salon.pk}", body, format="json")
    backwards = api_client.put(
        "/api/v1/opening-hours/", {"hours": [{"weekday": 1, "opens": "12:00", "closes": "08:00"}]}, format="json"
    )
    overlapping = api_client.put(
        "/api/v1/opening-hours/",
        {
            "hours": [
                {"weekday": 1, "opens": "08:00", "closes": "13:00"},
                {"weekday": 1, "opens": "12:00", "closes": "20:00"},
            ]
        },
        format="json",
    )

    assert read.status_code == 200
    assert len(read.json()) == 7
    assert read.json()[0] == {"weekday": 0, "opens": "08:00:00", "closes": "20:00:00"}
    assert refused.status_code == 403
    assert replaced.status_code == 200, replaced.json()
    assert replaced.json() == [
        {"weekday": 0, "opens": "08:00:00", "closes": "12:00:00"},
        {"weekday": 0, "opens": "13:00:00", "closes": "20:00:00"},
    ]
    assert backwards.status_code == 400
    assert "hours.0.closes" in backwards.json()["fields"]
    assert overlapping.status_code == 400
    assert overlapping.json()["fields"] == {"hours": ["Tuesday: 08:00–13:00 and 12:00–20:00 overlap."]}


def test_the_api_refusal_names_the_session(api_client, salon, therapist, room, routine, client_, tomorrow):
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 12))
    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))

    refused = api_client.put("/api/v1/opening-hours/", {"hours": []}, format="json")

    assert refused.status_code == 409
    assert refused.json()["code"] == "bookings_in_the_way"
    assert str(client_) in refused.json()["fields"]["hours"][0]
