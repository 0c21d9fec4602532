"""Managers read the health-data access log."""

from django.db import migrations

from salon.role_grants import grant_role_permissions

GRANTS = {"Manager": ["view_healthdataaccess"]}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "clients", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_client_erasure")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
