import pytest

from salon.roles import Role
from tests.factories import SalonFactory, UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_home_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_login_page_renders_with_labelled_fields_and_htmx(client):
    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "htmx" in html
    assert 'name="viewport"' in html


def test_wrong_password_shows_an_error_and_keeps_the_username(client):
    UserFactory(username="clara")

    response = client.post("/accounts/login/", {"username": "clara", "password": "nope"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert 'value="clara"' in html


def test_managers_start_in_the_managers_area_not_the_admin(client, manager, password):
    SalonFactory()
    sign_in(client, manager)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/manage/"
    assert client.get("/manage/", follow=True).status_code == 200
    assert client.get("/admin/")["Location"].startswith("/admin/login/")  # and from there to /manage/


def test_receptionists_start_at_the_front_desk(client, receptionist, password):
    sign_in(client, receptionist)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/desk/"


@pytest.mark.parametrize(("role", "page"), [(Role.RECEPTIONIST, "/desk/"), (Role.THERAPIST, "/my-day/")])
def test_front_line_staff_start_on_their_page_and_cannot_enter_the_admin(client, role, page, password):
    user = UserFactory(roles=[role])
    sign_in(client, user)

    assert client.get("/")["Location"] == page
    admin = client.get("/admin/")
    assert admin.status_code == 302
    assert admin["Location"].startswith("/admin/login/")


def test_staff_without_a_role_see_the_home_page(client, password):
    user = UserFactory()
    sign_in(client, user)

    response = client.get("/")

    assert response.status_code == 200
    assert "Your account has no role yet" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client, manager, password):
    sign_in(client, manager)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("role", list(Role))
def test_api_docs_and_schema_are_served_to_staff(client, role):
    sign_in(client, UserFactory(roles=[role]))

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert schema.status_code == 200
    assert b"/api/v1/auth/token/" in schema.content
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"<script>" not in docs.content  # the set-up script is a file of its own (CSP)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_api_schema_and_docs_are_closed_to_anonymous_visitors(client, api_client):
    assert api_client.get("/api/schema/").status_code == 401
    assert client.get("/api/docs/?script=").status_code == 302
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"] == "/accounts/login/?next=/api/docs/"


def test_api_schema_and_docs_are_closed_to_accounts_without_a_role(client, api_client):
    nobody = UserFactory()
    sign_in(client, nobody)
    api_client.force_authenticate(nobody)

    assert api_client.get("/api/schema/").status_code == 403
    assert client.get("/api/docs/").status_code == 403


def test_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert "/api/v1/auth/token/" in (tmp_path / "schema.yml").read_text()
