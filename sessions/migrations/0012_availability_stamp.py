"""The availability stamp (:class:`sessions.models.AvailabilityStamp`).

The triggers that count changes into it are not made here: they are
installed after every ``migrate`` from ``sessions.availability_triggers``,
so that one list says which tables count and SQLite's table rebuilds cannot
lose them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0011_waitlist"),
        ("routines", "0011_service_menu"),
        ("salon", "0020_online_booking"),
    ]

    operations = [
        migrations.CreateModel(
            name="AvailabilityStamp",
            fields=[
                ("business_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
        ),
    ]
