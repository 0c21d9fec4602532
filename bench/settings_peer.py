"""Settings for ``bench.peer_appointment``: the test settings with
django-appointment installed beside the project's apps, so that its models
live in the same scratch database and its slot computation can read the
same therapists, hours and bookings."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "phonenumber_field", "appointment"]  # noqa: F405
# Its package ships no migrations; bench.peer_appointment makes them beside it.
MIGRATION_MODULES = {"appointment": "peer_appointment_migrations"}
