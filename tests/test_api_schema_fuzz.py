"""schemathesis over the API's OpenAPI schema, as a manager and as a
receptionist: no answer is a server error, and every answer has a status
and a body the schema declares. Bounded and deterministic: a fixed seed,
derandomized generation, a few examples per operation (about two minutes
for the whole run), so a failure here is a new mismatch, not bad luck.

Path ids point at real rows most of the time (a salon with a therapist, a
client with a screening, a booking and its messages), so operations are
exercised past their 404s."""

import datetime

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client as BrowserClient
from django.utils import timezone
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from salon.roles import Role
from tests.factories import UserFactory, screening_for
from tests.helpers import openapi_schema, sign_in
from tests.scenario import salon_scenario

SEED = 14
MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        # Function-scoped fixtures are meant: the rows a run creates stay for its later examples.
        "suppress-health-check": ["all"],
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # Real credentials are sent; made-up tokens would only test the 401.
            "with-security-parameters": False,
        },
        "phases": {
            # Boundary values of every parameter, as valid input only: the
            # invalid variants number in the thousands; fuzzing sends both.
            "coverage": {"generation": {"mode": "positive"}},
            "fuzzing": {"generation": {"mode": "all"}},
        },
    }
)
schema = schemathesis.openapi.from_dict(openapi_schema(), config=CONFIG)
application = WSGIHandler()

# Ids of rows in the database, by the first part of the path after /api/v1/.
known_ids: dict[str, list[int]] = {}


def point_at_rows(case) -> None:
    """Two generated ids in three become a real row's id (the third stays as
    generated, for the 404s). Done on the case, so every phase gets it."""
    resource = case.operation.path.split("/")[3]
    for name, value in (case.path_parameters or {}).items():
        rows = known_ids.get("clients" if name == "client_pk" else resource)
        if rows and isinstance(value, int) and not isinstance(value, bool) and value % 3:
            case.path_parameters[name] = rows[value % len(rows)]


@pytest.fixture
def keep_test_connection():
    """Django's WSGI handler closes the database connection after each
    request (the test's transaction with it); the test client stops that
    too, as here."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def salon_world(db, keep_test_connection):
    from routines.selectors import routine_list
    from sessions.models import Appointment, Notification
    from sessions.services.booking import appointment_book

    scene = salon_scenario(clients=["Sabine", "Jonas"])
    screening_for(scene.client, allergies="Nuts", pain_map=[{"area": "neck", "side": "left", "intensity": 4}])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    routine = routine_list().order_by("pk").first()
    appointment_book(client=scene.client, routine=routine, start=scene.at(tomorrow, 10), therapist=scene.therapist)
    known_ids.clear()
    known_ids.update(
        {
            "appointments": list(Appointment.objects.values_list("pk", flat=True)),
            "clients": [client.pk for client in scene.clients],
            "notifications": list(Notification.objects.values_list("pk", flat=True)),
            "routines": list(routine_list().values_list("pk", flat=True)),
            "salons": [scene.salon.pk],
        }
    )
    assert all(known_ids.values()), known_ids  # else the run would test only 404s
    yield scene
    known_ids.clear()


ROLES = {"manager": Role.MANAGER, "receptionist": Role.RECEPTIONIST}


@pytest.fixture(params=sorted(ROLES))
def signed_in(request, salon_world) -> dict:
    """A real session of a member of staff (the pages' login), with the CSRF
    token a browser would send: the cookies and headers of each call. (The
    WSGI client keeps cookies in a jar of its own; a Cookie header would be
    dropped.)"""
    user = UserFactory(username=f"fuzz-{request.param}", roles=[ROLES[request.param]])
    browser = BrowserClient()
    sign_in(browser, user)
    csrf = _get_new_csrf_string()
    return {
        "cookies": {
            settings.SESSION_COOKIE_NAME: browser.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.CSRF_COOKIE_NAME: csrf,
        },
        "headers": {"X-CSRFToken": csrf},
    }


def test_the_schema_has_operations_to_fuzz():
    """Not a silent pass: the run covers every operation of the schema."""
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    assert {"/api/v1/appointments/", "/api/v1/clients/{client_pk}/screenings/"} <= {op.path for op in operations}


@schema.parametrize()
def test_api_answers_as_its_schema_says(case, signed_in):
    point_at_rows(case)
    case.call_and_validate(app=application, checks=CHECKS, **signed_in)
