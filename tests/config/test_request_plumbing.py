"""The plumbing every signed-in page pays: the session read by a compiled
query (salon.session_store), the verified device too
(config.middleware.CompiledDeviceOTPMiddleware); both as Django's own."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from salon.roles import Role
from salon.session_store import SessionStore
from tests.factories import SalonFactory, UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_a_session_is_read_back_with_its_data_in_one_query(django_assert_num_queries):
    # Given a saved session
    saved = SessionStore()
    saved["answer"] = 42
    saved.save()

    # When it is read by its key
    with django_assert_num_queries(1):
        loaded = SessionStore(saved.session_key).load()

    # Then it holds what was saved
    assert loaded == {"answer": 42}


def test_an_expired_or_unknown_session_reads_as_empty_and_loses_its_key():
    # Given a session that has expired
    expired = SessionStore()
    expired["answer"] = 42
    expired.save()
    Session.objects.filter(pk=expired.session_key).update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    # When it, and a key no session has, are read
    stale, unknown = SessionStore(expired.session_key), SessionStore("x" * 32)

    # Then both are empty and have no key, as Django's database sessions
    assert stale.load() == {}
    assert stale.session_key is None
    assert unknown.load() == {}
    assert unknown.session_key is None


def test_a_verified_manager_keeps_their_device_across_pages(client):
    # Given a manager who entered their app's code
    SalonFactory()
    manager = UserFactory(roles=[Role.MANAGER])
    sign_in(client, manager)

    # When they open a page twice
    first, second = client.get("/accounts/security/"), client.get("/accounts/security/")

    # Then the session still names the device and no second factor is asked for
    assert first.status_code == second.status_code == 200
    assert DEVICE_ID_SESSION_KEY in client.session


@pytest.mark.parametrize("change", ["unconfirmed", "another_user", "deleted", "not_a_device"])
def test_a_device_that_no_longer_verifies_is_forgotten_by_the_session(client, change):
    # Given a verified manager whose device then stops counting
    SalonFactory()
    manager = UserFactory(roles=[Role.MANAGER])
    sign_in(client, manager)
    device = TOTPDevice.objects.get(user=manager)
    if change == "unconfirmed":
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    elif change == "another_user":
        TOTPDevice.objects.filter(pk=device.pk).update(user=UserFactory())
    elif change == "deleted":
        device.delete()
    else:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = "salon.salon/1"
        session.save()

    # When they open a page
    response = client.get("/accounts/security/")

    # Then it asks for a code again, and the session no longer names the device
    assert response.status_code == 302
    assert DEVICE_ID_SESSION_KEY not in client.session
