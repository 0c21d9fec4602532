"""Staff leaving and changes to a therapist that bookings depend on: refused
with the sessions named while any are booked ahead (at any location), or,
when deactivating, cancelled through the usual cancellation so each client
is told."""

import datetime

import pytest
from knox.models import AuthToken

from salon.errors import Conflict, InvalidInput
from salon.models import Therapist, User
from salon.roles import Role
from sessions.models import Appointment, Notification
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from sessions.services.lifecycle import appointment_transition
from sessions.services.staffing import staff_deactivate, staff_reactivate, staff_update, therapist_sessions_ahead
from tests.factories import UserFactory, short_routine, works_every_day
from tests.helpers import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    return UserFactory(username="boss", roles=[Role.MANAGER])


@pytest.fixture
def booked(client_, routine, therapist, tomorrow):
    """Sabine with Anna tomorrow at 10 (Berlin)."""
    return appointment_book(client=client_, routine=routine, start=at(tomorrow, 10), therapist=therapist)


def test_deactivating_a_therapist_with_sessions_ahead_is_refused_with_them_named(boss, therapist, booked, tomorrow):
    with pytest.raises(Conflict) as refused:
        staff_deactivate(by=boss, user=therapist.user)

    assert refused.value.code == "bookings_in_the_way"
    (named,) = refused.value.fields["cancel_bookings"]
    assert f"{tomorrow:%a %d %b %Y} 10:00" in named  # the location's wall clock, not UTC
    assert str(booked.client) in named
    assert booked.routine.name in named
    therapist.refresh_from_db()
    assert therapist.active
    assert therapist.user.is_active


def test_cancel_and_notify_cancels_the_sessions_ahead_and_writes_the_notices(boss, therapist, booked):
    cancelled = staff_deactivate(by=boss, user=therapist.user, cancel_bookings=True, reason="Anna has left us")

    booked.refresh_from_db()
    assert [session.pk for session in cancelled] == [booked.pk]
    assert booked.status == Appointment.Status.CANCELLED
    assert booked.cancellation_reason == "Anna has left us"
    notice = Notification.objects.get(appointment=booked, kind=Notification.Kind.CANCELLATION)
    assert notice.status == Notification.Status.PENDING  # the outbox sends it
    assert not Notification.objects.filter(appointment=booked, kind=Notification.Kind.REMINDER,
                                           status=Notification.Status.PENDING).exists()  # fmt: skip
    assert booked.changes.filter(to_status=Appointment.Status.CANCELLED, by=boss).exists()
    therapist.refresh_from_db()
    assert not therapist.active
    assert not therapist.user.is_active


def test_cancelling_needs_a_reason_for_the_clients(boss, therapist, booked):
    with pytest.raises(InvalidInput) as refused:
        staff_deactivate(by=boss, user=therapist.user, cancel_bookings=True, reason="  ")

    assert "reason" in refused.value.fields
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_sessions_at_another_location_count_too(boss, scene, therapist, client_, tomorrow):
    london, _ = scene.location_add(name="London", time_zone="Europe/London", rooms=["Thames"])
    therapist.user.locations.add(london)
    works_every_day(therapist, salon=london)
    far_day = tomorrow + datetime.timedelta(days=2)
    appointment_book(client=client_, routine=short_routine(), start=scene.at(far_day, 11), salon=london,
                     therapist=therapist)  # fmt: skip

    with pytest.raises(Conflict) as refused:
        staff_deactivate(by=boss, user=therapist.user)

    (named,) = refused.value.fields["cancel_bookings"]
    assert "at London" in named
    assert f"{far_day:%a %d %b %Y} 10:00" in named  # 11:00 in Berlin is 10:00 in London


def test_past_and_cancelled_sessions_do_not_hold_anyone_back(boss, therapist, client_, routine, tomorrow):
    called_off = appointment_book(client=client_, routine=routine, start=at(tomorrow, 12), therapist=therapist)
    appointment_transition(appointment=called_off, to_status=Appointment.Status.CANCELLED, reason="Changed plans")
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 14), therapist=therapist)
    after_it = at(tomorrow, 15)

    assert therapist_sessions_ahead(therapist, now=after_it) == []
    assert staff_deactivate(by=boss, user=therapist.user, now=after_it) == []


def test_a_checked_in_session_still_to_come_counts(boss, therapist, booked):
    appointment_transition(appointment=booked, to_status=Appointment.Status.CHECKED_IN, now=booked.start)

    assert therapist_sessions_ahead(therapist) == [booked]


def test_deactivating_ends_tokens_and_takes_the_therapist_off_availability(boss, salon, therapist, routine, tomorrow):
    AuthToken.objects.create(user=therapist.user)
    slots_before, _ = availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow)
    assert slots_before

    staff_deactivate(by=boss, user=therapist.user)

    assert not AuthToken.objects.filter(user=therapist.user).exists()
    slots, _ = availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow)
    assert slots == []

    staff_reactivate(by=boss, user=User.objects.get(pk=therapist.user.pk))

    therapist.refresh_from_db()
    assert therapist.active
    assert therapist.user.is_active
    slots, _ = availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow)
    assert slots  # the rota was kept


def test_a_manager_cannot_deactivate_themself(boss):
    with pytest.raises(Conflict) as refused:
        staff_deactivate(by=boss, user=boss)

    assert refused.value.code == "own_account"
    boss.refresh_from_db()
    assert boss.is_active


def test_taking_the_therapist_role_away_is_refused_while_sessions_are_booked(boss, therapist, booked):
    with pytest.raises(Conflict) as refused:
        staff_update(by=boss, user=therapist.user, roles=[Role.RECEPTIONIST])

    assert refused.value.code == "bookings_in_the_way"
    assert "roles" in refused.value.fields
    assert Therapist.objects.get(pk=therapist.pk).active
    assert therapist.user.groups.filter(name=Role.THERAPIST).exists()  # undone


def test_taking_away_a_room_or_a_qualification_a_booking_needs_is_refused(boss, scene, therapist, booked, tomorrow):
    other_room = scene.salon.rooms.create(name="Birke")

    with pytest.raises(Conflict) as by_room:
        staff_update(by=boss, user=therapist.user, rooms=[other_room])
    assert "rooms" in by_room.value.fields

    therapeutic = short_routine(slug="deep", minutes=45, turnover=15, qualification="therapeutic")
    Therapist.objects.filter(pk=therapist.pk).update(qualified_therapeutic=True)
    therapist.refresh_from_db()
    appointment_book(client=booked.client, routine=therapeutic, start=at(tomorrow, 14), therapist=therapist)
    with pytest.raises(Conflict) as by_qualification:
        staff_update(by=boss, user=therapist.user, qualified_therapeutic=False)
    assert "qualified_therapeutic" in by_qualification.value.fields
    assert Therapist.objects.get(pk=therapist.pk).qualified_therapeutic


def test_taking_away_the_location_of_a_booking_is_refused(boss, scene, therapist, booked):
    london, _ = scene.location_add(name="London", time_zone="Europe/London", rooms=["Thames"])

    with pytest.raises(Conflict) as refused:
        staff_update(by=boss, user=therapist.user, locations=[london])

    assert "locations" in refused.value.fields
    assert list(therapist.user.locations.all()) == [scene.salon]


def test_changes_that_strand_nothing_go_through(boss, therapist, booked):
    staff_update(by=boss, user=therapist.user, first_name="Anna", qualified_pregnancy=True, display_name="Anna K.")

    therapist.refresh_from_db()
    assert therapist.display_name == "Anna K."
    assert therapist.qualified_pregnancy


def test_an_empty_display_name_falls_back_to_the_full_name(boss, therapist):
    staff_update(by=boss, user=therapist.user, display_name="")

    therapist.refresh_from_db()
    assert therapist.display_name == therapist.user.get_full_name()
