"""The words staff read from sessions and routines outside the templates:
API refusals, status labels, routine pages and the calendar feed, in German
for a German reader, with the machine-readable codes and English unchanged."""

import pytest

from routines.services import service_set
from salon.roles import Role
from sessions.selectors import calendar_feed_language
from sessions.services.booking import appointment_book
from tests.factories import SalonFactory, UserFactory
from tests.helpers import at, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(api_client, salon):
    receptionist = UserFactory(roles=[Role.RECEPTIONIST])
    receptionist.locations.add(salon)
    api_client.force_authenticate(receptionist)
    return api_client


def test_a_length_off_the_menu_is_refused_in_german_with_the_same_code(
    desk, salon, therapist, room, routine, client_, tomorrow
):
    # Given the routine is sold for 60 and 90 minutes at this location
    service_set(salon=salon, routine=routine, lengths=[(60, 7900), (90, 9900)])
    body = {"client": client_.pk, "routine": routine.pk, "start": at(tomorrow, 10).isoformat(), "minutes": 75}

    # When the desk asks for 75 minutes, once in English and once in German
    english = desk.post("/api/v1/appointments/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    german = desk.post("/api/v1/appointments/", body, format="json", HTTP_ACCEPT_LANGUAGE="de")

    # Then both are refused with the same code and field; only the words differ
    assert english.status_code == german.status_code == 400
    assert english.json()["code"] == german.json()["code"] == "length_not_offered"
    assert english.json()["fields"].keys() == german.json()["fields"].keys() == {"minutes"}
    assert f"{routine.name} is booked for 60, 90 minutes at {salon.name}." in english.json()["detail"]
    assert f"{routine.name} wird in {salon.name} für 60, 90 Minuten gebucht." in german.json()["detail"]
    assert german.json()["fields"]["minutes"] == ["Wählen Sie eine dieser Dauern: 60, 90."]


def test_a_length_for_a_routine_without_a_menu_entry_is_refused_in_german(
    desk, salon, therapist, room, routine, client_, tomorrow
):
    # The routine has no lengths on this location's menu: it is booked without one
    body = {"client": client_.pk, "routine": routine.pk, "start": at(tomorrow, 10).isoformat(), "minutes": 60}

    german = desk.post("/api/v1/appointments/", body, format="json", HTTP_ACCEPT_LANGUAGE="de")

    assert german.status_code == 400
    assert german.json()["code"] == "length_not_offered"
    assert german.json()["detail"].startswith(f"{salon.name} hat für {routine.name} keine Dauer im Angebot")
    assert german.json()["fields"]["minutes"] == ["Keine Dauer im Angebot."]


def test_the_desk_panel_shows_the_status_in_the_receptionists_language(
    client, salon, therapist, room, routine, client_, tomorrow
):
    booked = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    german = UserFactory(username="jana", roles=[Role.RECEPTIONIST], language="de")
    german.locations.add(salon)
    sign_in(client, german)

    panel = client.get(f"/desk/appointments/{booked.pk}/").content.decode()

    assert "<strong>Gebucht</strong>" in panel
    assert "<strong>Booked</strong>" not in panel


def test_the_desk_panel_status_stays_english_for_an_english_receptionist(
    client, salon, therapist, room, routine, client_, tomorrow
):
    booked = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))
    english = UserFactory(username="mia", roles=[Role.RECEPTIONIST], language="en")
    english.locations.add(salon)
    sign_in(client, english)

    panel = client.get(f"/desk/appointments/{booked.pk}/").content.decode()

    assert "<strong>Booked</strong>" in panel


def test_the_routine_pages_speak_german_but_keep_the_routines_own_name(client, salon, routine):
    reader = UserFactory(username="lena", roles=[Role.THERAPIST], language="de")
    reader.locations.add(salon)
    sign_in(client, reader)

    listing = client.get("/routines/").content.decode()
    page = client.get(f"/routines/{routine.slug}/").content.decode()

    assert "<h1>Abläufe</h1>" in listing
    assert routine.name in listing
    for german in ("Lagerung", "Vorbereiten", "Schritte", "Alle Abläufe", "Handtücher"):
        assert german in page, german
    for english in ("Prepare", "Precautions", "All routines", "towels"):
        assert english not in page, english


def test_a_therapists_calendar_feed_is_in_their_language_else_their_locations(therapist):
    berlin = SalonFactory(business=therapist.business, language="de")
    therapist.user.locations.set([berlin])

    assert calendar_feed_language(therapist) == "de"  # no choice of their own: the location's
    therapist.user.language = "en"
    therapist.user.save(update_fields=["language"])
    assert calendar_feed_language(therapist) == "en"
