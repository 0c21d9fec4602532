import datetime

import pytest
from django.utils import timezone

from tests.factories import short_routine
from tests.helpers import BERLIN
from tests.scenario import salon_scenario


@pytest.fixture
def scene(db):
    """Lindenhof-like: open 8–20, Anna works 9–17, room Linden, client Sabine."""
    return salon_scenario()


@pytest.fixture
def salon(scene):
    return scene.salon


@pytest.fixture
def therapist(scene):
    return scene.therapist


@pytest.fixture
def room(scene):
    return scene.room


@pytest.fixture
def client_(scene):
    return scene.client


@pytest.fixture
def routine(db):
    """45 minutes of massage and 15 of turnover: a one-hour slot."""
    return short_routine(minutes=45, turnover=15)


@pytest.fixture
def tomorrow() -> datetime.date:
    return (timezone.now().astimezone(BERLIN) + datetime.timedelta(days=1)).date()
