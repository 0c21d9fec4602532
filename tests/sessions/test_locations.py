"""One business, two locations in different zones (Berlin and London): each
location offers only its own rota, a therapist is never in two places at once
(nor without the time to travel between them), staff act only where they are
granted, and a client is one client everywhere."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from clients.models import Client
from salon.errors import Conflict, InvalidInput
from salon.roles import Role
from sessions.models import Appointment
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from sessions.tasks import notifications_dispatch
from tests.factories import UserFactory, screening_for, short_routine
from tests.helpers import sign_in
from tests.scenario import two_locations_scenario
from tests.sessions.test_client_cancel import cancel_link_in

pytestmark = pytest.mark.django_db


def next_monday() -> datetime.date:
    """The first Monday at least two days ahead (clear of any notice period)."""
    day = timezone.now().date() + datetime.timedelta(days=2)
    return day + datetime.timedelta(days=-day.weekday() % 7)


# One week, in order, whatever day the tests run on.
MONDAY = next_monday()
TUESDAY, WEDNESDAY = MONDAY + datetime.timedelta(days=1), MONDAY + datetime.timedelta(days=2)


@pytest.fixture
def chain():
    return two_locations_scenario(travel_minutes=30)


@pytest.fixture
def hour_routine(db):
    return short_routine(minutes=60, turnover=0)


def local_starts(slots, location) -> list[datetime.datetime]:
    return [slot.as_dict(location.zone)["start"] for slot in slots]


def test_each_location_offers_only_the_therapists_hours_there(chain, hour_routine):
    berlin_slots, _ = availability(salon=chain.berlin, routine=hour_routine, first_day=MONDAY, last_day=TUESDAY)
    london_slots, _ = availability(salon=chain.london, routine=hour_routine, first_day=MONDAY, last_day=TUESDAY)

    berlin_starts = local_starts(berlin_slots, chain.berlin)
    london_starts = local_starts(london_slots, chain.london)
    assert {start.date() for start in berlin_starts} == {MONDAY}
    assert {start.date() for start in london_starts} == {TUESDAY}
    # 09:00–17:00 in each location's own wall-clock time.
    assert (berlin_starts[0].time(), berlin_starts[-1].time()) == (datetime.time(9), datetime.time(16))
    assert (london_starts[0].time(), london_starts[-1].time()) == (datetime.time(9), datetime.time(16))
    assert london_starts[0].utcoffset() != berlin_starts[0].utcoffset()


def test_a_booking_in_one_location_blocks_the_therapist_in_the_other_with_travel_time(chain, hour_routine):
    # Berlin 10:00–11:00 CET is 09:00–10:00 in London.
    appointment_book(
        client=chain.client, routine=hour_routine, start=chain.at(chain.berlin, WEDNESDAY, 10), salon=chain.berlin
    )

    slots, _ = availability(salon=chain.london, routine=hour_routine, first_day=WEDNESDAY, last_day=WEDNESDAY)

    london_starts = {start.time() for start in local_starts(slots, chain.london)}
    # Blocked from 08:30 to 10:30 London time: the session plus 30 minutes' travel either side.
    assert not london_starts & {datetime.time(9), datetime.time(9, 30), datetime.time(10), datetime.time(10, 15)}
    assert datetime.time(10, 30) in london_starts
    with pytest.raises(Conflict) as refused:
        appointment_book(
            client=chain.client,
            routine=hour_routine,
            start=chain.at(chain.london, WEDNESDAY, 10),
            salon=chain.london,
            therapist=chain.therapist,
        )
    assert refused.value.code == "therapist_busy"
    assert "Berlin Mitte" in refused.value.detail
    after_travel = appointment_book(
        client=chain.client, routine=hour_routine, start=chain.at(chain.london, WEDNESDAY, 10, 30), salon=chain.london
    )
    assert after_travel.room == chain.london_room


def test_the_same_moment_cannot_be_booked_in_both_locations(chain, hour_routine):
    berlin_noon = chain.at(chain.berlin, WEDNESDAY, 12)
    appointment_book(client=chain.client, routine=hour_routine, start=berlin_noon, salon=chain.berlin)

    with pytest.raises(Conflict):
        appointment_book(client=chain.client, routine=hour_routine, start=berlin_noon, salon=chain.london)

    assert Appointment.objects.count() == 1


def test_a_therapist_is_offered_only_where_they_are_assigned(chain, hour_routine):
    chain.therapist.user.locations.remove(chain.london)

    slots, _ = availability(salon=chain.london, routine=hour_routine, first_day=TUESDAY, last_day=TUESDAY)

    assert slots == []


def test_a_client_booked_in_both_locations_has_one_record_and_one_screening_history(chain, hour_routine, api_client):
    screening_for(chain.client, allergies="almond oil")
    desk = UserFactory(roles=[Role.RECEPTIONIST])
    api_client.force_authenticate(desk)

    for location, day in ((chain.berlin, MONDAY), (chain.london, TUESDAY)):
        start = chain.at(location, day, 10).isoformat()
        body = {"client": chain.client.pk, "routine": hour_routine.pk, "start": start}
        response = api_client.post(f"/api/v1/appointments/?location={location.pk}", body, format="json")
        assert response.status_code == 201, response.json()

    assert Client.objects.count() == 1
    visits = Appointment.objects.filter(client=chain.client)
    assert sorted(visit.room.salon.name for visit in visits) == ["Berlin Mitte", "London Soho"]
    assert chain.client.screenings.count() == 1
    found = api_client.get(f"/api/v1/clients/?q=Sabine&location={chain.london.pk}").json()["results"]
    assert [client["id"] for client in found] == [chain.client.pk]


@pytest.fixture
def berlin_desk(chain):
    user = UserFactory(roles=[Role.RECEPTIONIST], all_locations=False)
    user.locations.add(chain.berlin)
    return user


@pytest.fixture
def london_booking(chain, hour_routine):
    return appointment_book(
        client=chain.client, routine=hour_routine, start=chain.at(chain.london, TUESDAY, 10), salon=chain.london
    )


def test_a_receptionist_of_one_location_gets_403_on_the_others_api(
    chain, hour_routine, berlin_desk, london_booking, api_client
):
    api_client.force_authenticate(berlin_desk)
    london = chain.london.pk
    query = f"routine={hour_routine.pk}&start={TUESDAY}&end={TUESDAY}"
    body = {
        "client": chain.client.pk,
        "routine": hour_routine.pk,
        "start": chain.at(chain.london, TUESDAY, 14).isoformat(),
    }

    refusals = [
        api_client.get(f"/api/v1/availability/?{query}&location={london}"),
        api_client.get(f"/api/v1/appointments/?location={london}"),
        api_client.get(f"/api/v1/appointments/{london_booking.pk}/"),
        api_client.post(f"/api/v1/appointments/{london_booking.pk}/cancel/", {}, format="json"),
        api_client.post(f"/api/v1/appointments/?location={london}", body, format="json"),
    ]

    assert [response.status_code for response in refusals] == [403] * 5
    assert {response.json()["code"] for response in refusals} == {"location_forbidden"}
    listed = api_client.get("/api/v1/appointments/").json()["results"]
    assert london_booking.pk not in [appointment["id"] for appointment in listed]
    london_booking.refresh_from_db()
    assert london_booking.status == Appointment.Status.BOOKED
    assert Appointment.objects.count() == 1
    # Their own location works.
    assert api_client.get(f"/api/v1/availability/?{query}&location={chain.berlin.pk}").status_code == 200


def test_a_receptionist_of_one_location_gets_403_on_the_others_desk(chain, berlin_desk, london_booking, client):
    sign_in(client, berlin_desk)

    assert client.post("/accounts/location/", {"location": chain.london.pk}).status_code == 403
    assert client.get(f"/desk/appointments/{london_booking.pk}/").status_code == 403
    assert client.post(f"/desk/appointments/{london_booking.pk}/cancel/").status_code == 403
    desk = client.get(f"/desk/?date={TUESDAY}")
    assert desk.status_code == 200
    assert desk.context["salon"] == chain.berlin
    assert b'id="location-switch"' not in desk.content  # one location: no switcher
    london_booking.refresh_from_db()
    assert london_booking.status == Appointment.Status.BOOKED


def test_the_switcher_is_remembered_and_the_desk_follows_it(chain, london_booking, client):
    manager_of_both = UserFactory(roles=[Role.RECEPTIONIST])
    sign_in(client, manager_of_both)
    assert client.get("/desk/").context["salon"] == chain.berlin  # the first by name

    answer = client.post("/accounts/location/", {"location": chain.london.pk, "next": f"/desk/?date={TUESDAY}"})

    assert answer.status_code == 302
    assert answer["Location"] == f"/desk/?date={TUESDAY}"
    client.logout()
    sign_in(client, manager_of_both)
    desk = client.get(f"/desk/?date={TUESDAY}")
    assert desk.context["salon"] == chain.london
    assert b'id="location-switch"' in desk.content
    assert desk.context["grid"].appointments == [london_booking]


def test_my_day_spans_locations_and_shows_where_each_session_is(chain, hour_routine, client):
    for location, hour in ((chain.berlin, 9), (chain.london, 14)):
        appointment_book(
            client=chain.client, routine=hour_routine, start=chain.at(location, WEDNESDAY, hour), salon=location
        )
    sign_in(client, chain.therapist.user)

    page = client.get(f"/my-day/?date={WEDNESDAY}")

    assert [entry["appointment"].room.salon for entry in page.context["entries"]] == [chain.berlin, chain.london]
    text = page.content.decode()
    assert "Berlin Mitte" in text
    assert "London Soho" in text
    assert "14:00–15:00" in text  # the London session in London's time
    assert "09:00–10:00" in text


@pytest.mark.usefixtures("eager_celery")
def test_messages_to_the_client_carry_the_locations_details(chain, hour_routine, client):
    Client.objects.filter(pk=chain.client.pk).update(consent_reminders=True)
    chain.client.refresh_from_db()
    screening_for(chain.client)
    appointment_book(
        client=chain.client, routine=hour_routine, start=chain.at(chain.london, TUESDAY, 10), salon=chain.london
    )

    notifications_dispatch.apply()

    confirmation = next(m for m in mail.outbox if m.subject.startswith("Your massage is booked"))
    assert confirmation.subject.endswith("London Soho")
    for fact in (
        "London Soho",
        "1 Greek Street",
        "+44 20 7946 0100",
        "Europe/London",
        f"{TUESDAY.day} {TUESDAY:%B}",
        ", 10:00.",
    ):
        assert fact in confirmation.body, fact
    assert "Berlin" not in confirmation.body
    # The client's own page from the link shows the London time too, not the first location's.
    landing = client.get(cancel_link_in(confirmation))
    page = client.get(landing["Location"])
    assert f"{TUESDAY:%A} {TUESDAY.day} {TUESDAY:%B %Y}, 10:00–11:00 at London Soho" in page.content.decode()


def test_a_booking_without_a_location_is_refused_when_the_business_has_several(chain, hour_routine):
    with pytest.raises(InvalidInput) as refused:
        appointment_book(client=chain.client, routine=hour_routine, start=chain.at(chain.berlin, MONDAY, 10))

    assert refused.value.fields == {"location": ["Choose a location."]}


def test_a_location_can_withhold_a_routine(chain, hour_routine, api_client):
    from routines.models import RoutineWithheld

    RoutineWithheld.objects.create(salon=chain.london, slug=hour_routine.slug)
    api_client.force_authenticate(UserFactory(roles=[Role.RECEPTIONIST]))
    body = {"client": chain.client.pk, "routine": hour_routine.pk}

    in_london = api_client.post(
        f"/api/v1/appointments/?location={chain.london.pk}",
        {**body, "start": chain.at(chain.london, TUESDAY, 10).isoformat()},
        format="json",
    )
    in_berlin = api_client.post(
        f"/api/v1/appointments/?location={chain.berlin.pk}",
        {**body, "start": chain.at(chain.berlin, MONDAY, 10).isoformat()},
        format="json",
    )

    assert in_london.status_code == 400
    assert in_london.json()["code"] == "routine_not_offered"
    assert in_berlin.status_code == 201


def test_the_desk_shows_the_therapist_elsewhere_instead_of_free(chain, hour_routine):
    from sessions.desk import Wanted, desk_grid

    appointment_book(
        client=chain.client, routine=hour_routine, start=chain.at(chain.berlin, WEDNESDAY, 10), salon=chain.berlin
    )

    grid = desk_grid(
        salon=chain.london, day=WEDNESDAY, view="therapists", today=MONDAY,
        wanted=Wanted.of(routine=hour_routine, salon=chain.london, now=chain.at(chain.london, MONDAY, 8)),
    )  # fmt: skip

    cells = {cell.start.time(): cell for row in grid.rows for cell in row.cells}
    elsewhere = sorted(time for time, cell in cells.items() if cell.kind == "elsewhere")
    assert elsewhere == [
        datetime.time(9),
        datetime.time(9, 15),
        datetime.time(9, 30),
        datetime.time(9, 45),
        datetime.time(10),
        datetime.time(10, 15),
    ]  # fmt: skip  (on duty from 09:00; busy 08:30–10:30 London time with the travel)
    assert cells[datetime.time(10, 30)].kind == "fits"
    assert [cells[time].repeat for time in elsewhere].count(False) == 1  # said once, then repeated quietly
    assert cells[datetime.time(8, 45)].kind == "off"


def test_availability_and_the_desk_read_a_fixed_number_of_queries_whatever_the_bookings(chain, hour_routine):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sessions.desk import Wanted, desk_grid

    wanted = Wanted.of(routine=hour_routine, salon=chain.london, now=chain.at(chain.london, MONDAY, 8))

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as offered:
            availability(salon=chain.london, routine=hour_routine, first_day=MONDAY, last_day=WEDNESDAY)
        with CaptureQueriesContext(connection) as grid:
            desk_grid(salon=chain.london, day=WEDNESDAY, view="therapists", today=MONDAY, wanted=wanted)
        return len(offered), len(grid)

    appointment_book(
        client=chain.client, routine=hour_routine, start=chain.at(chain.london, WEDNESDAY, 13), salon=chain.london
    )
    before = counts()
    for location, hour in ((chain.berlin, 9), (chain.berlin, 11), (chain.london, 15)):
        appointment_book(
            client=chain.client, routine=hour_routine, start=chain.at(location, WEDNESDAY, hour), salon=location
        )

    assert counts() == before


def test_the_client_page_says_where_each_visit_was_in_that_places_time(chain, hour_routine, client):
    for location, day in ((chain.berlin, MONDAY), (chain.london, TUESDAY)):
        appointment_book(client=chain.client, routine=hour_routine, start=chain.at(location, day, 10), salon=location)
    sign_in(client, UserFactory(roles=[Role.RECEPTIONIST]))

    page = client.get(f"/clients/{chain.client.pk}/").content.decode()

    assert f"{TUESDAY:%a} {TUESDAY.day} {TUESDAY:%b %Y}, 10:00</td><td>London Soho" in page
    assert f"{MONDAY:%a} {MONDAY.day} {MONDAY:%b %Y}, 10:00</td><td>Berlin Mitte" in page


def test_the_api_says_where_each_appointment_is_and_which_locations_a_user_has(chain, london_booking, api_client):
    desk = UserFactory(roles=[Role.RECEPTIONIST], all_locations=False)
    desk.locations.add(chain.london)
    api_client.force_authenticate(desk)

    listed = api_client.get("/api/v1/appointments/").json()["results"]
    me = api_client.get("/api/v1/me/").json()
    salons = api_client.get("/api/v1/salons/").json()

    assert [(appointment["id"], appointment["location"]) for appointment in listed] == [
        (london_booking.pk, chain.london.pk)
    ]
    assert (me["locations"], me["location"]) == ([chain.london.pk], chain.london.pk)
    assert [salon["id"] for salon in salons["results"]] == [chain.london.pk]


def test_a_manager_of_one_location_sees_only_that_part_of_a_therapists_day(chain, hour_routine, api_client):
    for location, hour in ((chain.berlin, 9), (chain.london, 14)):
        appointment_book(
            client=chain.client, routine=hour_routine, start=chain.at(location, WEDNESDAY, hour), salon=location
        )
    berlin_manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    berlin_manager.locations.add(chain.berlin)
    api_client.force_authenticate(berlin_manager)

    day = api_client.get(f"/api/v1/day/?therapist={chain.therapist.pk}&date={WEDNESDAY}").json()

    assert [entry["location_name"] for entry in day["sessions"]] == ["Berlin Mitte"]
    api_client.force_authenticate(chain.therapist.user)
    own = api_client.get(f"/api/v1/day/?date={WEDNESDAY}").json()
    assert [entry["location_name"] for entry in own["sessions"]] == ["Berlin Mitte", "London Soho"]


def test_a_manager_of_one_location_gets_403_on_the_others_messages(chain, london_booking, api_client):
    from sessions.models import Notification

    berlin_manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    berlin_manager.locations.add(chain.berlin)
    api_client.force_authenticate(berlin_manager)
    london_message = Notification.objects.filter(appointment=london_booking).first()

    listed = api_client.get("/api/v1/notifications/").json()["results"]
    detail = api_client.get(f"/api/v1/notifications/{london_message.pk}/")
    retry = api_client.post(f"/api/v1/notifications/{london_message.pk}/retry/")

    assert listed == []
    assert (detail.status_code, retry.status_code) == (403, 403)
    assert detail.json()["code"] == "location_forbidden"


def test_the_api_gives_each_appointment_its_locations_offset(chain, hour_routine, api_client):
    for location, day in ((chain.berlin, MONDAY), (chain.london, TUESDAY)):
        appointment_book(client=chain.client, routine=hour_routine, start=chain.at(location, day, 10), salon=location)
    api_client.force_authenticate(UserFactory(roles=[Role.RECEPTIONIST]))

    listed = api_client.get("/api/v1/appointments/").json()["results"]

    starts = {appointment["location"]: datetime.datetime.fromisoformat(appointment["start"]) for appointment in listed}
    for location, day in ((chain.berlin, MONDAY), (chain.london, TUESDAY)):
        local = chain.at(location, day, 10)
        assert starts[location.pk] == local
        assert (starts[location.pk].time(), starts[location.pk].utcoffset()) == (local.time(), local.utcoffset())
