import pytest
from django.core.management import call_command

from salon.roles import Role
from tests.factories import SalonFactory
from tests.helpers import demo_counts as counts

pytestmark = pytest.mark.django_db


def test_staff_passwords_are_stored_as_argon2_hashes(settings):
    from salon.services import staff_user_create

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    user = staff_user_create(username="clara", password="a long enough password", roles=[Role.RECEPTIONIST])

    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a long enough password")


def test_if_empty_leaves_an_existing_salon_alone(settings):
    SalonFactory(name="Our own salon", time_zone="Europe/Vienna")

    call_command("seed_demo", if_empty=True)

    assert counts() == (1, 0, 0, 0, 0)
