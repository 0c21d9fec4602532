"""The availability stamp (:class:`sessions.models.AvailabilityStamp`).

The triggers that count changes into it are not made here: they are
installed after every ``migrate`` from ``sessions.availability_triggers``,
so that one list says which tables count and SQLite's table rebuilds cannot
lose them."""

from django.db import migrations, models


def drop_availability_triggers(apps, schema_editor):
    """Going back: the triggers count into the table about to be dropped."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'availability_changed%%'"
            )
            for trigger, table in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger}" ON "{table}"')
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'availability_changed%'"
            )
            for (trigger,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER IF EXISTS "{trigger}"')


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
        migrations.RunPython(migrations.RunPython.noop, drop_availability_triggers),
    ]
