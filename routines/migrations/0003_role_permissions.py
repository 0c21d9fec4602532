"""Grant the staff roles their rights on routines: managers write them, everyone reads."""

from django.db import migrations

from salon.role_grants import grant_role_permissions, revoke_role_permissions

MODELS = ["technique", "routinetemplate", "routinestep"]
GRANTS = {
    "Manager": [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")],
    "Receptionist": [f"view_{model}" for model in MODELS],
    "Therapist": [f"view_{model}" for model in MODELS],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "routines", GRANTS)


def revoke(apps, schema_editor):
    revoke_role_permissions(apps, "routines", list(GRANTS))


class Migration(migrations.Migration):
    dependencies = [
        ("routines", "0002_guide_routines"),
        ("salon", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
