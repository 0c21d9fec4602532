"""Plans replaced by a rebuild were kept, pointed to by nothing, with the
client's screening findings and her words in them: no erasure could find
them. A rebuild now deletes the plan it replaces; this deletes those left
from before."""

from django.db import migrations


def replaced_plans_delete(apps, schema_editor):
    SessionPlan = apps.get_model("treatments", "SessionPlan")
    SessionPlan.objects.filter(appointment__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("treatments", "0017_appointment_client_visits")]

    operations = [migrations.RunPython(replaced_plans_delete, migrations.RunPython.noop)]
