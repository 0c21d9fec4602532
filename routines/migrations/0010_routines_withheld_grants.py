"""Managers choose which routines each location offers; everyone may read it."""

from django.db import migrations

from salon.role_grants import grant_role_permissions

GRANTS = {
    "Manager": [f"{action}_routinewithheld" for action in ("add", "change", "delete", "view")],
    "Receptionist": ["view_routinewithheld"],
    "Therapist": ["view_routinewithheld"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "routines", GRANTS)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        codenames = GRANTS[group.name]
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="routines", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("routines", "0009_routines_withheld"), ("salon", "0002_roles")]

    operations = [migrations.RunPython(grant, revoke)]
