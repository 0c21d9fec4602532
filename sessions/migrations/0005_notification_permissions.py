"""Managers read the outbox (and retry failed messages)."""

from django.db import migrations

from salon.role_grants import grant_role_permissions

GRANTS = {"Manager": ["view_notification", "change_notification"]}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "treatments", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0004_outbox"), ("salon", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
