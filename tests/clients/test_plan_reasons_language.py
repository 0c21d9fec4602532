"""Why a plan was rebuilt, or cannot be given, in the language of the plan
(issue 21): the clients app sends its reasons lazily, and each plan writes
them in its own therapist's language."""

import datetime

import pytest

from clients.services import client_merge, screening_areas_mark, screening_clear, screening_confirm_unchanged
from routines.models import RoutineTemplate
from salon.roles import Role
from sessions.models import Appointment
from sessions.services.booking import appointment_book
from tests.factories import ClientFactory, UserFactory, screening_for
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

ANNA = {
    "display_name": "Anna",
    "user__language": "de",
    "user__first_name": "Anna",
    "user__last_name": "Berg",
    "qualified_therapeutic": True,
}
BEN = {"display_name": "Ben", "user__language": "en"}


@pytest.fixture
def scene():
    """An English location where Anna reads German and Ben English."""
    return salon_scenario(therapists=[ANNA, BEN])


@pytest.fixture
def relief(db):
    return RoutineTemplate.objects.get(slug="lower-back-relief", is_current=True)


def book(scene, routine, therapist, *, client=None, hour: int = 10) -> Appointment:
    day = datetime.datetime.now(scene.salon.zone).date() + datetime.timedelta(days=1)
    return appointment_book(
        client=client or scene.client, routine=routine, start=scene.at(day, hour), therapist=therapist
    )


def fresh(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_related("plan").get(pk=appointment.pk)


def test_a_new_screening_is_the_reason_in_each_therapists_own_language(scene, relief):
    # given Sabine booked with Anna (German) and with Ben (English)
    screening_for(scene.client)
    with_anna = book(scene, relief, scene.therapists[0], hour=10)
    with_ben = book(scene, relief, scene.therapists[1], hour=12)

    # when the desk enters a new screening
    screening_for(scene.client, pressure_preference="light")

    # then each rebuilt plan says why in its therapist's words
    assert fresh(with_anna).plan.change_note.startswith("Neuer Gesundheitsfragebogen (")
    assert fresh(with_ben).plan.change_note.startswith("New health screening (")


def test_a_screening_that_rules_the_routine_out_says_so_in_german_for_a_german_therapist(scene, relief):
    screening_for(scene.client)
    with_anna = book(scene, relief, scene.therapists[0])

    screening_for(scene.client, acute_spinal_inflammation=True)

    problem = fresh(with_anna).plan_problem
    assert problem.startswith("Neuer Gesundheitsfragebogen: Entlastung für den unteren Rücken behandelt ")
    assert "gesperrt wegen" in problem


def test_a_clearance_names_who_cleared_in_the_plans_language(scene, relief):
    screening_for(scene.client)
    with_anna = book(scene, relief, scene.therapists[0])
    with_ben = book(scene, relief, scene.therapists[1], hour=12)
    screening = screening_for(scene.client, acute_spinal_inflammation=True)

    screening_clear(
        screening=screening, rule="acute_spinal_inflammation", cleared_by=scene.therapists[0].user, note="Arztbrief"
    )

    assert fresh(with_anna).plan.change_note.startswith("Freigegeben von Anna Berg (")
    assert fresh(with_ben).plan.change_note.startswith("Cleared by Anna Berg (")


def test_areas_marked_by_a_therapist_are_the_reason_in_german(scene, relief):
    screening = screening_for(scene.client)
    with_anna = book(scene, relief, scene.therapists[0])

    # when Anna, having looked, marks a bruise on the shoulders
    anna = scene.therapists[0].user
    screening_areas_mark(screening=screening, areas=["shoulders"], marked_by=anna, note="Bluterguss")

    rebuilt = fresh(with_anna)
    assert "shoulders" in rebuilt.plan.outcome["avoid_areas"]
    assert rebuilt.plan.change_note.startswith("Anna Berg hat auszusparende Bereiche markiert (")


def test_a_client_confirming_nothing_changed_is_the_reason_in_german(scene, relief):
    screening = screening_for(scene.client)
    with_anna = book(scene, relief, scene.therapists[0])

    screening_confirm_unchanged(screening=screening)

    assert fresh(with_anna).plan.change_note.startswith("Die Kund:in hat bestätigt, dass sich nichts geändert hat (")


def test_a_merged_record_is_the_reason_in_german(scene, relief):
    # given Sabine's duplicate record, booked with Anna
    duplicate = ClientFactory(salon=scene.salon, given_name="Sabine")
    screening_for(duplicate)
    screening_for(scene.client)
    with_anna = book(scene, relief, scene.therapists[0], client=duplicate)

    client_merge(keep=scene.client, merge=duplicate, by=UserFactory(roles=[Role.RECEPTIONIST]))

    assert fresh(with_anna).plan.change_note.startswith(f"Kartei {duplicate.pk} wurde mit dieser zusammengeführt (")
