import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("salon", "0017_manager_area"),
    ]

    operations = [
        migrations.AddField(
            model_name="salon",
            name="check_in_opens_minutes",
            field=models.PositiveSmallIntegerField(
                default=60,
                help_text="How long before its start a client can be checked in (until its end).",
                validators=[django.core.validators.MaxValueValidator(720)],
            ),
        ),
    ]
