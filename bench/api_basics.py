"""Cost of the plumbing every request pays: the health check, and an
authenticated API call through token authentication and the role lookup."""

from bench.harness import measure, scratch_database


def main() -> None:
    with scratch_database():
        from django.test import Client, RequestFactory

        from salon.roles import Role
        from salon.services import auth_token_obtain
        from tests.factories import TEST_PASSWORD, SalonFactory, UserFactory

        SalonFactory.create_batch(3)
        UserFactory(username="bench", roles=[Role.RECEPTIONIST])
        _, token = auth_token_obtain(
            username="bench", password=TEST_PASSWORD, request=RequestFactory().post("/api/v1/auth/token/")
        )
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")

        measure("healthz", lambda: client.get("/healthz"))
        measure("api_me_token_auth", lambda: client.get("/api/v1/me/"))
        measure("api_salon_list", lambda: client.get("/api/v1/salons/"))


if __name__ == "__main__":
    main()
