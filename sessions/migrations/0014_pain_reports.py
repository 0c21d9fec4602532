"""The client's pain before a session (level and where), from the intake step."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import sessions.models


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0013_appointment_plan_may_be_empty"),
    ]

    operations = [
        migrations.CreateModel(
            name="PainReport",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "pain_before",
                    models.PositiveSmallIntegerField(validators=[django.core.validators.MaxValueValidator(10)]),
                ),
                (
                    "areas",
                    models.JSONField(blank=True, default=list, validators=[sessions.models.validate_pain_areas]),
                ),
                ("reported_at", models.DateTimeField(auto_now=True)),
                (
                    "appointment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pain_report",
                        to="treatments.appointment",
                    ),
                ),
            ],
        ),
    ]
