"""One small week at a Berlin salon whose every figure is worked out by hand
in the tests: Anna and Ben work 09:00–17:00 (480 minutes a day), the salon
and its rooms Linden and Birke are open 08:00–20:00 (720 minutes a day).

The week is Monday 2 to Sunday 8 March 2026 (no clock change). In it:

1. Mon 10:00–11:00  Anna, Linden, neck, completed, €65.00
2. Tue 10:00–11:00  Anna, Linden, neck, completed, €70.00 (the menu price went up on Tuesday)
3. Wed 10:00–11:30  Anna, Birke,  back, no-show,   €90.00
4. Wed 14:00–15:00  Ben,  Birke,  neck, cancelled late, €65.00
5. Thu 09:00–10:00  Ben,  Birke,  neck, cancelled in time, €65.00
6. Sun 16:00–17:00  Ben,  Linden, neck, booked (not yet finished), €70.00

Anna is away on Tuesday 13:00–17:00 (240 minutes); Birke is out of service
all Friday. Outside the week: a completed €60.00 session on Friday 27
February (the week before) and one on Monday 9 March 10:00 (the week after).
"""

import datetime
from dataclasses import dataclass

import pytest

from salon.models import TimeOff
from sessions.models import Appointment
from tests.factories import routine_create_for_test, step_data
from tests.scenario import salon_scenario

MONDAY = datetime.date(2026, 3, 2)


@dataclass
class Week:
    scene: object
    anna: object
    ben: object
    linden: object
    birke: object
    neck: object
    back: object
    appointments: list


def book(
    scene,
    *,
    therapist,
    room,
    routine,
    day,
    hour,
    minutes=60,
    minute=0,
    status="completed",
    price=6500,
    late=False,
    client=None,
):
    """An appointment as it stands after the fact; the booking service refuses
    times in the past, and these figures are about the past."""
    start = scene.at(day, hour, minute)
    end = start + datetime.timedelta(minutes=minutes)
    return Appointment.objects.create(
        client=client or scene.client, therapist=therapist, room=room, routine=routine, start=start, end=end,
        busy_until=end, status=status, price_minor=price, currency="EUR", cancelled_late=late,
    )  # fmt: skip


@pytest.fixture
def week(db):
    return week_scenario()


def week_scenario() -> Week:
    """The week, for tests outside this folder (the browser's)."""
    scene = salon_scenario(therapists=["Anna", "Ben"], rooms=["Linden", "Birke"], currency="EUR")
    anna, ben = scene.therapists
    linden, birke = scene.rooms
    neck = routine_create_for_test(slug="neck", name="Neck", steps=[step_data(1, min_minutes=60, max_minutes=60)])
    back = routine_create_for_test(slug="back", name="Back", steps=[step_data(1, min_minutes=90, max_minutes=90)])
    day = lambda offset: MONDAY + datetime.timedelta(days=offset)  # noqa: E731
    appointments = [
        book(scene, therapist=anna, room=linden, routine=neck, day=day(0), hour=10, price=6500),
        book(scene, therapist=anna, room=linden, routine=neck, day=day(1), hour=10, price=7000),
        book(
            scene, therapist=anna, room=birke, routine=back, day=day(2), hour=10, minutes=90, status="no_show",
            price=9000,
        ),
        book(scene, therapist=ben, room=birke, routine=neck, day=day(2), hour=14, status="cancelled", late=True),
        book(scene, therapist=ben, room=birke, routine=neck, day=day(3), hour=9, status="cancelled"),
        book(scene, therapist=ben, room=linden, routine=neck, day=day(6), hour=16, status="booked", price=7000),
        book(scene, therapist=anna, room=linden, routine=neck, day=day(-3), hour=10, price=6000),
        book(scene, therapist=anna, room=linden, routine=neck, day=day(7), hour=10, price=7000),
    ]  # fmt: skip
    TimeOff.objects.create(therapist=anna, start=scene.at(day(1), 13), end=scene.at(day(1), 17), reason="Dentist")
    TimeOff.objects.create(room=birke, start=scene.at(day(4), 0), end=scene.at(day(5), 0), reason="New table")
    return Week(scene, anna, ben, linden, birke, neck, back, appointments)
