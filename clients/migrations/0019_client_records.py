"""Client records at the desk: consent history, merging duplicates."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0018_locations_finish"),
        ("salon", "0017_manager_area"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientConsentChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "consent",
                    models.CharField(
                        choices=[("reminders", "Appointment reminders"), ("feedback", "Feedback requests")],
                        max_length=12,
                    ),
                ),
                ("given", models.BooleanField()),
                (
                    "via",
                    models.CharField(
                        choices=[
                            ("desk", "At the front desk"),
                            ("intake", "The client's intake form"),
                            ("api", "Through the API"),
                            ("admin", "In the admin"),
                        ],
                        max_length=8,
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "ordering": ["-at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="ClientMerge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kept_label", models.CharField(max_length=40)),
                ("merged_label", models.CharField(max_length=40)),
                ("at", models.DateTimeField(auto_now_add=True)),
                (
                    "moved",
                    models.JSONField(blank=True, default=dict, help_text="Rows moved, by relation (app.model.field)."),
                ),
                (
                    "filled",
                    models.JSONField(
                        blank=True, default=list, help_text="Fields of the kept record filled from the other."
                    ),
                ),
            ],
            options={
                "ordering": ["-at", "-pk"],
            },
        ),
        migrations.AddField(
            model_name="client",
            name="merged_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="client",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_from",
                to="clients.client",
            ),
        ),
        migrations.AlterField(
            model_name="healthdataaccess",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Viewed screening answers"),
                    ("create", "Entered a screening"),
                    ("clear", "Recorded a clearance"),
                    ("export", "Exported the client's data"),
                    ("erase", "Erased the client's data"),
                    ("purge", "Purged old screenings"),
                    ("merge", "Merged another record's screenings into this one"),
                ],
                max_length=8,
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.CheckConstraint(
                condition=models.Q(("merged_into", models.F("pk")), _negated=True), name="client_not_merged_into_itself"
            ),
        ),
        migrations.AddField(
            model_name="clientconsentchange",
            name="by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="clientconsentchange",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="consent_changes", to="clients.client"
            ),
        ),
        migrations.AddField(
            model_name="clientmerge",
            name="by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="clientmerge",
            name="kept",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="clients.client"),
        ),
        migrations.AddField(
            model_name="clientmerge",
            name="merged",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="clients.client"),
        ),
        migrations.AddIndex(
            model_name="clientconsentchange",
            index=models.Index(fields=["client", "-at"], name="consent_change_by_client"),
        ),
    ]
