"""One error dialect: every refusal a service raises is a domain error with a
code, words for people and the fields it concerns; one mapping gives its
HTTP status on pages and in the API."""

import pytest
from django.core.exceptions import ValidationError

from clients.links import LinkGone, LinkInvalid, LinkReplaced
from salon.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    error_words,
    http_status,
    invalid_input,
    validate,
)
from salon.models import Room


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("Too soon.", code="too_short_notice"), 400),
        (Forbidden("Not yours."), 403),
        (NotFound("No such client."), 404),
        (Conflict("Busy.", code="therapist_busy"), 409),
        (LinkInvalid(), 404),
        (LinkGone("Used.", code="link_used"), 410),
        (LinkGone("Expired.", code="link_expired"), 410),
        (LinkReplaced("Another link."), 409),
        (DomainError("Something."), 400),
    ],
)
def test_each_kind_of_refusal_has_one_status(error, status):
    assert http_status(error) == status


def test_a_model_validation_error_becomes_invalid_input_naming_the_fields():
    error = invalid_input(ValidationError({"time_zone": ["Not an IANA zone."], "name": ["Required."]}))

    assert isinstance(error, InvalidInput)
    assert error.fields == {"time_zone": ["Not an IANA zone."], "name": ["Required."]}
    assert error.detail == "time_zone: Not an IANA zone. name: Required."


@pytest.mark.django_db
def test_validate_refuses_with_invalid_input_and_the_field():
    with pytest.raises(InvalidInput) as refused:
        validate(Room(name=""), exclude=["salon"])

    assert "name" in refused.value.fields


def test_pages_show_the_services_words_or_describe_the_fields():
    assert error_words(Conflict("Anna is busy from 10:00.", code="therapist_busy")) == "Anna is busy from 10:00."
    assert error_words(InvalidInput.for_fields({"phone": ["Not a phone number."]})) == "phone: Not a phone number."
    assert error_words(InvalidInput(fields={"note": ["Say why."]})) == "note: Say why."
