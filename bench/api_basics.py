"""Cost of the plumbing every request pays: the health check, an
authenticated API call through token authentication and the role lookup,
and a small page of a manager signed in past their second factor (session,
user, device, language, location, the base template)."""

from bench.harness import measure, scratch_database


def main() -> None:
    with scratch_database():
        from django.test import Client, RequestFactory

        from salon.roles import Role
        from salon.services import auth_token_obtain
        from tests.factories import TEST_PASSWORD, SalonFactory, UserFactory
        from tests.helpers import sign_in

        SalonFactory.create_batch(3)
        UserFactory(username="bench", roles=[Role.RECEPTIONIST])
        _, token = auth_token_obtain(
            username="bench", password=TEST_PASSWORD, request=RequestFactory().post("/api/v1/auth/token/")
        )
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")

        measure("healthz", lambda: client.get("/healthz"))
        measure("api_me_token_auth", lambda: client.get("/api/v1/me/"))
        measure("api_salon_list", lambda: client.get("/api/v1/salons/"))

        browser = Client()
        sign_in(browser, UserFactory(roles=[Role.MANAGER]))
        measure("page_security_verified_manager", lambda: browser.get("/accounts/security/"))


if __name__ == "__main__":
    main()
