"""Create the staff roles as groups and grant them this app's permissions.

Each app grants its own models' permissions in a migration of its own, so a
role's rights grow with the apps. Codenames are written out here (not read
from ``salon.roles``) so this migration never changes meaning later.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    app_config = apps.get_app_config("salon")
    # Permissions are normally created after all migrations; make them now.
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="salon", codename__in=GRANTS.get(role, []))
        )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("salon", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
