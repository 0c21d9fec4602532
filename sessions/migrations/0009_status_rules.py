from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0008_booked_price"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="cancelled_late",
            field=models.BooleanField(
                default=False,
                help_text="Cancelled inside the salon's client cut-off (client_cancel_hours) before the start.",
            ),
        ),
    ]
