"""Europe/Berlin around the next daylight-saving changes: 28 March 2027
(02:00 becomes 03:00) and 31 October 2027 (03:00 becomes 02:00)."""

import datetime
import itertools

import pytest

from salon.models import WorkingHours
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from tests.factories import short_routine
from tests.helpers import BERLIN

pytestmark = pytest.mark.django_db

SPRING = datetime.date(2027, 3, 28)
AUTUMN = datetime.date(2027, 10, 31)
BEFORE = datetime.datetime(2027, 1, 4, 12, tzinfo=datetime.UTC)


@pytest.fixture
def night_shift(salon, therapist, room):
    """Open all day; the therapist works 00:00–06:00 on Sundays."""
    from salon.models import OpeningHours

    OpeningHours.objects.filter(salon=salon).delete()
    OpeningHours.objects.create(salon=salon, weekday=6, opens=datetime.time(0), closes=datetime.time(23, 59))
    WorkingHours.objects.filter(therapist=therapist).delete()
    WorkingHours.objects.create(
        therapist=therapist, salon=salon, weekday=6, starts=datetime.time(0), ends=datetime.time(6)
    )
    return therapist


def offered(salon, routine, day):
    slots, _ = availability(salon=salon, routine=routine, first_day=day, last_day=day, now=BEFORE)
    return [slot.as_dict(BERLIN)["start"] for slot in slots]


def test_spring_never_offers_the_missing_hour(salon, night_shift):
    routine = short_routine(minutes=15, turnover=0)

    starts = offered(salon, routine, SPRING)

    walls = [start.strftime("%H:%M%z") for start in starts]
    assert walls[:2] == ["00:00+0100", "00:15+0100"]
    assert walls[7:9] == ["01:45+0100", "03:00+0200"]
    assert not any(start.hour == 2 for start in starts)
    assert len(starts) == 20  # five real hours: 23:00 to 04:00 UTC


def test_autumn_offers_the_repeated_hour_twice_without_duplicates_or_gaps(salon, night_shift):
    routine = short_routine(minutes=15, turnover=0)

    starts = offered(salon, routine, AUTUMN)

    instants = [start.astimezone(datetime.UTC) for start in starts]
    assert len(instants) == len(set(instants)) == 28  # seven real hours
    assert all(later - earlier == datetime.timedelta(minutes=15) for earlier, later in itertools.pairwise(instants))
    two_oclock = [start.strftime("%H:%M%z") for start in starts if start.hour == 2 and start.minute == 0]
    assert two_oclock == ["02:00+0200", "02:00+0100"]


def test_a_booking_across_the_autumn_change_lasts_its_real_length(salon, night_shift, client_):
    routine = short_routine(minutes=120, turnover=0)
    start = datetime.datetime(2027, 10, 31, 1, 30, tzinfo=BERLIN)  # +02:00, before the change

    appointment = appointment_book(client=client_, routine=routine, start=start, now=BEFORE)

    assert appointment.end - appointment.start == datetime.timedelta(minutes=120)
    end = appointment.end.astimezone(BERLIN)
    assert (end.hour, end.minute, end.utcoffset()) == (2, 30, datetime.timedelta(hours=1))


def test_a_wall_clock_time_in_the_spring_gap_cannot_be_booked(salon, night_shift, client_):
    routine = short_routine(minutes=15, turnover=0)
    missing = datetime.datetime(2027, 3, 28, 2, 30, tzinfo=BERLIN)  # does not exist; Python reads it as 03:30 CEST

    appointment = appointment_book(client=client_, routine=routine, start=missing, now=BEFORE)

    assert appointment.start.astimezone(BERLIN).strftime("%H:%M%z") == "03:30+0200"


def test_the_api_gives_each_start_its_own_offset(api_client, salon, night_shift):
    from salon.roles import Role
    from tests.factories import UserFactory

    routine = short_routine(minutes=15, turnover=0)
    api_client.force_authenticate(UserFactory(roles=[Role.RECEPTIONIST]))
    salon.booking_horizon_days = 730
    salon.save()

    slots = api_client.get(f"/api/v1/availability/?routine={routine.pk}&start={AUTUMN}&end={AUTUMN}").json()["slots"]

    starts = [slot["start"] for slot in slots]
    assert "2027-10-31T02:00:00+02:00" in starts
    assert "2027-10-31T02:00:00+01:00" in starts
