"""Managers run the locations: they edit the business's shared settings,
opening hours and rotas (who works where, when); everyone reads the business."""

from django.db import migrations

from salon.role_grants import grant_role_permissions

WRITE = ("add", "change", "delete", "view")
GRANTS = {
    "Manager": ["view_business", "change_business"]
    + [f"{action}_{model}" for model in ("openinghours", "workinghours") for action in WRITE],
    "Receptionist": ["view_business", "view_openinghours", "view_workinghours"],
    "Therapist": ["view_business", "view_openinghours", "view_workinghours"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "salon", GRANTS)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GRANTS):
        codenames = GRANTS[group.name]
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="salon", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("salon", "0014_locations_finish")]

    operations = [migrations.RunPython(grant, revoke)]
