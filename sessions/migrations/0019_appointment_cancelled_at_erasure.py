"""Sessions cancelled by an erasure are marked, so the reports stop counting
them as the client's cancellations. Those cancelled before this migration are
found by the reason the erasure wrote, in either language, on an erased
client's appointment."""

from django.db import migrations, models

ERASURE_REASONS = ("The client's data was erased.", "Die Daten der Kundin oder des Kunden wurden gelöscht.")


def erasure_cancellations_mark(apps, schema_editor):
    Appointment = apps.get_model("treatments", "Appointment")
    Appointment.objects.filter(
        status="cancelled", client__erased_at__isnull=False, cancellation_reason__in=ERASURE_REASONS
    ).update(cancelled_at_erasure=True)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0018_replaced_plans_deleted")]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="cancelled_at_erasure",
            field=models.BooleanField(
                default=False,
                help_text="Cancelled because the client's data was erased: nobody's choice, so no report counts it.",
            ),
        ),
        migrations.RunPython(erasure_cancellations_mark, migrations.RunPython.noop),
    ]
