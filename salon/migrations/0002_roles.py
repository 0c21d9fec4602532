"""Create the staff roles as groups and grant them this app's permissions.

Each app grants its own models' permissions in a migration of its own, so a
role's rights grow with the apps. Codenames are written out here (not read
from ``salon.roles``) so this migration never changes meaning later.
"""

from django.db import migrations

from salon.role_grants import grant_role_permissions

ROLES = ["Receptionist", "Therapist", "Manager"]

GRANTS = {
    "Manager": [
        f"{action}_{model}"
        for model in ("salon", "therapist", "room", "user")
        for action in ("add", "change", "delete", "view")
    ],
    "Receptionist": ["view_salon", "view_therapist", "view_room"],
    "Therapist": ["view_salon", "view_therapist", "view_room"],
}


def create_roles(apps, schema_editor):
    grant_role_permissions(apps, "salon", {role: GRANTS.get(role, []) for role in ROLES})


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("salon", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
