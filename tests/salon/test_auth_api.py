import datetime

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone
from knox.models import AuthToken

from salon.roles import Role
from tests.factories import SalonFactory, UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_right_credentials_get_a_token_that_authenticates(api_client, password):
    user = UserFactory(username="clara", roles=[Role.RECEPTIONIST])

    response = api_client.post(TOKEN_URL, {"username": "clara", "password": password}, format="json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert AuthToken.objects.get(user=user).token_key == token[:15] == response.json()["token_key"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "clara"
    assert me.json()["roles"] == ["Receptionist"]


def test_each_sign_in_gets_its_own_token_and_only_a_digest_is_stored(api_client, password):
    UserFactory(username="clara")
    body = {"username": "clara", "password": password}

    first = api_client.post(TOKEN_URL, body, format="json").json()["token"]
    second = api_client.post(TOKEN_URL, body, format="json").json()["token"]

    assert first != second
    stored = AuthToken.objects.values_list("digest", flat=True)
    assert len(stored) == 2
    assert first not in stored
    assert second not in stored


@pytest.mark.parametrize(
    "credentials",
    [{"username": "clara", "password": "wrong"}, {"username": "nobody", "password": "whatever"}],
)
def test_wrong_credentials_get_400_with_a_clear_message(api_client, credentials):
    UserFactory(username="clara")

    response = api_client.post(TOKEN_URL, credentials, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_credentials",
        "detail": "Unable to log in with the username and password given.",
        "fields": {},
    }
    assert not AuthToken.objects.exists()


def test_inactive_staff_get_no_token(api_client, password):
    UserFactory(username="gone", is_active=False)

    response = api_client.post(TOKEN_URL, {"username": "gone", "password": password}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


def test_missing_fields_are_named(api_client):
    response = api_client.post(TOKEN_URL, {"username": "clara"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["fields"] == {"password": ["This field is required."]}
    assert "password" in body["detail"]


def test_malformed_json_is_a_400_not_a_500(api_client):
    response = api_client.post(TOKEN_URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def api_v1_urls() -> list[str]:
    """Every URL under /api/v1/, with "1" for each path parameter, so the
    check below covers endpoints that later issues add."""
    api = get_resolver().namespace_dict["api"][1]
    urls = set()
    for name in filter(lambda key: isinstance(key, str), api.reverse_dict):
        for possibility, *_ in api.reverse_dict.getlist(name):
            for _, params in possibility:
                if "format" not in params:
                    urls.add(reverse(f"api:{name}", kwargs=dict.fromkeys(params, "1")))
    # Online booking's public API needs no login (tests/online/test_public_api.py).
    urls = {url for url in urls if not url.startswith("/api/v1/public/")}
    return sorted(urls - {TOKEN_URL, "/api/v1/auth/sign-out/"})


def test_the_walk_finds_the_endpoints():
    assert {"/api/v1/", "/api/v1/me/", "/api/v1/salons/", "/api/v1/salons/1/"} <= set(api_v1_urls())


@pytest.mark.parametrize("path", api_v1_urls())
def test_anonymous_requests_are_refused_with_401(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_authenticated_call_costs_a_fixed_number_of_queries(api_client, password, django_assert_max_num_queries):
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    token = api_client.post(TOKEN_URL, {"username": "clara", "password": password}, format="json").json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    # token with user (the user's other tokens are pruned at sign-in, not here),
    # salon zone (cached), roles, therapist record, the user's locations (/me lists them)
    with django_assert_max_num_queries(5):
        assert api_client.get("/api/v1/me/").status_code == 200


def test_expired_tokens_are_pruned_at_the_next_sign_in_and_refused(api_client, password):
    # given two tokens of one user that have expired
    user = UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    old = [api_client.post(TOKEN_URL, {"username": "clara", "password": password}, format="json") for _ in range(2)]
    AuthToken.objects.filter(user=user).update(expiry=timezone.now() - datetime.timedelta(minutes=1))

    # when the user signs in again, and someone then tries an old token
    fresh = api_client.post(TOKEN_URL, {"username": "clara", "password": password}, format="json")
    api_client.cookies.clear()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old[0].json()['token']}")
    refused = api_client.get("/api/v1/me/")

    # then only the new token is left, and the old one is a 401
    kept = list(AuthToken.objects.filter(user=user).values_list("token_key", flat=True))
    assert kept == [fresh.json()["token_key"]]
    assert refused.status_code == 401


# -- the language of a token's answers ------------------------------------------

ADA = {"given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.com", "date_of_birth": "1815-12-10"}


def token_for(user) -> str:
    _auth_token, token = AuthToken.objects.create(user)
    return token


def test_a_token_call_without_accept_language_answers_in_the_owners_language(api_client):
    # Given an English first location and a receptionist who chose German
    SalonFactory(name="A London", language="en")
    receptionist = UserFactory(roles=[Role.RECEPTIONIST], language="de")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(receptionist)}")

    # When their script sends a refused client without Accept-Language, then once asking for English
    german = api_client.post("/api/v1/clients/", ADA, format="json")
    english = api_client.post("/api/v1/clients/", ADA, format="json", HTTP_ACCEPT_LANGUAGE="en")

    # Then the first is worded in German, the second in English, with the same code
    assert german.status_code == english.status_code == 400
    assert german.json()["code"] == english.json()["code"] == "date_out_of_range"
    assert "Geben Sie ein Datum zwischen 1900 und 2200 an." in german.json()["detail"]
    assert german["Content-Language"] == "de"
    assert "Give a date between 1900 and 2200." in english.json()["detail"]
    assert english["Content-Language"] == "en"


def test_a_token_owner_without_a_choice_gets_the_first_locations_language(api_client):
    SalonFactory(name="A Berlin", language="de")
    receptionist = UserFactory(roles=[Role.RECEPTIONIST], language="")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(receptionist)}")

    answer = api_client.post("/api/v1/clients/", ADA, format="json")

    assert "Geben Sie ein Datum zwischen 1900 und 2200 an." in answer.json()["detail"]


def test_an_english_token_owner_gets_english_where_the_first_location_is_german(api_client):
    SalonFactory(name="A Berlin", language="de")
    receptionist = UserFactory(roles=[Role.RECEPTIONIST], language="en")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(receptionist)}")

    answer = api_client.post("/api/v1/clients/", ADA, format="json")

    assert "Give a date between 1900 and 2200." in answer.json()["detail"]
    assert answer["Content-Language"] == "en"


def test_a_session_call_without_accept_language_answers_in_the_users_language(client):
    SalonFactory(name="A London", language="en")
    sign_in(client, UserFactory(roles=[Role.RECEPTIONIST], language="de"))

    answer = client.post("/api/v1/clients/", ADA, content_type="application/json")

    assert "Geben Sie ein Datum zwischen 1900 und 2200 an." in answer.json()["detail"]
