"""Signing in resists guessing: lockouts by username and by address,
throttles, a second factor for managers, tokens that end, sessions that end."""

import datetime
import logging
import time
from base64 import b32decode

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.sites import site as admin_site
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from salon.models import User
from salon.roles import Role
from salon.services import second_factor_app_add
from salon.signin import SIGNED_IN_AT_KEY, SignInThrottle
from tests.factories import SalonFactory, TherapistFactory, UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_for(secret: str = SECRET, *, steps_ahead: int = 0) -> str:
    return f"{totp(b32decode(secret), t0=-30 * steps_ahead):06d}"


def fail_web(client, username: str, times: int, *, address: str = "203.0.113.7"):
    for _ in range(times):
        client.post(LOGIN_URL, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)


# --- Lockout -----------------------------------------------------------------


def test_after_five_wrong_passwords_the_right_one_is_refused_too_with_a_clear_page(client, password, settings):
    # given a receptionist whose password someone is guessing
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    fail_web(client, "clara", settings.LOGIN_FAILURE_LIMIT)

    # when the right password arrives next
    response = client.post(LOGIN_URL, {"username": "clara", "password": password}, REMOTE_ADDR="198.51.100.1")

    # then it is refused, from another address too, and the page says why and for how long
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-ins" in html
    assert f"locked for {settings.LOGIN_LOCKOUT_MINUTES} minutes" in html
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_do_not_lock_and_a_success_starts_the_count_again(client, password):
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    fail_web(client, "clara", 4)

    assert client.post(LOGIN_URL, {"username": "clara", "password": password}).status_code == 302
    client.post("/accounts/logout/")
    fail_web(client, "clara", 4)
    assert client.post(LOGIN_URL, {"username": "clara", "password": password}).status_code == 302


def test_one_address_trying_many_usernames_is_locked_out(client, password):
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    for n in range(5):
        fail_web(client, f"guess{n}", 1, address="203.0.113.9")

    refused = client.post(LOGIN_URL, {"username": "clara", "password": password}, REMOTE_ADDR="203.0.113.9")
    elsewhere = client.post(LOGIN_URL, {"username": "clara", "password": password}, REMOTE_ADDR="198.51.100.2")

    assert refused.status_code == 429
    assert elsewhere.status_code == 302


def test_the_token_endpoint_shares_the_lockout_and_answers_in_json(api_client, client, password):
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    statuses = [
        api_client.post(TOKEN_URL, {"username": "clara", "password": "wrong"}, format="json").status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]  # the fifth failure locks

    locked = api_client.post(TOKEN_URL, {"username": "clara", "password": password}, format="json")
    page = client.post(LOGIN_URL, {"username": "clara", "password": password}, REMOTE_ADDR="198.51.100.3")

    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"
    assert "a manager can lift it on the staff page in Manage" in locked.json()["detail"]
    assert not AuthToken.objects.exists()
    assert page.status_code == 429


def test_a_superuser_lifts_the_lockout_in_the_admin(client, password):
    clara = UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    fail_web(client, "clara", 5)
    assert AccessAttempt.objects.filter(username="clara").exists()
    desk = client_class_instance()
    sign_in(desk, UserFactory(username="root", is_superuser=True))

    response = desk.post(
        "/admin/salon/user/",
        {"action": "lift_sign_in_lockout", "_selected_action": [clara.pk]},
        follow=True,
    )

    assert "Sign-in lockouts lifted: 1" in response.content.decode()
    assert client.post(LOGIN_URL, {"username": "clara", "password": password}).status_code == 302


def client_class_instance():
    from django.test import Client

    return Client()


def test_lockout_records_are_for_superusers_to_see_and_clear_in_the_admin(manager):
    def request_of(user):
        return type("Request", (), {"user": user})()

    superuser = UserFactory(username="root", is_superuser=True)
    model_admin = admin_site._registry[AccessAttempt]

    assert not admin_site.has_permission(request_of(manager))  # managers lift lockouts in Manage
    assert admin_site.has_permission(request_of(superuser))
    assert model_admin.has_view_permission(request_of(superuser))
    assert model_admin.has_delete_permission(request_of(superuser))
    assert not model_admin.has_add_permission(request_of(superuser))


def test_the_token_endpoint_is_throttled_per_address(api_client, monkeypatch):
    monkeypatch.setattr(SignInThrottle, "rate", "3/min", raising=False)
    statuses = [
        api_client.post(TOKEN_URL, {"username": f"nobody{n}", "password": "x"}, format="json").status_code
        for n in range(4)
    ]

    assert statuses == [400, 400, 400, 429]
    response = api_client.post(TOKEN_URL, {"username": "x", "password": "x"}, format="json")
    assert response.json()["code"] == "throttled"


def test_sign_ins_are_logged_without_passwords(client, api_client, password, caplog):
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    caplog.set_level(logging.INFO, logger="salon.security")

    client.post(LOGIN_URL, {"username": "clara", "password": "Tr0ub4dor&3"})
    client.post(LOGIN_URL, {"username": "clara", "password": password})
    api_client.post(TOKEN_URL, {"username": "clara", "password": password}, format="json")

    messages = [record.getMessage() for record in caplog.records if record.name == "salon.security"]
    assert "Failed sign-in: 'clara' from 127.0.0.1" in messages
    assert "Sign-in: clara from 127.0.0.1 (web)" in messages
    assert "Sign-in: clara from 127.0.0.1 (api)" in messages
    assert not any("Tr0ub4dor" in text or password in text for text in caplog.text.splitlines())


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, password, settings):
    settings.BEHIND_TLS_PROXY = True
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    for n in range(5):
        # a guesser cannot dodge the address lockout by writing its own header
        client.post(
            LOGIN_URL,
            {"username": f"guess{n}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.50",
        )

    refused = client.post(
        LOGIN_URL, {"username": "clara", "password": password}, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.50"
    )
    colleague = client.post(LOGIN_URL, {"username": "clara", "password": password}, HTTP_X_FORWARDED_FOR="198.51.100.4")

    assert refused.status_code == 429
    assert colleague.status_code == 302


# --- Second factor -----------------------------------------------------------


def test_a_manager_without_an_app_sets_one_up_at_first_sign_in(client, password, manager):
    # given a manager signing in for the first time
    SalonFactory()
    response = client.post(LOGIN_URL, {"username": manager.username, "password": password, "next": "/manage/hours/"})
    assert response.status_code == 302

    # then every page sends them to set up an app first
    admin = client.get("/manage/hours/")
    assert admin.status_code == 302
    assert admin["Location"].startswith("/accounts/two-factor/set-up/")
    setup = client.get(admin["Location"])
    html = setup.content.decode()
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=manager, confirmed=False)

    # when they enter a wrong code, then the right one
    wrong = client.post(admin["Location"], {"code": "000000", "next": "/manage/hours/"})
    assert "does not match" in wrong.content.decode()
    time.sleep(1.1)  # after a wrong code the next try waits a moment (django-otp's throttling)
    secret = html.split('class="secret">')[1].split("<")[0].replace(" ", "")
    assert b32decode(secret) == device.bin_key
    done = client.post(admin["Location"], {"code": code_for(secret), "next": "/manage/hours/"}, follow=True)

    # then they see their recovery codes once, and may work
    codes_html = done.content.decode()
    assert "Your recovery codes" in codes_html
    assert StaticToken.objects.filter(device__user=manager).count() == 10
    assert all(token.token in codes_html for token in StaticToken.objects.filter(device__user=manager))
    assert client.get("/accounts/two-factor/recovery-codes/").status_code == 302  # not shown again
    assert client.get("/manage/hours/").status_code == 200


def test_an_account_with_an_app_enters_its_code_after_the_password(client, password):
    SalonFactory()
    user = TherapistFactory(user__username="tom").user
    second_factor_app_add(user=user, secret=SECRET)
    client.post(LOGIN_URL, {"username": "tom", "password": password})

    blocked = client.get("/my-day/")
    assert blocked.status_code == 302
    assert blocked["Location"] == "/accounts/two-factor/?next=%2Fmy-day%2F"
    api = client.get("/api/v1/me/")
    assert api.status_code == 403
    assert api.json()["code"] == "second_factor_required"

    other_scheme = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Basic dG9tOng=")
    assert other_scheme.status_code == 403  # no way around the code with another header

    wrong = client.post("/accounts/two-factor/", {"code": "12345x", "next": "/my-day/"})
    assert wrong.status_code == 200
    assert "That code is wrong" in wrong.content.decode()
    time.sleep(1.1)

    right = client.post("/accounts/two-factor/", {"code": code_for(), "next": "/my-day/"})
    assert right["Location"] == "/my-day/"
    assert client.get("/my-day/").status_code == 200


def test_the_code_page_does_not_send_people_to_other_sites(client, password):
    user = UserFactory(username="tom", roles=[Role.THERAPIST])
    second_factor_app_add(user=user, secret=SECRET)
    client.post(LOGIN_URL, {"username": "tom", "password": password})

    response = client.post("/accounts/two-factor/", {"code": code_for(), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_a_recovery_code_signs_in_once(client, password, manager):
    from salon.services import recovery_codes_replace

    second_factor_app_add(user=manager, secret=SECRET)
    first, *_ = recovery_codes_replace(user=manager)

    client.post(LOGIN_URL, {"username": manager.username, "password": password})
    assert client.post("/accounts/two-factor/", {"code": first})["Location"] == "/"
    client.post("/accounts/logout/")
    client.post(LOGIN_URL, {"username": manager.username, "password": password})
    again = client.post("/accounts/two-factor/", {"code": first})

    assert again.status_code == 200
    assert StaticToken.objects.filter(device__user=manager).count() == 9


def test_others_need_no_second_factor_but_may_set_one_up(client, password):
    SalonFactory()
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    client.post(LOGIN_URL, {"username": "clara", "password": password})

    assert client.get("/desk/").status_code == 200
    security = client.get("/accounts/security/").content.decode()
    assert "Set up two-factor sign-in" in security


def test_the_token_endpoint_takes_the_code_as_otp(api_client, password):
    user = UserFactory(username="tom", roles=[Role.THERAPIST])
    second_factor_app_add(user=user, secret=SECRET)
    body = {"username": "tom", "password": password}

    missing = api_client.post(TOKEN_URL, body, format="json")
    right = api_client.post(TOKEN_URL, {**body, "otp": code_for()}, format="json")
    replayed = api_client.post(TOKEN_URL, {**body, "otp": code_for()}, format="json")
    wrong = api_client.post(TOKEN_URL, {**body, "otp": "000000"}, format="json")

    assert missing.status_code == 400
    assert (missing.json()["code"], list(missing.json()["fields"])) == ("otp_required", ["otp"])
    assert right.status_code == 200, right.json()
    assert (replayed.status_code, replayed.json()["code"]) == (400, "otp_invalid")  # each code works once
    assert (wrong.status_code, wrong.json()["code"]) == (400, "otp_invalid")
    assert AuthToken.objects.count() == 1


def test_a_manager_without_an_app_gets_no_token(api_client, password, manager):
    response = api_client.post(TOKEN_URL, {"username": manager.username, "password": password}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_setup_required"
    assert not AuthToken.objects.exists()


# --- Tokens ------------------------------------------------------------------


def take_token(api_client, username: str, password: str) -> str:
    response = api_client.post(TOKEN_URL, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["token"]


def test_a_token_ends_after_the_idle_time_and_each_use_moves_the_end(api_client, password, settings):
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    token = take_token(api_client, "clara", password)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    stored = AuthToken.objects.get()
    lifetime = stored.expiry - stored.created
    assert abs(lifetime - datetime.timedelta(hours=settings.API_TOKEN_IDLE_HOURS)) < datetime.timedelta(seconds=5)

    # used after two idle hours: the end moves on
    AuthToken.objects.update(expiry=timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_IDLE_HOURS - 2))
    assert api_client.get("/api/v1/me/").status_code == 200
    assert AuthToken.objects.get().expiry > timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_IDLE_HOURS - 1)

    # not used until past its end: gone
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize("change", ["password", "deactivate"])
def test_a_password_change_or_deactivation_ends_every_token(api_client, password, change):
    clara = UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    tokens = [take_token(api_client, "clara", password) for _ in range(2)]
    other = UserFactory(username="tom", roles=[Role.RECEPTIONIST])
    kept = take_token(api_client, "tom", password)

    clara = User.objects.get(pk=clara.pk)
    if change == "password":
        clara.set_password("a-new-long-password-1")
    else:
        clara.is_active = False
    clara.save()

    for token in tokens:
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api_client.get("/api/v1/me/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {kept}")
    assert api_client.get("/api/v1/me/").json()["username"] == other.username


def test_an_unrelated_save_keeps_the_tokens(api_client, password):
    clara = UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    token = take_token(api_client, "clara", password)

    clara.first_name = "Klara"
    clara.save()

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").status_code == 200


def test_staff_list_and_revoke_their_own_tokens_only(api_client, password):
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    UserFactory(username="tom", roles=[Role.RECEPTIONIST])
    old = take_token(api_client, "clara", password)
    current = take_token(api_client, "clara", password)
    toms = take_token(api_client, "tom", password)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {current}")

    listed = api_client.get("/api/v1/auth/tokens/").json()
    assert sorted((item["token_key"], item["current"]) for item in listed) == sorted(
        [(old[:15], False), (current[:15], True)]
    )
    assert api_client.delete(f"/api/v1/auth/tokens/{toms[:15]}/").status_code == 404
    assert api_client.delete(f"/api/v1/auth/tokens/{old[:15]}/").status_code == 204

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api_client.get("/api/v1/me/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {toms}")
    assert api_client.get("/api/v1/me/").status_code == 200


def test_signing_out_ends_the_token_used(api_client, password):
    UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    token = take_token(api_client, "clara", password)
    other = take_token(api_client, "clara", password)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api_client.post("/api/v1/auth/sign-out/").status_code == 204

    assert api_client.get("/api/v1/me/").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {other}")
    assert api_client.post("/api/v1/auth/sign-out/?all=1").status_code == 204
    assert not AuthToken.objects.exists()


def test_the_security_page_lists_and_revokes_tokens(client, api_client, password):
    clara = UserFactory(username="clara", roles=[Role.RECEPTIONIST])
    token = take_token(api_client, "clara", password)
    sign_in(client, clara)

    page = client.get("/accounts/security/").content.decode()
    assert token[:8] in page
    assert token not in page

    client.post(f"/accounts/tokens/{token[:15]}/revoke/")
    assert not AuthToken.objects.exists()


def test_a_header_that_is_not_text_is_refused_not_a_crash(api_client):
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token caf\xe9")

    assert response.status_code == 401


# --- Sessions ----------------------------------------------------------------


def test_a_page_session_ends_a_working_day_after_signing_in(client, receptionist, settings):
    SalonFactory()
    sign_in(client, receptionist)
    assert client.get("/desk/").status_code == 200

    session = client.session
    session[SIGNED_IN_AT_KEY] = time.time() - settings.STAFF_SESSION_HOURS * 3600 - 1
    session.save()

    response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_a_verified_manager_session_works_and_shows_the_security_page(client, manager):
    SalonFactory()
    sign_in(client, manager)

    assert DEVICE_ID_SESSION_KEY in client.session
    assert client.get("/manage/hours/").status_code == 200
    assert "Two-factor sign-in" in client.get("/accounts/security/").content.decode()


# --- No way around the second factor -----------------------------------------


def test_a_password_alone_cannot_replace_the_app(client, password, manager):
    # given a manager with an app, and someone who knows only the password
    second_factor_app_add(user=manager, secret=SECRET)
    client.post(LOGIN_URL, {"username": manager.username, "password": password})

    # when they open the set-up page to put in an app of their own
    page = client.get("/accounts/two-factor/set-up/")
    posted = client.post("/accounts/two-factor/set-up/", {"code": "123456"})

    # then they are sent to enter the existing app's code, and nothing changed
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/two-factor/?next=")
    assert posted["Location"].startswith("/accounts/two-factor/?next=")
    assert list(TOTPDevice.objects.filter(user=manager).values_list("confirmed", flat=True)) == [True]
    assert client.get("/clients/").status_code == 302


def test_a_token_header_does_not_open_pages_or_the_admin(client, password, manager, receptionist, settings):
    SalonFactory()
    client.post(LOGIN_URL, {"username": manager.username, "password": password})
    made_up = {"HTTP_AUTHORIZATION": "Token made-up"}

    assert client.get("/clients/", **made_up).status_code == 302
    assert client.get("/admin/salon/user/", **made_up).status_code == 302

    desk = client_class_instance()
    sign_in(desk, receptionist)
    session = desk.session
    session[SIGNED_IN_AT_KEY] = time.time() - settings.STAFF_SESSION_HOURS * 3600 - 1
    session.save()
    assert desk.get("/desk/", **made_up).status_code == 302


def test_superusers_reset_phones_in_the_admin_but_never_see_secrets(client, manager, receptionist):
    staff_app = second_factor_app_add(user=receptionist, secret="MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U")
    sign_in(client, UserFactory(username="owner", is_superuser=True))

    listing = client.get("/admin/otp_totp/totpdevice/").content.decode()
    staff_page = client.get(f"/admin/otp_totp/totpdevice/{staff_app.pk}/change/")

    assert receptionist.username in listing
    assert staff_page.status_code == 200
    assert staff_app.key not in staff_page.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{staff_app.pk}/config/").status_code in {403, 404}
    assert client.post(f"/admin/otp_totp/totpdevice/{staff_app.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=staff_app.pk).exists()


def test_managers_cannot_reach_anyones_devices_in_the_admin(client, manager, receptionist):
    staff_app = second_factor_app_add(user=receptionist, secret="MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U")
    sign_in(client, manager)

    listing = client.get("/admin/otp_totp/totpdevice/")
    deleted = client.post(f"/admin/otp_totp/totpdevice/{staff_app.pk}/delete/", {"post": "yes"})

    assert listing["Location"].startswith("/admin/login/")
    assert deleted["Location"].startswith("/admin/login/")
    assert TOTPDevice.objects.filter(pk=staff_app.pk).exists()


def test_signing_out_without_a_token_says_what_to_send(client, api_client, receptionist):
    api_client.force_authenticate(receptionist)

    response = api_client.post("/api/v1/auth/sign-out/")

    assert response.status_code == 400
    assert response.json()["code"] == "no_token"


def test_the_migration_drops_the_old_plain_text_tokens():
    from importlib import import_module

    from django.db import connection

    # given an installation upgraded from DRF's authtoken, its table still there
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY)")
        cursor.execute("INSERT INTO authtoken_token (key) VALUES ('live-looking-secret')")

    # when the migration's statement runs
    drop = import_module("salon.migrations.0011_drop_old_api_tokens").Migration.operations[0]
    with connection.cursor() as cursor:
        cursor.execute(drop.sql)

    # then the table and its secrets are gone
    assert "authtoken_token" not in connection.introspection.table_names()
