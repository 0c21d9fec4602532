"""Grant the staff roles their rights on client records."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Manager": ["add_client", "change_client", "delete_client", "view_client"],
    "Receptionist": ["add_client", "change_client", "view_client"],
    "Therapist": ["view_client"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("clients")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.get(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="clients", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="clients"))


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_initial"),
        ("salon", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
