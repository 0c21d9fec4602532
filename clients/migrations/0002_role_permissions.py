"""Grant the staff roles their rights on client records."""

from django.db import migrations

from salon.role_grants import grant_role_permissions, revoke_role_permissions

GRANTS = {
    "Manager": ["add_client", "change_client", "delete_client", "view_client"],
    "Receptionist": ["add_client", "change_client", "view_client"],
    "Therapist": ["view_client"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "clients", GRANTS)


def revoke(apps, schema_editor):
    revoke_role_permissions(apps, "clients", list(GRANTS))


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_initial"),
        ("salon", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
