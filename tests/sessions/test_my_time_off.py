"""A therapist's time off under "my day": asking for whole days or part of
a day in the location's wall-clock time, seeing what became of each request
(with the manager's note), withdrawing one that waits."""

import datetime

import pytest

from salon.models import TimeOff
from salon.roles import Role
from sessions.services.time_off import time_off_add, time_off_decline, time_off_request
from tests.factories import TherapistFactory, UserFactory
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def therapist_page(client, therapist):
    sign_in(client, therapist.user)
    return client


@pytest.fixture
def day(tomorrow):
    return tomorrow + datetime.timedelta(days=14)


def test_my_day_links_to_time_off(therapist_page):
    assert 'href="/my-day/time-off/"' in therapist_page.get("/my-day/").content.decode()


def test_a_therapist_asks_for_days_off(therapist_page, therapist, salon, day):
    answer = therapist_page.post(
        "/my-day/time-off/request/",
        {
            "kind": "days",
            "days-first_day": day,
            "days-last_day": day + datetime.timedelta(days=4),
            "days-reason": "Holiday",
        },
    )

    assert answer.status_code == 302
    asked = TimeOff.objects.get()
    assert (asked.therapist, asked.status, asked.reason) == (therapist, TimeOff.Status.REQUESTED, "Holiday")
    assert (asked.start, asked.end) == (at(day, 0), at(day + datetime.timedelta(days=5), 0))  # Berlin midnights
    page = therapist_page.get(answer["Location"])
    assert "Waiting for a decision" in page.content.decode()
    (said,) = [str(message) for message in page.context["messages"]]
    assert said.startswith(f"Asked for time off: {day:%a} {day.day} {day:%b}")


def test_a_therapist_asks_for_part_of_a_day_in_the_locations_time(therapist_page, therapist, day):
    answer = therapist_page.post(
        "/my-day/time-off/request/",
        {"kind": "hours", "hours-day": day, "hours-starts": "13:30", "hours-ends": "17:00", "hours-reason": "Dentist"},
    )

    assert answer.status_code == 302
    asked = TimeOff.objects.get()
    assert (asked.start, asked.end) == (at(day, 13, 30), at(day, 17))


def test_an_overlapping_or_upside_down_request_is_refused_next_to_its_field(therapist_page, therapist, day):
    time_off_request(therapist=therapist, start=at(day, 0), end=at(day, 23), reason="", by=therapist.user)

    overlapping = therapist_page.post(
        "/my-day/time-off/request/",
        {"kind": "hours", "hours-day": day, "hours-starts": "13:00", "hours-ends": "15:00"},
    )
    upside_down = therapist_page.post(
        "/my-day/time-off/request/",
        {"kind": "days", "days-first_day": day, "days-last_day": day - datetime.timedelta(days=1)},
    )
    no_day = therapist_page.post("/my-day/time-off/request/", {"kind": "days", "days-first_day": ""})

    assert overlapping.status_code == 400
    assert overlapping.context["hours_form"].errors == {"day": ["You have already asked for time off then."]}
    assert upside_down.status_code == 400
    assert upside_down.context["days_form"].errors == {"last_day": ["The last day comes before the first."]}
    assert no_day.status_code == 400
    assert list(no_day.context["days_form"].errors) == ["first_day"]
    assert TimeOff.objects.count() == 1


def test_the_therapist_sees_each_status_and_the_managers_note(therapist_page, therapist, day, manager):
    declined = time_off_request(therapist=therapist, start=at(day, 9), end=at(day, 12), reason="", by=therapist.user)
    time_off_decline(time_off=declined, by=manager, note="Fully booked that morning.")
    next_day = day + datetime.timedelta(days=1)
    time_off_add(therapist=therapist, start=at(next_day, 0), end=at(next_day, 23), by=manager)

    text = therapist_page.get("/my-day/time-off/").content.decode()

    assert "Declined" in text
    assert "Fully booked that morning." in text
    assert "Approved" in text
    assert "Withdraw" not in text  # nothing waits


def test_a_therapist_withdraws_their_own_waiting_request_only(therapist_page, therapist, salon, day):
    own = time_off_request(therapist=therapist, start=at(day, 9), end=at(day, 12), reason="", by=therapist.user)
    ben = TherapistFactory(salon=salon, display_name="Ben")
    bens = time_off_request(therapist=ben, start=at(day, 9), end=at(day, 12), reason="", by=ben.user)

    others = therapist_page.post(f"/my-day/time-off/{bens.pk}/withdraw/")
    withdrawn = therapist_page.post(f"/my-day/time-off/{own.pk}/withdraw/")
    again = therapist_page.post(f"/my-day/time-off/{own.pk}/withdraw/")

    assert others.status_code == 403
    assert withdrawn.status_code == 302
    assert again.status_code == 404
    assert list(TimeOff.objects.all()) == [bens]


def test_a_manager_who_is_no_therapist_is_sent_to_the_managers_page(client, manager):
    sign_in(client, manager)

    answer = client.get("/my-day/time-off/")

    assert (answer.status_code, answer["Location"]) == (302, "/manage/time-off/")


def test_the_desk_has_no_time_off_page(client, salon):
    sign_in(client, UserFactory(roles=[Role.RECEPTIONIST]))

    assert client.get("/my-day/time-off/").status_code == 403
