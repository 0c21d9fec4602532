from django.db import migrations, models


class Migration(migrations.Migration):
    """The client's free-text notes are read at the front desk: renamed so
    that nobody takes them for the place of health information."""

    dependencies = [
        ("clients", "0011_more_contraindications"),
    ]

    operations = [
        migrations.RenameField(model_name="client", old_name="notes", new_name="front_desk_notes"),
        migrations.AlterField(
            model_name="client",
            name="front_desk_notes",
            field=models.TextField(
                blank=True,
                help_text="For booking: preferences, how to reach them. Receptionists read these; health answers "
                "belong in the screening.",
                verbose_name="front-desk notes — no health information",
            ),
        ),
    ]
