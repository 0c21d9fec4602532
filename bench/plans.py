"""The plan builder and the routines API: what a booking and the routine
pages pay for routines."""

from bench.harness import measure, scratch_database


def main() -> None:
    with scratch_database():
        from django.test import Client, RequestFactory

        from clients.outcome import PainPoint, ScreeningOutcome, Support
        from routines.models import RoutineTemplate
        from routines.selectors import routine_spec
        from salon.roles import Role
        from salon.services import auth_token_obtain
        from sessions.plans import build_plan
        from tests.factories import TEST_PASSWORD, UserFactory

        classic = routine_spec(RoutineTemplate.objects.get(slug="classic-back-massage", is_current=True))
        outcome = ScreeningOutcome(
            avoid_areas=frozenset({"neck"}),
            pressure_caps={"lower_back": "medium"},
            max_pressure="firm",
            supports=(Support("Small pad", "ankles"),),
            pain_points=(PainPoint("lower_back", "left", 8), PainPoint("upper_back", "right", 6)),
        )
        measure("build_plan_classic", lambda: build_plan(routine=classic, outcome=outcome, booked_minutes=45))
        measure("routine_spec_from_db", lambda: routine_spec(RoutineTemplate.objects.get(pk=classic.id)), repeat=100)

        UserFactory(username="bench", roles=[Role.THERAPIST])
        _, token = auth_token_obtain(
            username="bench", password=TEST_PASSWORD, request=RequestFactory().post("/api/v1/auth/token/")
        )
        client = Client(HTTP_AUTHORIZATION=f"Token {token}")
        measure("api_routine_list", lambda: client.get("/api/v1/routines/"), repeat=100)
        measure("api_routine_detail", lambda: client.get(f"/api/v1/routines/{classic.id}/"), repeat=100)


if __name__ == "__main__":
    main()
