import datetime

from django.db import migrations


def give_expiry(apps, schema_editor):
    """Clearances made before they expired get the salon's period from when
    they were made, so none of them lifts a block for ever."""
    clearance_model = apps.get_model("clients", "ScreeningClearance")
    lasting = clearance_model.objects.filter(expires_at__isnull=True).exclude(rule="areas_marked")
    for clearance in lasting.select_related("screening__client__salon"):
        days = clearance.screening.client.salon.clearance_valid_days
        clearance.expires_at = clearance.cleared_at + datetime.timedelta(days=days)
        clearance.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0012_front_desk_notes"),
        ("salon", "0009_salon_clearance_valid_days"),
    ]

    operations = [migrations.RunPython(give_expiry, migrations.RunPython.noop)]
