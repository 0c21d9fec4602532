"""The demo salon as `make run` loads it, seeded once for this module (the
``demo_salon`` fixture): who can sign in, what is booked, and that seeding
again changes nothing."""

import datetime
from base64 import b32decode

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from django_otp.oath import totp

from clients.models import Client
from config.demo_data import DEMO_MANAGER_TOTP_SECRET
from salon.models import Salon, Therapist
from salon.roles import Role, has_role
from tests.helpers import ROOT
from tests.helpers import demo_counts as counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_salon")]


def test_demo_salon_has_the_promised_people_rooms_and_clients():
    salon = Salon.objects.get()
    assert salon.time_zone == "Europe/Berlin"
    assert counts() == (1, 6, 4, 3, 12)
    assert Client.objects.exclude(email="").exclude(phone="").exists()
    assert Client.objects.filter(email="").exists()
    assert Client.objects.filter(phone="").exists()
    assert Therapist.objects.filter(qualified_pregnancy=True).exists()
    assert Therapist.objects.filter(qualified_therapeutic=True).exists()


def test_the_demo_manager_takes_a_token_with_the_secret_the_readme_publishes(api_client):
    """People and scripts sign in as the demo manager with the published key."""
    readme = (ROOT / "README.md").read_text()
    assert DEMO_MANAGER_TOTP_SECRET in readme
    code = f"{totp(b32decode(DEMO_MANAGER_TOTP_SECRET)):06d}"

    without = api_client.post(
        "/api/v1/auth/token/", {"username": "manager", "password": settings.DEMO_PASSWORD}, format="json"
    )
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "manager", "password": settings.DEMO_PASSWORD, "otp": code}, format="json"
    )

    assert without.status_code == 400
    assert without.json()["code"] == "otp_required"
    assert response.status_code == 200, response.json()


def test_demo_logins_work_with_the_demo_password():
    logins = [("manager", Role.MANAGER), ("reception", Role.RECEPTIONIST)]
    logins += [(f"therapist{n}", Role.THERAPIST) for n in range(1, 5)]

    for username, role in logins:
        user = authenticate(
            RequestFactory().post("/accounts/login/"), username=username, password=settings.DEMO_PASSWORD
        )
        assert user is not None, username
        assert has_role(user, role), username


def test_each_therapist_login_has_its_therapist_record():
    assert sorted(Therapist.objects.values_list("user__username", flat=True)) == [f"therapist{n}" for n in range(1, 5)]


def test_running_it_again_changes_nothing():
    before = counts()

    call_command("seed_demo")

    assert counts() == before


def test_demo_rotas_time_off_and_two_weeks_of_bookings():
    from collections import Counter

    from salon.models import TimeOff, WorkingHours
    from sessions.models import Appointment

    jonas_tuesday = WorkingHours.objects.filter(therapist__user__username="therapist2", weekday=1)
    mira_days = set(
        WorkingHours.objects.filter(therapist__user__username="therapist3").values_list("weekday", flat=True)
    )
    assert jonas_tuesday.count() == 2  # a split shift
    assert len(mira_days) < 5  # part-time
    assert TimeOff.objects.filter(therapist__isnull=False).exists()
    assert TimeOff.objects.filter(room__isnull=False).exists()
    statuses = Counter(Appointment.objects.values_list("status", flat=True))
    assert {"booked", "completed", "cancelled", "no_show"} <= set(statuses)
    # The week before today and the week after, whichever weekday today is
    # (the demo salon is closed on Sundays, so the span is 12 days on a Sunday).
    zone = Salon.objects.get().zone
    today = timezone.now().astimezone(zone).date()
    days = {start.astimezone(zone).date() for start in Appointment.objects.values_list("start", flat=True)}
    assert min(days) <= today - datetime.timedelta(days=6)
    assert max(days) >= today + datetime.timedelta(days=6)
    assert len(days) >= 10
    assert not Appointment.objects.filter(client__given_name="Henrik").exists()  # blocked until cleared
    julia = Appointment.objects.filter(client__given_name="Julia").select_related("therapist", "routine")
    assert all(appointment.therapist.qualified_pregnancy for appointment in julia)
    assert {appointment.routine.slug for appointment in julia} == {"pregnancy-back-massage"}


def test_seeding_again_adds_no_bookings():
    from sessions.models import Appointment

    before = Appointment.objects.count()

    call_command("seed_demo")

    assert Appointment.objects.count() == before


def test_the_demo_has_no_backlog_of_messages(demo_salon):
    from sessions.models import Notification

    assert not Notification.objects.filter(status="pending", due_at__lt=demo_salon).exists()
    assert Notification.objects.filter(status="sent").exists()
    assert Notification.objects.filter(status="pending", kind="reminder").exists()
