"""Every API error has the shape {"code", "detail", "fields"}."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from salon.errors import Conflict, InvalidInput, NotFound, flatten_field_errors
from salon.rest import exception_handler
from salon.roles import Role
from tests.factories import SalonFactory, UserFactory


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InvalidInput("Start must be in the future.", fields={"start": ["In the past."]}), 400, "invalid"),
        (Conflict("Anna is busy then.", code="therapist_busy"), 409, "therapist_busy"),
        (NotFound(), 404, "not_found"),
    ],
)
def test_domain_errors_map_to_status_and_code(error, status, code):
    response = exception_handler(error, {})

    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["detail"] == error.detail
    assert response.data["fields"] == error.fields


def test_model_validation_errors_become_400_naming_each_field():
    error = ValidationError({"time_zone": ["Mars/Olympus is not an IANA time zone."], "name": ["Required."]})

    response = exception_handler(error, {})

    assert response.status_code == 400
    assert response.data["fields"] == {"time_zone": ["Mars/Olympus is not an IANA time zone."], "name": ["Required."]}
    assert "time_zone: Mars/Olympus" in response.data["detail"]


def test_nested_serializer_errors_are_flattened_to_dotted_names():
    class Point(serializers.Serializer):
        intensity = serializers.IntegerField(min_value=0, max_value=10)

    class Screening(serializers.Serializer):
        pain_map = Point(many=True)

    screening = Screening(data={"pain_map": [{"intensity": 3}, {"intensity": 12}]})
    assert not screening.is_valid()

    assert flatten_field_errors(screening.errors) == {
        "pain_map.1.intensity": ["Ensure this value is less than or equal to 10."]
    }


def test_unexpected_errors_are_left_to_django():
    assert exception_handler(RuntimeError("bug"), {}) is None


@pytest.mark.django_db
def test_unknown_object_is_a_404_in_the_common_shape(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))

    response = api_client.get("/api/v1/salons/999999/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No Salon matches the given query.", "fields": {}}


@pytest.mark.django_db
def test_wrong_method_is_a_405_in_the_common_shape(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.MANAGER]))

    response = api_client.delete("/api/v1/me/")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_lists_are_paginated(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.RECEPTIONIST]))
    SalonFactory.create_batch(3)

    response = api_client.get("/api/v1/salons/?page_size=2")

    body = response.json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"].endswith("page=2&page_size=2")
