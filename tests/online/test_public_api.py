"""The public API of online booking (/api/v1/public/): a salon's own website
lists the online menu and free times, holds a time for a client and, with
the token from the emailed link, confirms it. No token is needed; the
answers hold nothing about any client; bad input names the field; too many
tries get 429 with a code."""

import datetime
import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from routines.services import service_set
from sessions.models import Appointment, BookingHold
from tests.factories import short_routine
from tests.helpers import openapi_schema
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/public/"
HOLD_FIELDS = {
    "given_name": "Ada",
    "family_name": "Neumann",
    "email": "Ada.Neumann@example.com",
    "phone": "0151 23456789",
    "consent_reminders": True,
    "privacy_notice_accepted": True,
    "message": "First visit",
}


@pytest.fixture
def scene(db):
    """Open 8-20, Anna and Ben work 9-17; the 45-minute routine is on the
    online menu at 45 and 60 minutes, another routine only at the desk."""
    scene = salon_scenario(therapists=["Anna", "Ben"], rooms=["Linden", "Birke"], phone="+49 30 5550100")
    routine = short_routine(minutes=45, turnover=15)
    service_set(salon=scene.salon, routine=routine, lengths=[(45, 5500), (60, 7000)], online=True,
                description="Back, neck and shoulders.")  # fmt: skip
    desk_only = short_routine(slug="desk-only", minutes=30)
    service_set(salon=scene.salon, routine=desk_only, lengths=[(30, 4000)], online=False)
    scene.routine = routine
    return scene


@pytest.fixture
def api():
    return APIClient()


def free_times(api, scene, **query):
    """From tomorrow unless asked otherwise: today's first time could pass into the notice before it is held."""
    tomorrow = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=1)
    params = {"location": scene.salon.pk, "service": "short", "minutes": 60, "days": 14, "from": tomorrow, **query}
    return api.get(f"{PUBLIC}availability/", params)


def first_start(api, scene) -> str:
    days = free_times(api, scene).json()["days"]
    return next(day["starts"][0]["start"] for day in days if day["starts"])


def free_at(api, scene, start: str) -> list[int]:
    days = free_times(api, scene).json()["days"]
    return next((s["therapists"] for day in days for s in day["starts"] if s["start"] == start), [])


def hold(api, scene, start: str, **fields):
    body = {"location": scene.salon.pk, "service": "short", "minutes": 60, "start": start, **HOLD_FIELDS, **fields}
    return api.post(f"{PUBLIC}holds/", body, format="json")


def emailed_token() -> str:
    return re.search(r"/book/confirm/([^/\s]+)/", mail.outbox[-1].body).group(1)


# --- Reading: locations, menu, free times -------------------------------------


def test_locations_are_listed_for_anyone_and_not_kept_by_caches(api, scene):
    answer = api.get(f"{PUBLIC}locations/")

    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    [location] = answer.json()
    assert location["id"] == scene.salon.pk
    assert location["online_booking"] is True
    assert location["time_zone"] == "Europe/Berlin"


def test_the_menu_holds_only_services_bookable_online_with_their_prices(api, scene):
    answer = api.get(f"{PUBLIC}services/", {"location": scene.salon.pk})

    assert answer.status_code == 200
    assert answer.json() == [
        {
            "slug": "short",
            "name": scene.routine.name,
            "description": "Back, neck and shoulders.",
            "currency": "EUR",
            "lengths": [{"minutes": 45, "price_minor": 5500}, {"minutes": 60, "price_minor": 7000}],
        }
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "location"), ({"location": "x"}, "location"), ({"location": 999999}, "location")],
)
def test_the_menu_without_a_known_location_is_refused_naming_it(api, scene, query, field):
    answer = api.get(f"{PUBLIC}services/", query)

    assert answer.status_code == 400
    assert field in answer.json()["fields"]


def test_a_location_closed_to_online_booking_says_to_call(api, scene):
    scene.salon.online_booking = False
    scene.salon.save()

    answer = api.get(f"{PUBLIC}services/", {"location": scene.salon.pk})

    assert answer.status_code == 409
    assert answer.json()["code"] == "online_closed"
    assert "+49 30 5550100" in answer.json()["detail"]


def test_free_times_come_day_by_day_with_therapists_by_name_only(api, scene, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        answer = free_times(api, scene)

    assert answer.status_code == 200
    body = answer.json()
    assert body["minutes"] == 60
    assert len(body["days"]) == 14  # every day asked for, a day without a time too
    assert [day["date"] for day in body["days"]] == sorted(day["date"] for day in body["days"])
    assert {therapist["name"] for therapist in body["therapists"]} == {"Anna", "Ben"}
    ids = {therapist["id"] for therapist in body["therapists"]}
    start = next(start for day in body["days"] for start in day["starts"])
    assert set(start) == {"start", "therapists"}  # no rooms
    assert set(start["therapists"]) <= ids
    assert start["start"].endswith(("+01:00", "+02:00"))


def test_free_times_are_in_the_zone_of_the_location_asked_about(api, scene):
    # Given a second location in London, where Cem works from 9:00 on its wall clock
    london = salon_scenario(therapists=["Cem"], rooms=["Oak"], name="London", time_zone="Europe/London")
    service_set(salon=london.salon, routine=scene.routine, lengths=[(60, 6000)], online=True, description="Back.")

    # When a website asks for London's times (anonymous: the pages' zone would be the first location's)
    body = free_times(api, london).json()

    # Then every start is on London's clock, with London's offset
    starts = [start["start"] for day in body["days"] for start in day["starts"]]
    assert body["time_zone"] == "Europe/London"
    assert starts
    assert all(start.endswith(("+00:00", "Z", "+01:00")) for start in starts)
    first_of_each_day = {day["starts"][0]["start"][11:16] for day in body["days"] if day["starts"]}
    assert first_of_each_day == {"09:00"}


def test_free_times_of_one_therapist(api, scene):
    anna = scene.therapists[0]

    body = free_times(api, scene, therapist=anna.pk).json()

    assert body["therapists"] == [{"id": anna.pk, "name": "Anna"}]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"days": 15}, "days"),
        ({"days": 0}, "days"),
        ({"from": "2026-02-30"}, "from"),
        ({"service": "no-such-service"}, "service"),
        ({"service": "desk-only", "minutes": 30}, "service"),
        ({"minutes": 50}, "minutes"),
        ({"therapist": 999999}, "therapist"),
        ({"location": ""}, "location"),
        ({"location": 999999}, "location"),
    ],
)
def test_bad_questions_about_free_times_are_refused_naming_the_field(api, scene, query, field):
    answer = free_times(api, scene, **query)

    assert answer.status_code == 400
    assert field in answer.json()["fields"]


# --- Holding a time and confirming it -------------------------------------------


def test_a_client_holds_a_time_and_confirms_it_from_the_email(
    api, scene, eager_celery, django_capture_on_commit_callbacks
):
    start = first_start(api, scene)
    assert len(free_at(api, scene, start)) == 2

    # When the website holds the first free time for Ada
    with django_capture_on_commit_callbacks(execute=True):
        answer = hold(api, scene, start)

    # Then it is held, the answer repeats nothing she typed and holds no token,
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "held"
    assert set(body) == {"status", "expires_at", "start", "detail"}
    text = answer.content.decode().lower()
    # (her number's digits whole: a timestamp's fraction of a second may hold "151")
    for typed in ("ada", "neumann", "example.com", "23456789"):
        assert typed not in text
    # and the link to confirm goes to her address alone
    assert mail.outbox[-1].to == ["ada.neumann@example.com"]
    token = emailed_token()
    assert token not in answer.content.decode()
    # and one of the two therapists free then is no longer offered
    assert len(free_at(api, scene, start)) == 1

    # When she confirms with the token from the email
    confirmed = api.post(f"{PUBLIC}holds/confirm/", {"token": token}, format="json")

    # Then she is booked online, and the summary holds no personal or health data
    assert confirmed.status_code == 201
    summary = confirmed.json()
    assert summary["status"] == "booked"
    assert summary["service"] == {"slug": "short", "name": scene.routine.name}
    assert summary["price_minor"] == 7000
    assert summary["start"] == start
    assert "ada" not in confirmed.content.decode().lower()
    assert "plan" not in summary
    assert "client" not in summary
    appointment = Appointment.objects.get()
    assert appointment.origin == Appointment.Origin.ONLINE
    assert appointment.client.email == "ada.neumann@example.com"

    # and the link does not book twice
    again = api.post(f"{PUBLIC}holds/confirm/", {"token": token}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "hold_confirmed"


def test_a_hold_that_ran_out_cannot_be_confirmed(api, scene, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert hold(api, scene, first_start(api, scene)).status_code == 201
    BookingHold.objects.update(expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))

    answer = api.post(f"{PUBLIC}holds/confirm/", {"token": emailed_token()}, format="json")

    assert answer.status_code == 410
    assert answer.json()["code"] == "hold_expired"
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("token", ["", "not-a-token", "x" * 501])
def test_a_made_up_token_confirms_nothing(api, scene, token):
    answer = api.post(f"{PUBLIC}holds/confirm/", {"token": token}, format="json")

    assert answer.status_code in (400, 404)
    assert answer.json()["code"] in ("invalid", "link_invalid")
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"given_name": ""}, "given_name"),
        ({"family_name": "x" * 81}, "family_name"),
        ({"email": "not-an-address"}, "email"),
        ({"email": None}, "email"),
        ({"phone": "12"}, "phone"),
        ({"privacy_notice_accepted": False}, "privacy_notice_accepted"),
        ({"start": "2030-01-01T10:00:00"}, "start"),
        ({"service": "desk-only", "minutes": 30}, "service"),
        ({"minutes": 50}, "minutes"),
        ({"message": "x" * 501}, "message"),
        ({"therapist": 999999}, "therapist"),
    ],
)
def test_a_hold_with_bad_input_is_refused_naming_the_field(api, scene, fields, field):
    answer = hold(api, scene, **{"start": first_start(api, scene), **fields})

    assert answer.status_code == 400
    assert field in answer.json()["fields"]
    assert not BookingHold.objects.exists()


def test_a_time_that_is_not_free_is_a_conflict(api, scene):
    start = first_start(api, scene)
    assert hold(api, scene, start, therapist=scene.therapists[0].pk).status_code == 201

    answer = hold(api, scene, start, therapist=scene.therapists[0].pk, email="ben@example.com")

    assert answer.status_code == 409
    assert BookingHold.objects.count() == 1


def test_the_honeypot_field_filled_holds_nothing(api, scene, eager_celery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = hold(api, scene, first_start(api, scene), website="https://spam.example")

    assert answer.status_code == 400
    assert "website" in answer.json()["fields"]
    assert not BookingHold.objects.exists()
    assert mail.outbox == []


# --- Rate limits ------------------------------------------------------------------


def test_holds_from_one_caller_are_limited(api, scene):
    start = first_start(api, scene)
    answers = [hold(api, scene, start, email=f"client{n}@example.com", phone="").status_code for n in range(11)]

    # Anna and Ben take one each; the others find the time held
    assert sorted(answers[:10]) == [201] * 2 + [409] * 8
    limited = hold(api, scene, start, email="another@example.com", phone="")
    assert limited.status_code == 429
    assert limited.json()["code"] == "throttled"
    assert "Retry-After" in limited


def test_holds_for_one_address_are_limited_whoever_asks(scene):
    callers = [APIClient(REMOTE_ADDR=f"203.0.113.{n}") for n in range(7)]
    start = first_start(callers[0], scene)
    # The same address written differently counts as the same.
    emails = ["ada@example.com", "ADA@example.com ", "ada@Example.com"] * 2
    answers = [
        hold(caller, scene, start, email=email, phone="").status_code
        for caller, email in zip(callers[:6], emails, strict=True)
    ]

    assert answers[5] == 429
    assert answers[:5].count(429) == 0
    assert hold(callers[6], scene, start, email="ben@example.com", phone="").status_code != 429


def test_holds_for_one_phone_number_are_limited_however_written(scene):
    callers = [APIClient(REMOTE_ADDR=f"198.51.100.{n}") for n in range(6)]
    start = first_start(callers[0], scene)
    phones = ["0151 23456789", "+49 151 23456789", "0151/23456789"] * 2
    answers = [
        hold(caller, scene, start, email=f"c{n}@example.com", phone=phone).status_code
        for n, (caller, phone) in enumerate(zip(callers, phones, strict=True))
    ]

    assert answers[5] == 429
    assert 429 not in answers[:5]


def test_reading_is_limited_per_caller(api, scene):
    answers = [api.get(f"{PUBLIC}locations/").status_code for _ in range(61)]

    assert answers[:60] == [200] * 60
    assert answers[60] == 429


# --- The schema ---------------------------------------------------------------------


def test_the_schema_documents_the_public_api_without_a_login():
    paths = openapi_schema()["paths"]
    operations = {
        ("/api/v1/public/locations/", "get"): "200",
        ("/api/v1/public/services/", "get"): "200",
        ("/api/v1/public/availability/", "get"): "200",
        ("/api/v1/public/holds/", "post"): "201",
        ("/api/v1/public/holds/confirm/", "post"): "201",
    }
    for (path, method), success in operations.items():
        operation = paths[path][method]
        assert success in operation["responses"], path
        assert "429" in operation["responses"], path
        assert not operation.get("security"), path  # no login asked for
    assert "410" in paths["/api/v1/public/holds/confirm/"]["post"]["responses"]
    hold_body = openapi_schema()["components"]["schemas"]["HoldRequest"]
    assert {"website", "email", "privacy_notice_accepted"} <= set(hold_body["properties"])


# --- A phone number alone ---------------------------------------------------------


def test_a_client_with_only_a_phone_number_holds_and_confirms_from_the_sms(
    api, scene, eager_celery, django_capture_on_commit_callbacks, sms_outbox
):
    start = first_start(api, scene)

    # When the website holds a time for Ada with her phone number and no email address
    with django_capture_on_commit_callbacks(execute=True):
        answer = hold(api, scene, start, email="", phone="0151 23456789")

    # Then the answer says the link went by SMS, repeats nothing typed, and the SMS went to her alone
    assert answer.status_code == 201
    assert "by SMS" in answer.json()["detail"]
    assert "23456789" not in answer.content.decode()  # her number; a timestamp may hold "151"
    assert mail.outbox == []
    (sms,) = sms_outbox
    assert sms["to"] == "+4915123456789"
    token = re.search(r"/book/confirm/([^/\s]+)/", sms["text"]).group(1)
    assert token not in answer.content.decode()

    # When she confirms with the token from the SMS
    confirmed = api.post(f"{PUBLIC}holds/confirm/", {"token": token}, format="json")

    # Then she is booked online as a client known by that number
    assert confirmed.status_code == 201
    appointment = Appointment.objects.get()
    assert (appointment.client.phone, appointment.client.email) == ("+4915123456789", "")


def test_a_hold_without_an_email_or_a_phone_number_names_both_fields(api, scene):
    answer = hold(api, scene, first_start(api, scene), email="", phone="")

    assert answer.status_code == 400
    assert {"email", "phone"} <= set(answer.json()["fields"])
    assert not BookingHold.objects.exists()


def test_holds_for_a_phone_number_alone_are_limited_whoever_asks(scene):
    callers = [APIClient(REMOTE_ADDR=f"192.0.2.{n}") for n in range(6)]
    start = first_start(callers[0], scene)
    phones = ["0151 23456789", "+49 151 23456789"] * 3

    answers = [
        hold(caller, scene, start, email="", phone=phone).status_code
        for caller, phone in zip(callers, phones, strict=True)
    ]

    assert answers[5] == 429
    assert 429 not in answers[:5]


def test_the_schema_says_an_email_or_a_phone_number_will_do():
    hold_body = openapi_schema()["components"]["schemas"]["HoldRequest"]

    assert "email" not in hold_body.get("required", [])
    assert "phone" not in hold_body.get("required", [])
    assert "SMS" in hold_body["properties"]["phone"]["description"]
