import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.factories import (
    ClientFactory,
    RoomFactory,
    SalonFactory,
    TherapistFactory,
    open_every_day,
    short_routine,
    works_every_day,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def salon():
    salon = SalonFactory(time_zone="Europe/Berlin", min_notice_minutes=60, booking_horizon_days=400)
    open_every_day(salon, datetime.time(8), datetime.time(20))
    return salon


@pytest.fixture
def therapist(salon):
    therapist = TherapistFactory(salon=salon, display_name="Anna")
    works_every_day(therapist)
    return therapist


@pytest.fixture
def room(salon):
    return RoomFactory(salon=salon, name="Linden")


@pytest.fixture
def client_(salon):
    return ClientFactory(salon=salon, given_name="Sabine")


@pytest.fixture
def routine(db):
    """45 minutes of massage and 15 of turnover: a one-hour slot."""
    return short_routine(minutes=45, turnover=15)


@pytest.fixture
def eager_celery():
    """Tasks run in this process, so nothing reaches the real broker here
    (tests/integration covers the real worker)."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def tomorrow() -> datetime.date:
    return (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=1)).date()


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BERLIN)
