import datetime

import pytest

from salon.models import TimeOff
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from tests.factories import TherapistFactory, screening_for, works_every_day
from tests.helpers import BERLIN, at

pytestmark = pytest.mark.django_db


def starts(slots, zone=BERLIN):
    return [slot.as_dict(zone)["start"].strftime("%H:%M") for slot in slots]


def test_free_day_offers_every_grid_start_that_fits_the_whole_slot(salon, therapist, room, routine, tomorrow):
    slots, reason = availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow)

    assert reason == ""
    assert starts(slots)[0] == "09:00"
    assert starts(slots)[-1] == "16:00"  # 16:00 + 60 min slot = 17:00, the end of the shift
    assert len(slots) == 29  # 09:00 to 16:00 every 15 minutes
    assert {(slot.therapist, slot.room) for slot in slots} == {(therapist.pk, room.pk)}
    assert all(slot.end - slot.start == 45 for slot in slots)


def test_bookings_and_turnover_block_their_time(salon, therapist, room, routine, client_, tomorrow):
    appointment_book(client=client_, routine=routine, start=at(tomorrow, 10))

    slots, _ = availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow)

    offered = starts(slots)
    assert "09:00" in offered
    assert "09:15" not in offered  # would run into the 10:00 booking
    assert "10:45" not in offered  # busy until 11:00 with the turnover
    assert "11:00" in offered


def test_time_off_of_a_therapist_or_a_room_removes_slots(salon, therapist, room, routine, tomorrow):
    TimeOff.objects.create(therapist=therapist, start=at(tomorrow, 9), end=at(tomorrow, 12), reason="Dentist")
    TimeOff.objects.create(room=room, start=at(tomorrow, 14), end=at(tomorrow, 15), reason="Repairs")

    offered = starts(availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow)[0])

    assert offered[0] == "12:00"
    assert "13:15" not in offered
    assert "15:00" in offered


def test_only_qualified_therapists_are_offered(salon, therapist, room, tomorrow):
    from tests.factories import short_routine

    expert = TherapistFactory(salon=salon, display_name="Lukas", qualified_pregnancy=True)
    works_every_day(expert)
    pregnancy = short_routine(slug="pregnancy-short", minutes=45, turnover=15, qualification="pregnancy")

    slots, _ = availability(salon=salon, routine=pregnancy, first_day=tomorrow, last_day=tomorrow)

    assert {slot.therapist for slot in slots} == {expert.pk}


def test_a_client_whose_screening_blocks_the_routine_gets_no_slots_and_a_reason(
    salon, therapist, room, routine, client_, tomorrow
):
    screening_for(client_, acute_spinal_inflammation=True)

    slots, reason = availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow, client=client_)

    assert slots == []
    assert "therapist must review" in reason
    assert "spine" not in reason


def test_notice_and_horizon_limit_the_offer(salon, therapist, room, routine):
    now = at(datetime.date(2027, 1, 11), 10, 7)  # a Monday
    salon.booking_horizon_days = 1
    salon.save()

    slots, _ = availability(
        salon=salon, routine=routine, first_day=now.date(), last_day=now.date() + datetime.timedelta(days=3), now=now
    )

    days = {slot.as_dict(BERLIN)["start"].date() for slot in slots}
    assert starts(slots)[0] == "11:15"  # an hour's notice, then the next grid time
    assert days == {now.date(), now.date() + datetime.timedelta(days=1)}


def test_query_count_does_not_grow_with_therapists_or_days(
    salon, room, routine, tomorrow, django_assert_max_num_queries
):
    for number in range(10):
        works_every_day(TherapistFactory(salon=salon, display_name=f"T{number}"))

    with django_assert_max_num_queries(9):
        one_day, _ = availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow)
    with django_assert_max_num_queries(9):
        month, _ = availability(
            salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow + datetime.timedelta(days=29)
        )

    assert len(month) > len(one_day) > 0


def test_slots_are_ordered_by_start(salon, room, routine, tomorrow):
    for name in ["B", "A"]:
        works_every_day(TherapistFactory(salon=salon, display_name=name))

    slots, _ = availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow)

    assert [slot.start for slot in slots] == sorted(slot.start for slot in slots)


def test_the_database_counts_minutes_like_python(salon, therapist, room, routine, client_, tomorrow):
    """Availability reads bookings as epoch minutes computed in SQL."""
    from sessions.availability import EpochMinutes, to_minutes
    from sessions.models import Appointment

    appointment = appointment_book(client=client_, routine=routine, start=at(tomorrow, 10, 45))

    start, busy_until = (
        Appointment.objects.annotate(s=EpochMinutes("start"), e=EpochMinutes("busy_until"))
        .values_list("s", "e")
        .get(pk=appointment.pk)
    )
    assert (start, busy_until) == (to_minutes(appointment.start), to_minutes(appointment.busy_until))


def test_routine_timing_gives_the_durations_of_the_whole_routine_spec(django_assert_num_queries):
    """Availability reads only the steps' doses; its durations must be the full spec's."""
    from routines.models import RoutineTemplate
    from routines.selectors import routine_spec, routine_timing, routine_versions

    routines = list(RoutineTemplate.objects.order_by("pk"))
    assert routines  # the seeded catalogue, counted steps among them

    for routine in routines:
        timing, spec = routine_timing(routine), routine_spec(routine)

        assert (timing.typical_minutes, timing.minimum_minutes) == (spec.typical_minutes, spec.minimum_minutes)
        assert (timing.slug, timing.name, timing.qualification, timing.turnover_minutes) == (
            spec.slug, spec.name, spec.qualification, spec.turnover_minutes,
        )  # fmt: skip
    prefetched = list(routine_versions())
    with django_assert_num_queries(0):  # read from the steps already there
        timings = [routine_timing(routine) for routine in prefetched]
    assert [timing.typical_minutes for timing in timings] == [
        routine_spec(routine).typical_minutes for routine in prefetched
    ]


def test_a_location_without_therapists_offers_nothing(salon, therapist, room, routine, tomorrow):
    therapist.active = False  # its only therapist
    therapist.save()

    slots, reason = availability(salon=salon, routine=routine, first_day=tomorrow, last_day=tomorrow)

    assert (slots, reason) == ([], "")
