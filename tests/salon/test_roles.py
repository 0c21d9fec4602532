import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory

from salon.roles import HasRole, Role, has_role, role_required, user_roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_three_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Receptionist", "Therapist", "Manager"}


@pytest.mark.parametrize(
    ("role", "may", "may_not"),
    [
        (Role.MANAGER, ["salon.change_salon", "salon.add_therapist", "clients.delete_client",
                        "routines.change_routinetemplate"], []),
        (Role.RECEPTIONIST, ["clients.add_client", "salon.view_room", "routines.view_routinetemplate"],
         ["salon.change_salon", "clients.delete_client", "routines.change_routinetemplate"]),
        (Role.THERAPIST, ["clients.view_client", "routines.view_routinestep"],
         ["clients.change_client", "salon.add_room", "routines.add_technique"]),
    ],
)  # fmt: skip
def test_role_permissions_granted_by_migrations(role, may, may_not):
    user = UserFactory(roles=[role])

    for permission in may:
        assert user.has_perm(permission), permission
    for permission in may_not:
        assert not user.has_perm(permission), permission


def test_has_role_reads_groups_and_treats_superusers_as_every_role():
    receptionist = UserFactory(roles=[Role.RECEPTIONIST])
    superuser = UserFactory(is_superuser=True)

    assert has_role(receptionist, Role.RECEPTIONIST)
    assert not has_role(receptionist, Role.MANAGER, Role.THERAPIST)
    assert user_roles(superuser) == set(Role)


def test_inactive_staff_hold_no_role():
    user = UserFactory(roles=[Role.MANAGER], is_active=False)

    assert user_roles(user) == frozenset()


def test_roles_are_read_once_per_user_object(django_assert_num_queries):
    user = UserFactory(roles=[Role.THERAPIST])

    with django_assert_num_queries(1):
        has_role(user, Role.THERAPIST)
        has_role(user, Role.MANAGER)


def test_role_required_sends_anonymous_users_to_login_and_refuses_other_roles():
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    @role_required(Role.MANAGER)
    def page(request):
        return "shown"

    request = RequestFactory().get("/reports/")
    request.user = AnonymousUser()
    response = page(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/reports/")

    request.user = UserFactory(roles=[Role.RECEPTIONIST])
    with pytest.raises(PermissionDenied):
        page(request)

    request.user = UserFactory(roles=[Role.MANAGER])
    assert page(request) == "shown"


def test_api_permission_uses_the_same_check():
    request = RequestFactory().get("/")
    request.user = UserFactory(roles=[Role.THERAPIST])

    assert HasRole.of(Role.THERAPIST)().has_permission(request, None)
    assert not HasRole.of(Role.MANAGER, Role.RECEPTIONIST)().has_permission(request, None)
