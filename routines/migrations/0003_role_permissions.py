"""Grant the staff roles their rights on routines: managers write them, everyone reads."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODELS = ["technique", "routinetemplate", "routinestep"]
GRANTS = {
    "Manager": [f"{action}_{model}" for model in MODELS for action in ("add", "change", "delete", "view")],
    "Receptionist": [f"view_{model}" for model in MODELS],
    "Therapist": [f"view_{model}" for model in MODELS],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("routines")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in GRANTS.items():
        group = Group.objects.get(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="routines", codename__in=codenames))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="routines"))


class Migration(migrations.Migration):
    dependencies = [
        ("routines", "0002_guide_routines"),
        ("salon", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
