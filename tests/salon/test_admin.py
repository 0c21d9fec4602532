"""The user admin for managers: roles, and nothing that grants more."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission

from salon.models import User
from salon.roles import Role, user_roles
from tests.factories import TEST_PASSWORD, SalonFactory, TherapistFactory, UserFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_admin(client, manager):
    sign_in(client, manager)
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


def test_a_manager_cannot_make_themselves_superuser_or_grant_permissions(manager_admin, manager):
    # given a permission and a group that are not a role
    powerful = Permission.objects.get(codename="change_group")
    outsiders = Group.objects.create(name="Outsiders")
    outsiders.permissions.add(powerful)

    # when the manager posts their own form with the flags and lists set
    response = manager_admin.post(
        f"/admin/salon/user/{manager.pk}/change/",
        change_form(
            manager,
            roles=[Role.MANAGER],
            is_superuser="on",
            user_permissions=[powerful.pk],
            groups=[outsiders.pk],
        ),
    )

    # then the form saves, but none of them took
    assert response.status_code == 302, response.content.decode()[:3000]
    manager.refresh_from_db()
    assert not manager.is_superuser
    assert not manager.user_permissions.exists()
    assert set(manager.groups.values_list("name", flat=True)) == {"Manager"}


def test_the_manager_form_shows_the_rights_read_only_and_offers_the_three_roles(manager_admin, receptionist):
    response = manager_admin.get(f"/admin/salon/user/{receptionist.pk}/change/")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert set(form.fields) >= {"roles"}
    assert not {"is_superuser", "is_staff", "groups", "user_permissions"} & set(form.fields)
    assert [value for value, _ in form.fields["roles"].choices] == ["Receptionist", "Therapist", "Manager"]
    assert form.initial["roles"] == ["Receptionist"]


def test_a_manager_assigns_roles_and_manager_opens_the_admin(manager_admin, receptionist):
    # when the manager makes the receptionist a therapist and a manager
    response = manager_admin.post(
        f"/admin/salon/user/{receptionist.pk}/change/",
        change_form(receptionist, roles=[Role.THERAPIST, Role.MANAGER]),
    )

    # then those are exactly the roles, and the admin opens to them
    assert response.status_code == 302
    receptionist = User.objects.get(pk=receptionist.pk)
    assert user_roles(receptionist) == {Role.THERAPIST, Role.MANAGER}
    assert receptionist.is_staff

    # when the manager role is taken away again
    url = f"/admin/salon/user/{receptionist.pk}/change/"
    manager_admin.post(url, change_form(receptionist, roles=[Role.THERAPIST]))

    # then the admin closes
    receptionist = User.objects.get(pk=receptionist.pk)
    assert user_roles(receptionist) == {Role.THERAPIST}
    assert not receptionist.is_staff


def test_roles_leave_other_groups_alone(manager_admin, receptionist):
    other = Group.objects.create(name="Newsletter")
    receptionist.groups.add(other)

    manager_admin.post(f"/admin/salon/user/{receptionist.pk}/change/", change_form(receptionist, roles=[]))

    assert set(receptionist.groups.values_list("name", flat=True)) == {"Newsletter"}


def test_a_manager_adds_an_account_with_a_role(manager_admin):
    response = manager_admin.post(
        "/admin/salon/user/add/",
        {
            "username": "newdesk",
            "usable_password": "true",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
            "roles": [Role.RECEPTIONIST],
            "is_superuser": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newdesk")
    assert user_roles(user) == {Role.RECEPTIONIST}
    assert not user.is_superuser
    assert not user.is_staff


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_a_manager_cannot_change_a_superusers_password_or_account(manager_admin, superuser):
    old_hash = superuser.password

    password = manager_admin.post(
        f"/admin/salon/user/{superuser.pk}/password/",
        {"password1": "another long passphrase", "password2": "another long passphrase"},
    )
    change = manager_admin.post(f"/admin/salon/user/{superuser.pk}/change/", change_form(superuser, is_active=""))
    delete = manager_admin.post(f"/admin/salon/user/{superuser.pk}/delete/", {"post": "yes"})

    assert (password.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    superuser.refresh_from_db()
    assert superuser.password == old_hash
    assert superuser.is_active


def test_a_manager_cannot_delete_a_superuser_in_a_bulk_action(manager_admin, superuser, receptionist):
    manager_admin.post(
        "/admin/salon/user/",
        {"action": "delete_selected", "_selected_action": [superuser.pk, receptionist.pk], "post": "yes"},
    )

    assert User.objects.filter(pk=superuser.pk).exists()


def test_a_manager_still_sees_a_superusers_account(manager_admin, superuser):
    response = manager_admin.get(f"/admin/salon/user/{superuser.pk}/change/")

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False  # a view, nothing to save


def test_superusers_keep_the_full_user_admin(client, superuser, receptionist):
    sign_in(client, superuser)
    powerful = Permission.objects.get(codename="change_group")

    response = client.post(
        f"/admin/salon/user/{receptionist.pk}/change/",
        change_form(
            receptionist,
            is_staff="on",
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


def test_a_manager_of_one_location_grants_only_that_one_and_keeps_the_others(client):
    # given a manager of Berlin only, and a receptionist of London
    berlin = SalonFactory(name="Berlin")
    london = SalonFactory(name="London", business=berlin.business)
    manager = UserFactory(roles=[Role.MANAGER], all_locations=False)
    manager.locations.add(berlin)
    receptionist = UserFactory(roles=[Role.RECEPTIONIST], all_locations=False)
    receptionist.locations.add(london)
    sign_in(client, manager)

    # when the manager tries to grant London, then grants Berlin (and tries "every location")
    form = client.get(f"/admin/salon/user/{receptionist.pk}/change/")
    london_refused = client.post(
        f"/admin/salon/user/{receptionist.pk}/change/",
        change_form(receptionist, roles=[Role.RECEPTIONIST], locations=[london.pk]),
    )
    response = client.post(
        f"/admin/salon/user/{receptionist.pk}/change/",
        change_form(receptionist, roles=[Role.RECEPTIONIST], locations=[berlin.pk], all_locations="on"),
    )

    # then only Berlin was on offer, London stays as it was, and "every location" did not take
    assert list(form.context["adminform"].form.fields["locations"].queryset) == [berlin]
    assert london_refused.status_code == 200
    assert "locations" in london_refused.context["adminform"].form.errors
    assert response.status_code == 302, response.content.decode()[:3000]
    receptionist.refresh_from_db()
    assert set(receptionist.locations.all()) == {berlin, london}
    assert not receptionist.all_locations


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


def test_a_manager_withholds_a_routine_at_a_location_in_the_admin(manager_admin):
    from routines.models import RoutineWithheld
    from tests.factories import routine_create_for_test

    london = SalonFactory(name="London")
    routine = routine_create_for_test(slug="deep-tissue", name="Deep tissue")

    response = manager_admin.post("/admin/routines/routinewithheld/add/", {"salon": london.pk, "slug": routine.slug})

    assert response.status_code == 302, response.content.decode()[:3000]
    assert RoutineWithheld.objects.filter(salon=london, slug="deep-tissue").exists()


def test_a_manager_adds_an_account_at_a_location(manager_admin):
    berlin = SalonFactory(name="Berlin")

    response = manager_admin.post(
        "/admin/salon/user/add/",
        {
            "username": "berlindesk",
            "usable_password": "true",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
            "roles": [Role.RECEPTIONIST],
            "locations": [berlin.pk],
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="berlindesk")
    assert list(user.locations.all()) == [berlin]
    assert not user.all_locations
