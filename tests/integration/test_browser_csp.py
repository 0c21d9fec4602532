"""Pages the other browser tests do not open, under the Content-Security-Policy:
the API docs (Swagger UI) and the admin. The conftest fails a test whose
pages broke a rule of the policy."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from salon.roles import Role
from tests.factories import ClientFactory, SalonFactory, UserFactory
from tests.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def signed_in(page, live_server, user) -> None:
    """The browser carries the session of a staff member signed in as the tests sign in."""
    django_client = Client()
    sign_in(django_client, user)
    session = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])


def test_the_api_docs_work_under_the_policy(page, live_server, transactional_db):
    signed_in(page, live_server, UserFactory(roles=[Role.RECEPTIONIST]))

    page.goto(f"{live_server.url}/api/docs/")

    expect(page.locator(".swagger-ui .title").first).to_contain_text("Salon API")
    expect(page.locator(".opblock").first).to_be_visible()  # the schema was fetched and drawn
    assert page.locator(".opblock").count() > 20


def test_the_admin_works_under_the_policy(page, live_server, transactional_db):
    salon = SalonFactory()
    person = ClientFactory(salon=salon, given_name="Sabine")
    signed_in(page, live_server, UserFactory(username="root", is_superuser=True))

    page.goto(f"{live_server.url}/admin/clients/client/")
    expect(page.locator("#result_list")).to_contain_text("Sabine")
    page.goto(f"{live_server.url}/admin/clients/client/{person.pk}/change/")
    expect(page.locator("#client_form")).to_be_visible()
    page.goto(f"{live_server.url}/admin/routines/routinetemplate/")
    expect(page.locator("#changelist")).to_be_visible()
