"""Invitations: a manager adds someone without ever typing a password; the
person gets an email whose link sets their own (Django's validators), once,
within INVITATION_DAYS; then they sign in. Expired, used, replaced and forged
links are refused with a page that says to ask for a new invitation."""

import datetime
import re
import smtplib
import time
import types

import pytest
from django.core import mail, signing
from django.test import override_settings

from salon import services
from salon.errors import Conflict, Gone, InvalidInput
from salon.invitations import invitation_token, invited_user
from salon.models import User
from salon.redaction import scrub_text
from salon.roles import Role
from salon.tasks import staff_invitation_send
from tests.factories import UserFactory
from tests.helpers import sign_in
from tests.scenario import salon_scenario

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "linden-tree-at-dusk-42"
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/invitation/[^/\s\"<>]+/")


@pytest.fixture
def scene():
    return salon_scenario(rooms=["Linden", "Birke"])


@pytest.fixture
def boss(scene):
    return UserFactory(username="boss", roles=[Role.MANAGER])


@pytest.fixture
def invite(scene, boss, eager_celery, django_capture_on_commit_callbacks):
    """Invite someone as a manager would, running the email task on commit."""

    def invite(**fields) -> User:
        details = {
            "username": "mara",
            "email": "mara@example.com",
            "first_name": "Mara",
            "last_name": "Lind",
            "roles": [Role.THERAPIST],
            "locations": [scene.salon],
            "display_name": "Mara",
            "qualified_pregnancy": True,
            "rooms": [scene.rooms[1]],
        }
        details.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return services.staff_invite(by=boss, **details)

    return invite


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def set_password(client, link, password=NEW_PASSWORD, again=None):
    return client.post(path_of(link), {"new_password1": password, "new_password2": again or password})


def test_the_link_in_the_email_sets_the_password_and_then_signing_in_works(client, invite):
    # given a therapist invited by a manager
    mara = invite()
    assert not mara.has_usable_password()

    # then one email went to her, with her login name and a link
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mara@example.com"]
    assert "Set your password" in message.subject
    assert "Your login name: mara" in message.body
    mara.refresh_from_db()
    assert mara.invited_at is not None

    # when she opens the link and chooses a password
    page = client.get(path_of(link_in(message)))
    assert page.status_code == 200
    assert "Set password" in page.content.decode()
    answer = set_password(client, link_in(message))

    # then she is sent to sign in, and signing in with it works
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/"
    assert "Your password is set" in client.get(answer["Location"]).content.decode()
    signed_in = client.post("/accounts/login/", {"username": "mara", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert client.get(signed_in["Location"], follow=True).request["PATH_INFO"] == "/my-day/"


def test_a_link_works_once(client, invite):
    invite()
    link = link_in(mail.outbox[0])
    set_password(client, link)

    again = set_password(client, link, password="another-password-77")

    assert again.status_code == 410
    assert "ask your manager to send you a new invitation" in again.content.decode().lower()
    assert User.objects.get(username="mara").check_password(NEW_PASSWORD)
    assert client.get(path_of(link)).status_code == 410


def test_an_expired_link_is_refused(client, invite, monkeypatch):
    invite()
    link = link_in(mail.outbox[0])
    eight_days_on = time.time() + 8 * 24 * 60 * 60
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: eight_days_on))

    page = set_password(client, link)

    assert page.status_code == 410
    assert "expired" in page.content.decode()
    assert not User.objects.get(username="mara").has_usable_password()


@override_settings(INVITATION_DAYS=1)
def test_the_setting_says_how_long_a_link_works(invite, monkeypatch):
    mara = invite()
    token = invitation_token(mara)
    two_days_on = time.time() + 2 * 24 * 60 * 60

    assert invited_user(token) == mara
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: two_days_on))
    with pytest.raises(Gone) as refused:
        invited_user(token)
    assert refused.value.code == "invitation_expired"


@pytest.mark.parametrize("tamper", [lambda token: token[:-2] + "xx", lambda token: "not-a-token"])
def test_a_tampered_or_made_up_link_is_refused(client, invite, tamper):
    invite()
    token = path_of(link_in(mail.outbox[0])).rstrip("/").rsplit("/", 1)[1]

    page = client.get(f"/accounts/invitation/{tamper(token)}/")

    assert page.status_code == 400
    assert "not valid" in page.content.decode()
    assert "ask your manager" in page.content.decode().lower()


def test_a_token_for_someone_else_cannot_be_forged_from_the_signature_of_another_salt(invite):
    mara = invite()
    forged = signing.dumps([mara.pk, "0" * 32], salt="salon.calendar-feed")

    with pytest.raises(InvalidInput):
        invited_user(forged)


def test_passwords_are_checked_by_djangos_validators(client, invite):
    invite()
    link = link_in(mail.outbox[0])

    short = set_password(client, link, password="abc")
    mismatched = set_password(client, link, password=NEW_PASSWORD, again=NEW_PASSWORD + "x")

    assert short.status_code == 200
    assert "too short" in short.content.decode()
    assert "The two password fields didn" in mismatched.content.decode()
    assert not User.objects.get(username="mara").has_usable_password()


def test_a_new_invitation_replaces_the_old_link(client, boss, invite, django_capture_on_commit_callbacks):
    mara = invite()
    old_link = link_in(mail.outbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        services.staff_invitation_resend(by=boss, user=mara)

    assert len(mail.outbox) == 2
    assert client.get(path_of(old_link)).status_code == 410
    assert set_password(client, link_in(mail.outbox[1])).status_code == 302


def test_correcting_a_mistyped_address_retires_the_link_sent_there(client, boss, invite):
    mara = invite(email="mara@exmaple.com")
    sent_to_the_typo = link_in(mail.outbox[0])

    services.staff_update(by=boss, user=mara, email="mara@example.com")

    assert client.get(path_of(sent_to_the_typo)).status_code == 410
    assert not User.objects.get(pk=mara.pk).has_usable_password()


def test_an_invitation_does_not_come_back_with_a_reactivated_account(client, boss, invite):
    from sessions.services.staffing import staff_deactivate, staff_reactivate

    mara = invite()
    link = link_in(mail.outbox[0])

    staff_deactivate(by=boss, user=mara)
    staff_reactivate(by=boss, user=User.objects.get(pk=mara.pk))

    assert client.get(path_of(link)).status_code == 410


def test_no_invitation_after_the_password_is_set_or_the_account_is_deactivated(client, boss, invite):
    mara = invite()
    set_password(client, link_in(mail.outbox[0]))

    staff_invitation_send(mara.pk)  # a rerun, or a late redelivery
    with pytest.raises(Conflict) as refused:
        services.staff_invitation_resend(by=boss, user=mara)

    assert len(mail.outbox) == 1
    assert refused.value.code == "invitation_accepted"

    paul = invite(username="paul", email="paul@example.com", first_name="Paul", display_name="Paul")
    User.objects.filter(pk=paul.pk).update(is_active=False)
    staff_invitation_send(paul.pk)
    assert len(mail.outbox) == 2  # Mara's and Paul's first, nothing after he left
    assert client.get(path_of(link_in(mail.outbox[1]))).status_code == 410


def test_the_email_is_retried_when_the_mail_server_fails(invite, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send
    failures = iter([smtplib.SMTPServerDisconnected("gone"), None])

    def flaky_send(self, *args, **kwargs):
        error = next(failures, None)
        if error is not None:
            raise error
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)

    invite()  # eager: the retry runs at once

    assert len(mail.outbox) == 1


def test_the_manager_never_sees_or_sets_a_password(client, scene, boss, eager_celery):
    sign_in(client, boss)

    form = client.get("/manage/staff/new/").content.decode()
    answer = client.post(
        "/manage/staff/new/",
        {
            "first_name": "Mara",
            "last_name": "Lind",
            "username": "mara",
            "email": "mara@example.com",
            "roles": [Role.THERAPIST],
            "locations": [scene.salon.pk],
            "password": "chosen-by-the-boss-1",
            "new_password1": "chosen-by-the-boss-1",
        },
    )
    mara = User.objects.get(username="mara")
    page = client.get(answer["Location"]).content.decode()

    assert 'type="password"' not in form
    assert 'type="password"' not in page
    assert not mara.has_usable_password()
    assert not mara.check_password("chosen-by-the-boss-1")


def test_invitation_links_are_kept_out_of_logs(invite):
    invite()
    link = link_in(mail.outbox[0])

    assert scrub_text(f"GET {path_of(link)} 200") == "GET /accounts/invitation/[redacted]/ 200"


def test_the_page_is_not_kept_in_caches(client, invite):
    invite()
    page = client.get(path_of(link_in(mail.outbox[0])))

    assert page["Cache-Control"] == "no-store"


def test_invitations_expire_after_seven_days_by_default(settings):
    assert datetime.timedelta(days=settings.INVITATION_DAYS) == datetime.timedelta(days=7)
