"""No input is a 500: whatever comes in, the API answers 400 (or 413) in its
error shape, naming the field, and pages answer with a refusal page or a
form error. The date tests are parametrised over every date and date-time
query parameter the schema lists, so a new one is covered by itself."""

import datetime
import json

import pytest
from django.utils import timezone

from clients.models import ClientLink, HealthScreening
from clients.services import client_create, client_link_create, screening_create
from salon.errors import InvalidInput
from salon.roles import Role
from tests.factories import UserFactory, screening_answers
from tests.helpers import openapi_schema, sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

SCHEMA = openapi_schema()


def date_parameters(formats: set[str]) -> list[tuple[str, str, str]]:
    """(path, parameter, format) of every query parameter of a GET with one of ``formats``."""
    found = []
    for path, item in SCHEMA["paths"].items():
        for parameter in item.get("get", {}).get("parameters", []):
            if parameter["in"] == "query" and parameter["schema"].get("format") in formats:
                found.append((path, parameter["name"], parameter["schema"]["format"]))
    return found


DATE_PARAMETERS = date_parameters({"date", "date-time"})
DATE_TIME_PARAMETERS = [entry for entry in DATE_PARAMETERS if entry[2] == "date-time"]


@pytest.fixture
def scene():
    scene = salon_scenario()
    scene.therapist.user.groups.add(*UserFactory(roles=[Role.MANAGER]).groups.all())
    return scene


@pytest.fixture
def manager_api(api_client, scene):
    api_client.force_authenticate(scene.therapist.user)  # a therapist who is also a manager: every GET is theirs
    return api_client


def query_for(path: str, name: str, value: str, scene) -> dict:
    """Valid values for the operation's other required parameters, and ``value`` for ``name``."""
    from routines.selectors import routine_list, routine_spec
    from routines.services import service_set

    today = timezone.localdate().isoformat()
    routine = routine_list().first()
    valid = {"routine": routine.pk, "start": today, "end": today, "date": today}
    valid.update(client=scene.client.pk, sessions=3, interval_days=7)  # a course's
    if path.startswith("/api/v1/public/"):  # online booking's: a service bookable online there
        length = routine_spec(routine).typical_minutes
        service_set(salon=scene.salon, routine=routine, online=True, lengths=[(length, 5000)])
        valid.update(location=scene.salon.pk, service=routine.slug)
    query = {name: value}
    for parameter in SCHEMA["paths"][path]["get"]["parameters"]:
        if parameter["in"] == "query" and parameter.get("required") and parameter["name"] != name:
            assert parameter["name"] in valid, f"Give a valid value for {parameter['name']} of {path} here."
            query[parameter["name"]] = valid[parameter["name"]]
    return query


def assert_refused(response, field: str, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "detail", "fields"}
    assert field in body["fields"], body
    return body


def test_the_schema_lists_the_date_parameters():
    """The parametrised tests below are not empty; today's are all there."""
    assert {(path, name) for path, name, _ in DATE_PARAMETERS} >= {
        ("/api/v1/availability/", "start"),
        ("/api/v1/availability/", "end"),
        ("/api/v1/appointments/", "date"),
        ("/api/v1/day/", "date"),
        ("/api/v1/notifications/", "due_after"),
        ("/api/v1/notifications/", "due_before"),
    }


@pytest.mark.parametrize(("path", "name", "kind"), DATE_PARAMETERS)
@pytest.mark.parametrize("year", ["0001", "1899", "2201", "9999"])
def test_a_date_far_outside_the_range_is_a_400_naming_the_parameter(manager_api, scene, path, name, kind, year):
    value = f"{year}-12-31" if kind == "date" else f"{year}-12-31T23:59:59+14:00"

    response = manager_api.get(path, query_for(path, name, value, scene))

    body = assert_refused(response, name)
    assert body["code"] == "date_out_of_range"


@pytest.mark.parametrize(("path", "name", "kind"), DATE_TIME_PARAMETERS)
@pytest.mark.parametrize("offset", ["+16:00", "-23:59", "+23:59"])
def test_an_offset_beyond_fifteen_hours_fifty_nine_is_a_400(manager_api, scene, path, name, kind, offset):
    response = manager_api.get(path, query_for(path, name, f"2025-06-01T10:00:00{offset}", scene))

    body = assert_refused(response, name)
    assert body["code"] == "offset_out_of_range"


@pytest.mark.parametrize(("path", "name", "kind"), DATE_PARAMETERS)
def test_the_first_and_last_day_of_the_range_are_taken(manager_api, scene, path, name, kind):
    for day in ["1900-01-01", "2200-12-31"]:
        value = day if kind == "date" else f"{day}T12:00:00+01:00"
        query = query_for(path, name, value, scene)
        if path == "/api/v1/availability/":
            query.update(start=day, end=day)

        response = manager_api.get(path, query)

        assert response.status_code == 200, response.content


@pytest.mark.parametrize("field", ["start"])
def test_a_booking_time_without_an_offset_is_refused_with_its_own_code(manager_api, scene, field):
    from routines.selectors import routine_list

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    body = {"client": scene.client.pk, "routine": routine_list().first().pk, field: f"{tomorrow}T10:00:00"}

    response = manager_api.post("/api/v1/appointments/", body, format="json")

    assert assert_refused(response, field)["code"] == "naive_datetime"


def test_naive_date_times_are_documented_as_refused():
    assert "naive_datetime" in SCHEMA["info"]["description"]


# NUL characters: PostgreSQL cannot store them in text.


def test_a_nul_in_a_search_is_a_400(manager_api, scene):
    response = manager_api.get("/api/v1/clients/", {"q": "Sab\x00ine"})

    assert assert_refused(response, "q")["code"] == "nul_character"


def test_a_nul_in_a_json_body_is_a_400(manager_api, scene):
    body = {"given_name": "Sa\x00bine", "family_name": "Krüger", "email": "s@example.com"}

    response = manager_api.post("/api/v1/clients/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_a_nul_in_a_page_search_is_a_refusal_page(client, scene):
    sign_in(client, scene.therapist.user)

    response = client.get("/clients/", {"q": "Sab\x00ine"})

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_posted_form_field_is_a_400(client, scene):
    from routines.selectors import routine_list
    from sessions.services.booking import appointment_book

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    appointment = appointment_book(client=scene.client, routine=routine_list().first(), start=scene.at(tomorrow, 10))
    sign_in(client, scene.therapist.user)

    response = client.post(f"/desk/appointments/{appointment.pk}/cancel/", {"reason": "ill\x00"})

    assert response.status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == "booked"


# Bodies: deep, large.


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_from_an_anonymous_caller_is_a_400(api_client, depth):
    response = api_client.post("/api/v1/auth/token/", nested(depth), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_deeply_nested_json_from_staff_is_a_400(manager_api, scene):
    body = json.dumps({"minutes": 30, "outcome": {"pressure_caps": json.loads(nested(50))}})

    response = manager_api.post("/api/v1/routines/1/preview-plan/", body, content_type="application/json")

    assert response.status_code == 400


def test_a_body_over_the_limit_is_a_413_in_the_error_shape(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 2000, "password": "y"})

    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")

    assert response.status_code == 413
    assert response.json() == {"code": "too_large", "detail": "The request body is over 1000 bytes.", "fields": {}}


def test_a_form_body_over_the_limit_is_a_413(client, scene, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    sign_in(client, scene.therapist.user)

    response = client.post("/desk/book/", {"new_given_name": "x" * 2000})

    assert response.status_code == 413


def test_a_json_body_just_under_the_limit_is_read(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 100, "password": "y"})

    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")

    assert response.status_code == 400  # a wrong password, not a refused body
    assert response.json()["code"] != "too_large"


def test_an_unknown_api_address_is_a_404_in_the_error_shape(manager_api, scene):
    response = manager_api.get("/api/v1/clients/not-an-id/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Pages: dates and ids in query parameters and forms.


@pytest.mark.parametrize("url", ["/desk/?date=0001-01-01", "/desk/?date=9999-12-31", "/my-day/?date=0001-01-01"])
def test_a_page_date_far_outside_the_range_is_a_refusal_page(client, scene, url):
    sign_in(client, scene.therapist.user)

    response = client.get(url)

    assert response.status_code == 400
    assert "between 1900 and 2200" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/desk/next-free/?service=abc", "/desk/next-free/?service=1:x", "/desk/next-free/?service=1&therapist=²"]
)
def test_a_page_id_that_is_no_number_is_a_refusal_page(client, scene, url):
    sign_in(client, scene.therapist.user)

    response = client.get(url)

    assert response.status_code == 400
    assert "must be a number" in response.content.decode()


def test_a_booking_form_date_far_outside_the_range_is_a_form_error(client, scene):
    from routines.selectors import routine_list

    sign_in(client, scene.therapist.user)

    response = client.post(
        "/desk/book/",
        {"start": "0001-01-01T10:00", "routine": routine_list().first().pk, "client": scene.client.pk},
    )

    assert response.status_code == 400
    assert "between 1900 and 2200" in response.content.decode()


def test_an_injury_date_in_the_future_is_a_form_error_on_the_intake_form(client, scene):
    _, url = client_link_create(client=scene.client, purpose=ClientLink.Purpose.INTAKE)
    client.get(url.removeprefix("http://127.0.0.1:8000"))
    answers = {
        "consent_treatment": "on",
        "consent_health_data": "on",
        "consent_name": "Sabine",
        "recent_injury": "on",
        "recent_injury_when": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
    }

    response = client.post("/forms/intake/", answers)

    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not HealthScreening.objects.filter(client=scene.client).exists()


def test_an_intake_year_far_outside_the_range_is_a_form_error(client, scene):
    _, url = client_link_create(client=scene.client, purpose=ClientLink.Purpose.INTAKE)
    client.get(url.removeprefix("http://127.0.0.1:8000"))
    answers = {"consent_treatment": "on", "consent_health_data": "on", "consent_name": "Sabine"}

    response = client.post("/forms/intake/", {**answers, "recent_injury": "on", "recent_injury_when": "0001-01-01"})

    assert response.status_code == 400
    assert "between 1900 and 2200" in response.content.decode()


# Size limits and what a name or a date may be, enforced in the services.


@pytest.mark.parametrize("name", ["\u200b\u200b", " \u00a0\t", "\u200d\u2060\ufeff", "\x01\x02"])
@pytest.mark.parametrize("field", ["given_name", "family_name"])
def test_a_client_name_of_invisible_characters_only_is_refused(scene, name, field):
    names = {"given_name": "Sabine", "family_name": "Krüger", field: name}

    with pytest.raises(InvalidInput) as refused:
        client_create(salon=scene.salon, email="s@example.com", **names)

    assert field in refused.value.fields


def test_names_in_any_script_are_taken(scene):
    client = client_create(salon=scene.salon, given_name="Ångström", family_name="ıšık 李", email="a@example.com")

    assert client.pk


@pytest.mark.parametrize(
    "born",
    # Tomorrow is worked out when the test runs: a run that passes midnight collected it the day before.
    [lambda: datetime.date(1899, 12, 31), lambda: timezone.localdate() + datetime.timedelta(days=1)],
    ids=["1899", "tomorrow"],
)
def test_a_date_of_birth_in_the_future_or_before_1900_is_refused(scene, born):
    born = born()
    with pytest.raises(InvalidInput) as refused:
        client_create(salon=scene.salon, given_name="S", family_name="K", email="s@example.com", date_of_birth=born)

    assert "date_of_birth" in refused.value.fields


def test_a_date_of_birth_through_the_api_names_the_field(manager_api, scene):
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    body = {"given_name": "S", "family_name": "K", "email": "s@example.com", "date_of_birth": future}

    response = manager_api.post("/api/v1/clients/", body, format="json")

    assert_refused(response, "date_of_birth")


def test_an_injury_date_in_the_future_is_refused_by_the_service(scene):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(InvalidInput) as refused:
        screening_create(
            client=scene.client,
            answers=screening_answers(recent_injury=True, recent_injury_when=tomorrow),
            entered_via=HealthScreening.EnteredVia.STAFF,
        )

    assert "recent_injury_when" in refused.value.fields


@pytest.mark.parametrize("field", ["allergies", "medications", "conditions"])
def test_screening_text_over_its_length_is_refused_by_the_service(scene, field):
    with pytest.raises(InvalidInput) as refused:
        screening_create(
            client=scene.client,
            answers=screening_answers(**{field: "x" * 2001}),
            entered_via=HealthScreening.EnteredVia.STAFF,
        )

    assert field in refused.value.fields


def test_a_pain_map_over_its_length_is_refused_by_the_service(scene):
    points = [{"area": "neck", "side": "left", "intensity": 3}] * 25

    with pytest.raises(InvalidInput) as refused:
        screening_create(
            client=scene.client,
            answers=screening_answers(pain_map=points),
            entered_via=HealthScreening.EnteredVia.STAFF,
        )

    assert "pain_map" in refused.value.fields


def test_front_desk_notes_over_their_length_are_refused(scene):
    with pytest.raises(InvalidInput) as refused:
        client_create(salon=scene.salon, given_name="S", family_name="K", phone="+4930123", front_desk_notes="x" * 2001)

    assert "front_desk_notes" in refused.value.fields


def test_a_cancel_reason_over_its_length_is_refused_on_the_desk(client, scene):
    from routines.selectors import routine_list
    from sessions.services.booking import appointment_book

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    appointment = appointment_book(client=scene.client, routine=routine_list().first(), start=scene.at(tomorrow, 10))
    sign_in(client, scene.therapist.user)

    response = client.post(f"/desk/appointments/{appointment.pk}/cancel/", {"reason": "x" * 301})

    assert response.status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == "booked"


@pytest.mark.parametrize(
    ("component", "field", "limit"),
    [
        ("Client", "front_desk_notes", 2000),
        ("Client", "given_name", 80),
        ("Screening", "allergies", 2000),
        ("Screening", "medications", 2000),
        ("Screening", "conditions", 2000),
        ("Notes", "work_done", 4000),
        ("Reason", "reason", 300),
        ("ClearanceRequest", "note", 1000),
    ],
)
def test_text_limits_are_in_the_schema(component, field, limit):
    assert SCHEMA["components"]["schemas"][component]["properties"][field]["maxLength"] == limit


def test_the_pain_map_limit_is_in_the_schema():
    assert SCHEMA["components"]["schemas"]["Screening"]["properties"]["pain_map"]["maxItems"] == 24


def test_a_system_change_has_no_author_in_the_schema():
    assert SCHEMA["components"]["schemas"]["AppointmentChange"]["properties"]["by"]["nullable"] is True


def test_every_operation_documents_its_errors_in_the_one_shape():
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            for status in ["400", "401", "403", "404"]:
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (method, path, status)
