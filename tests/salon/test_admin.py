"""Django's admin is for superusers only; managers set the salon up in
/manage/. A manager who opens the admin is sent there and told why, and no
admin page or action works for them, so nothing a manager posts to the admin
grants rights, touches a superuser or reaches beyond their locations.
Superusers keep the full admin; ``is_staff`` plays no part either way."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission

from salon.models import Salon, User
from salon.roles import Role, user_roles
from salon.services import staff_user_create, staff_user_roles_set
from tests.factories import TEST_PASSWORD, SalonFactory, TherapistFactory, UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_admin(client, manager):
    sign_in(client, manager)
    return client


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def superuser_admin(client, superuser):
    sign_in(client, superuser)
    return client


def change_form(user, **fields) -> dict:
    """What the admin's change form of ``user`` posts, with ``fields`` changed."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
    }
    data.update(fields)
    return data


def refused_to_the_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_a_manager_opening_the_admin_is_sent_to_manage_and_told_why(manager_admin):
    SalonFactory()

    response = manager_admin.get("/admin/", follow=True)

    assert response.redirect_chain[:2] == [("/admin/login/?next=/admin/", 302), ("/manage/", 302)]
    assert response.status_code == 200
    assert response.request["PATH_INFO"].startswith("/manage/")
    assert "The admin is for superusers. Managers set the salon up here, in Manage." in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/salon/user/",
        "/admin/salon/user/add/",
        "/admin/salon/salon/",
        "/admin/salon/business/",
        "/admin/salon/therapist/",
        "/admin/routines/routinetemplate/",
        "/admin/routines/routinewithheld/add/",
        "/admin/clients/client/",
        "/admin/clients/healthdataaccess/",
        "/admin/treatments/notification/",
        "/admin/otp_totp/totpdevice/",
    ],
)
def test_no_admin_page_opens_to_a_manager(manager_admin, url):
    assert refused_to_the_login(manager_admin.get(url))


def test_a_manager_cannot_make_themselves_superuser_or_grant_permissions(manager_admin, manager):
    # given a permission and a group that are not a role
    powerful = Permission.objects.get(codename="change_group")
    outsiders = Group.objects.create(name="Outsiders")
    outsiders.permissions.add(powerful)

    # when the manager posts their own change form with the flags and lists set
    response = manager_admin.post(
        f"/admin/salon/user/{manager.pk}/change/",
        change_form(manager, is_superuser="on", is_staff="on", user_permissions=[powerful.pk], groups=[outsiders.pk]),
    )

    # then the admin refuses them, and none of it took
    assert refused_to_the_login(response)
    manager.refresh_from_db()
    assert not manager.is_superuser
    assert not manager.user_permissions.exists()
    assert set(manager.groups.values_list("name", flat=True)) == {"Manager"}


def test_a_manager_cannot_add_accounts_or_change_roles_in_the_admin(manager_admin, receptionist):
    added = manager_admin.post(
        "/admin/salon/user/add/",
        {"username": "newdesk", "usable_password": "true", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD},
    )
    changed = manager_admin.post(
        f"/admin/salon/user/{receptionist.pk}/change/", change_form(receptionist, groups=[], is_superuser="on")
    )

    assert refused_to_the_login(added)
    assert refused_to_the_login(changed)
    assert not User.objects.filter(username="newdesk").exists()
    receptionist = User.objects.get(pk=receptionist.pk)
    assert user_roles(receptionist) == {Role.RECEPTIONIST}
    assert not receptionist.is_superuser


def test_a_manager_cannot_change_delete_or_lock_out_a_superuser(manager_admin, superuser, receptionist):
    old_hash = superuser.password

    password = manager_admin.post(
        f"/admin/salon/user/{superuser.pk}/password/",
        {"password1": "another long passphrase", "password2": "another long passphrase"},
    )
    change = manager_admin.post(f"/admin/salon/user/{superuser.pk}/change/", change_form(superuser, is_active=""))
    delete = manager_admin.post(f"/admin/salon/user/{superuser.pk}/delete/", {"post": "yes"})
    bulk = manager_admin.post(
        "/admin/salon/user/",
        {"action": "delete_selected", "_selected_action": [superuser.pk, receptionist.pk], "post": "yes"},
    )

    assert all(refused_to_the_login(response) for response in (password, change, delete, bulk))
    superuser.refresh_from_db()
    assert superuser.password == old_hash
    assert superuser.is_active
    assert User.objects.filter(pk__in=[superuser.pk, receptionist.pk]).count() == 2


def test_a_manager_of_one_location_grants_nothing_through_the_admin(client):
    # given a manager of Berlin only, and a receptionist of London
    berlin = SalonFactory(name="Berlin")
    london = SalonFactory(name="London", business=berlin.business)
    manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    manager.locations.add(berlin)
    receptionist = UserFactory(roles=[Role.RECEPTIONIST], all_locations=False)
    receptionist.locations.add(london)
    sign_in(client, manager)

    # when the manager tries to grant Berlin and "every location" in the admin
    response = client.post(
        f"/admin/salon/user/{receptionist.pk}/change/",
        change_form(receptionist, locations=[berlin.pk], all_locations="on"),
    )

    # then nothing changed
    assert refused_to_the_login(response)
    receptionist.refresh_from_db()
    assert set(receptionist.locations.all()) == {london}
    assert not receptionist.all_locations


def test_a_manager_changes_no_location_in_the_admin(manager_admin):
    berlin = SalonFactory(name="Berlin")

    response = manager_admin.post(f"/admin/salon/salon/{berlin.pk}/change/", {"name": "Renamed"})

    assert refused_to_the_login(response)
    assert Salon.objects.get(pk=berlin.pk).name == "Berlin"


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.THERAPIST])
def test_front_line_staff_get_the_admins_own_refusal(client, role):
    sign_in(client, UserFactory(roles=[role]))

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert "not authorized to access this page" in response.content.decode()


def test_superusers_keep_the_full_user_admin(superuser_admin, receptionist):
    powerful = Permission.objects.get(codename="change_group")

    response = superuser_admin.post(
        f"/admin/salon/user/{receptionist.pk}/change/",
        change_form(
            receptionist,
            is_superuser="on",
            user_permissions=[powerful.pk],
            date_joined_0="2025-01-06",
            date_joined_1="09:00:00",
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    receptionist.refresh_from_db()
    assert receptionist.is_superuser
    assert list(receptionist.user_permissions.all()) == [powerful]


def test_a_superuser_grants_locations_in_the_admin(superuser_admin):
    berlin = SalonFactory(name="Berlin")
    desk = UserFactory(username="berlindesk", roles=[Role.RECEPTIONIST], all_locations=False)

    response = superuser_admin.post(
        f"/admin/salon/user/{desk.pk}/change/",
        change_form(desk, locations=[berlin.pk], date_joined_0="2025-01-06", date_joined_1="09:00:00"),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(desk.locations.all()) == [berlin]
    assert not User.objects.get(pk=desk.pk).all_locations


def test_is_staff_plays_no_part_in_who_opens_the_admin(client):
    # given a superuser without the flag, and a manager who still has it from before
    operator = UserFactory(username="operator", is_superuser=True, is_staff=False)
    old_manager = UserFactory(username="old-manager", roles=[Role.MANAGER], is_staff=True)

    sign_in(client, operator)
    operator_answer = client.get("/admin/")
    sign_in(client, old_manager)
    manager_answer = client.get("/admin/")

    assert operator_answer.status_code == 200
    assert refused_to_the_login(manager_answer)


def test_new_managers_are_not_given_the_staff_flag_and_start_in_manage(client, password):
    SalonFactory()
    boss = staff_user_create(username="boss", password=password, roles=[Role.MANAGER], all_locations=True)

    sign_in(client, boss)

    assert not User.objects.get(pk=boss.pk).is_staff
    assert client.get("/")["Location"] == "/manage/"


def test_roles_are_set_exactly_other_groups_and_the_staff_flag_stay(receptionist):
    other = Group.objects.create(name="Newsletter")
    receptionist.groups.add(other)
    User.objects.filter(pk=receptionist.pk).update(is_staff=True)
    receptionist.refresh_from_db()

    staff_user_roles_set(user=receptionist, roles=[Role.THERAPIST, Role.MANAGER])
    assert user_roles(User.objects.get(pk=receptionist.pk)) == {Role.THERAPIST, Role.MANAGER}

    staff_user_roles_set(user=receptionist, roles=[])
    assert set(receptionist.groups.values_list("name", flat=True)) == {"Newsletter"}
    assert User.objects.get(pk=receptionist.pk).is_staff  # left as it was: nothing reads it


def test_the_header_links_the_admin_for_superusers_only(client, manager, superuser):
    SalonFactory()
    sign_in(client, manager)
    managers_page = client.get("/manage/hours/").content.decode()
    sign_in(client, superuser)
    superusers_page = client.get("/manage/hours/").content.decode()

    assert 'href="/manage/"' in managers_page
    assert 'href="/admin/"' not in managers_page
    assert 'href="/admin/"' in superusers_page


def test_a_shift_is_only_at_a_location_the_therapist_is_assigned_to():
    from django.core.exceptions import ValidationError

    from salon.models import WorkingHours

    berlin = SalonFactory(name="Berlin")
    london = SalonFactory(name="London", business=berlin.business)
    anna = TherapistFactory(salon=berlin)

    shift = WorkingHours(therapist=anna, salon=london, weekday=0, starts=datetime.time(9), ends=datetime.time(17))

    with pytest.raises(ValidationError) as refused:
        shift.full_clean()
    assert "salon" in refused.value.message_dict
    anna.user.locations.add(london)
    shift.full_clean()


def test_a_superuser_withholds_a_routine_at_a_location_in_the_admin(superuser_admin):
    from routines.models import RoutineWithheld
    from tests.factories import routine_create_for_test

    london = SalonFactory(name="London")
    routine = routine_create_for_test(slug="deep-tissue", name="Deep tissue")

    response = superuser_admin.post("/admin/routines/routinewithheld/add/", {"salon": london.pk, "slug": routine.slug})

    assert response.status_code == 302, response.content.decode()[:3000]
    assert RoutineWithheld.objects.filter(salon=london, slug="deep-tissue").exists()
