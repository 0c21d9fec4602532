import pytest

from routines.models import RoutineStep, RoutineTemplate, Technique
from salon.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/routines/"


@pytest.fixture
def as_role(api_client):
    def login(role):
        api_client.force_authenticate(UserFactory(roles=[role]))
        return api_client

    return login


def new_routine_body(**overrides) -> dict:
    palm = Technique.objects.get(name="Open-palm stroking").pk
    body = {
        "slug": "short-back",
        "name": "Short back",
        "position": "prone",
        "turnover_minutes": 10,
        "supplies": {"oil": "Grapeseed oil", "towels": 2, "supports": ["Small pad"]},
        "precautions": ["No direct pressure on the spine."],
        "steps": [
            {"order": 1, "technique": palm, "areas": ["lower_back"], "pressure": "medium",
             "dose": {"kind": "duration", "min_minutes": 5, "max_minutes": 10}},
            {"order": 2, "technique": palm, "areas": ["upper_back"], "pressure": "light",
             "dose": {"kind": "count", "count": 6, "unit": "movements", "seconds_per_unit": 20}},
            {"order": 3, "technique": palm, "areas": ["lower_back"], "pressure": "light", "repeat_of": 1,
             "dose": {"kind": "duration", "min_minutes": 2, "max_minutes": 3}},
        ],
    }  # fmt: skip
    body.update(overrides)
    return body


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST, Role.MANAGER])
def test_all_staff_read_routines_with_steps_doses_and_durations(as_role, role):
    response = as_role(role).get(URL)

    assert response.status_code == 200
    classic = next(item for item in response.json()["results"] if item["slug"] == "classic-back-massage")
    assert classic["position"] == "prone"
    assert classic["durations"] == {"minimum_minutes": 42, "typical_minutes": 48, "slot_minutes": 75}
    assert len(classic["steps"]) == 10
    first, finish = classic["steps"][0], classic["steps"][9]
    assert first["dose"]["kind"] == "duration"
    assert (first["dose"]["min_minutes"], first["dose"]["max_minutes"]) == (5, 10)
    assert first["pressure"] == "medium"
    assert finish["repeat_of"] == 1
    assert classic["supplies"]["oil"].startswith("Massage oil")
    assert "No direct pressure on bones (shoulder blades, ribs, hips) or on the spine." in classic["precautions"]


def test_the_list_costs_a_fixed_number_of_queries(as_role, django_assert_max_num_queries):
    client = as_role(Role.THERAPIST)

    with django_assert_max_num_queries(6):  # zone (cached), roles, salon grid, count, routines, steps
        assert client.get(URL).status_code == 200


def test_a_manager_creates_a_routine(as_role):
    response = as_role(Role.MANAGER).post(URL, new_routine_body(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["version"] == 1
    assert body["areas"] == ["upper_back", "lower_back"]
    assert body["durations"]["typical_minutes"] == 8 + 2 + 3
    assert body["steps"][2]["repeat_of"] == 1
    assert body["supplies"] == {
        "surface": RoutineTemplate._meta.get_field("surface").default,
        "oil": "Grapeseed oil",
        "towels": 2,
        "supports": ["Small pad"],
    }


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_only_managers_write_routines(as_role, role):
    response = as_role(role).post(URL, new_routine_body(), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"steps": []}, "steps"),
        ({"name": ""}, "name"),
        ({"position": "upside_down"}, "position"),
        ({"steps": [{"order": 1, "technique": 1, "areas": ["knee"], "pressure": "light",
                     "dose": {"kind": "duration", "min_minutes": 5, "max_minutes": 5}}]}, "steps.0.areas.0"),
        ({"steps": [{"order": 2, "technique": 1, "areas": ["neck"], "pressure": "light",
                     "dose": {"kind": "duration", "min_minutes": 5, "max_minutes": 5}}]}, "steps"),
        ({"steps": [{"order": 1, "technique": 1, "areas": ["neck"], "pressure": "light",
                     "dose": {"kind": "duration", "min_minutes": 5, "max_minutes": 2}}]}, "steps.0.max_minutes"),
        ({"steps": [{"order": 1, "technique": 1, "areas": ["neck"], "pressure": "light", "repeat_of": 1,
                     "dose": {"kind": "duration", "min_minutes": 5, "max_minutes": 5}}]}, "steps.0.repeat_of"),
        ({"steps": [{"order": 1, "technique": 1, "areas": ["neck"], "pressure": "light",
                     "dose": {"kind": "count", "count": 3}}]}, "steps.0.seconds_per_unit"),
    ],
)  # fmt: skip
def test_invalid_routines_get_400_naming_the_field_and_nothing_is_saved(as_role, change, field):
    before = (RoutineTemplate.objects.count(), RoutineStep.objects.count())

    response = as_role(Role.MANAGER).post(URL, new_routine_body(**change), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"], body
    assert field.split(".")[0] in body["detail"]
    assert (RoutineTemplate.objects.count(), RoutineStep.objects.count()) == before


def test_editing_an_unused_routine_keeps_its_version(as_role):
    client = as_role(Role.MANAGER)
    created = client.post(URL, new_routine_body(), format="json").json()

    response = client.patch(f"{URL}{created['id']}/", {"name": "Short back, calm"}, format="json")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["version"]) == (created["id"], 1)
    assert len(response.json()["steps"]) == 3


def test_editing_a_used_routine_answers_with_the_new_version(as_role):
    from clients.outcome import ScreeningOutcome
    from sessions.services.plans import session_plan_create

    classic = RoutineTemplate.objects.get(slug="classic-back-massage")
    session_plan_create(routine=classic, outcome=ScreeningOutcome.neutral(), booked_minutes=60)

    response = as_role(Role.MANAGER).patch(f"{URL}{classic.pk}/", {"turnover_minutes": 20}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert body["id"] != classic.pk
    assert body["durations"]["slot_minutes"] == 75  # 48 + 20, rounded up to the quarter hour
    old = as_role(Role.MANAGER).get(f"{URL}{classic.pk}/").json()
    assert (old["is_current"], old["turnover_minutes"]) == (False, 15)


def test_editing_a_replaced_version_is_a_409(as_role):
    from clients.outcome import ScreeningOutcome
    from sessions.services.plans import session_plan_create

    classic = RoutineTemplate.objects.get(slug="classic-back-massage")
    session_plan_create(routine=classic, outcome=ScreeningOutcome.neutral(), booked_minutes=60)
    client = as_role(Role.MANAGER)
    client.patch(f"{URL}{classic.pk}/", {"turnover_minutes": 20}, format="json")

    response = client.patch(f"{URL}{classic.pk}/", {"turnover_minutes": 25}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "not_current_version"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.THERAPIST])
def test_preview_plan_builds_without_saving(as_role, role):
    from sessions.models import SessionPlan

    classic = RoutineTemplate.objects.get(slug="classic-back-massage")
    outcome = {
        "avoid_areas": ["neck"],
        "pressure_caps": {"lower_back": "medium"},
        "pain_points": [{"area": "lower_back", "side": "left", "intensity": 7}],
        "supports": [{"item": "Small pad", "area": "ankles"}],
    }

    response = as_role(role).post(
        f"{URL}{classic.pk}/preview-plan/", {"minutes": 45, "outcome": outcome}, format="json"
    )

    assert response.status_code == 200, response.json()
    plan = response.json()
    assert plan["planned_minutes"] <= 45
    assert all("neck" not in step["areas"] for step in plan["steps"])
    assert all(step["pressure_by_area"].get("lower_back") in {None, "light", "medium"} for step in plan["steps"])
    assert plan["supports"] == [{"item": "Small pad", "area": "ankles", "position": ""}]
    assert SessionPlan.objects.count() == 0


def test_preview_plan_is_not_for_receptionists(as_role):
    classic = RoutineTemplate.objects.get(slug="classic-back-massage")

    response = as_role(Role.RECEPTIONIST).post(f"{URL}{classic.pk}/preview-plan/", {"minutes": 60}, format="json")

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"minutes": 30}, 400, "booking_too_short", "minutes"),
        ({"minutes": 60, "outcome": {"avoid_areas": ["elbow"]}}, 400, "invalid", "outcome.avoid_areas.0"),
        ({"minutes": 60, "outcome": {"pressure_caps": {"neck": "crushing"}}}, 400, "invalid",
         "outcome.pressure_caps.neck"),
        ({"minutes": 60, "outcome": {"blocked_areas": ["lower_back"]}}, 400, "routine_blocked", None),
        ({"minutes": "soon"}, 400, "invalid", "minutes"),
    ],
)  # fmt: skip
def test_preview_plan_explains_what_is_wrong(as_role, body, status, code, field):
    classic = RoutineTemplate.objects.get(slug="classic-back-massage")

    response = as_role(Role.MANAGER).post(f"{URL}{classic.pk}/preview-plan/", body, format="json")

    assert response.status_code == status
    assert response.json()["code"] == code
    if field:
        assert field in response.json()["fields"]
