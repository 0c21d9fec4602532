"""The availability stamp and the triggers that count changes into it.

Every table free times are computed from gets a trigger that adds one to the
stamp of each business a changed row belongs to, in the transaction that
changes it. On PostgreSQL the triggers are deferred constraint triggers:
they run at commit, so two bookings hold the stamp's row lock only while
they commit, not for their whole transaction. SQLite lets one writer in at
a time anyway and has no deferred triggers, so there they run at once.

The SQL is written out here, not imported, so that this migration keeps
meaning what it meant when it was applied."""

# The SQL is built from the constants below only, never from input.
# ruff: noqa: S608

from django.db import migrations, models

STAMP = "treatments_availabilitystamp"
OF_LOCATION = "SELECT business_id AS business FROM salon_salon WHERE id = {row}.salon_id"
OF_THERAPIST = "SELECT business_id AS business FROM salon_therapist WHERE id = {row}.therapist_id"
EVERY_BUSINESS = "SELECT id AS business FROM salon_business"

# (table, the businesses a row belongs to, the columns whose update matters: None for any)
TRACKED = [
    ("salon_business", "SELECT {row}.id AS business", ["travel_minutes"]),
    ("salon_salon", "SELECT {row}.business_id AS business", None),
    ("salon_therapist", "SELECT {row}.business_id AS business", None),
    ("salon_therapist_rooms", OF_THERAPIST, None),
    ("salon_user_locations", OF_LOCATION, None),
    ("salon_room", OF_LOCATION, None),
    ("salon_openinghours", OF_LOCATION, None),
    ("salon_specialday", OF_LOCATION, None),
    ("salon_workinghours", OF_LOCATION, None),
    (
        "salon_timeoff",
        OF_THERAPIST + " UNION SELECT s.business_id FROM salon_room r JOIN salon_salon s ON s.id = r.salon_id "
        "WHERE r.id = {row}.room_id",
        None,
    ),
    ("treatments_appointment", OF_THERAPIST, ["start", "end", "busy_until", "therapist_id", "room_id", "status"]),
    (
        "treatments_bookinghold",
        OF_LOCATION,
        ["start", "busy_until", "expires_at", "therapist_id", "room_id", "status"],
    ),
    ("routines_service", OF_LOCATION, None),
    (
        "routines_servicelength",
        "SELECT s.business_id AS business FROM routines_service v JOIN salon_salon s ON s.id = v.salon_id "
        "WHERE v.id = {row}.service_id",
        None,
    ),
    ("routines_routinewithheld", OF_LOCATION, None),
    # Routines are shared by every location.
    ("routines_routinetemplate", EVERY_BUSINESS, None),
    ("routines_routinestep", EVERY_BUSINESS, None),
]
# Who may work where: only these columns of an account matter (not a sign-in).
USER_COLUMNS = ["is_active", "is_superuser", "all_locations"]
USER_BUSINESSES = "SELECT business_id AS business FROM salon_therapist WHERE user_id = {row}.id"


def count(source: str, row: str) -> str:
    return (
        f"INSERT INTO {STAMP} (business_id, version) "
        f"SELECT DISTINCT business, 1 FROM ({source.format(row=row)}) AS touched WHERE business IS NOT NULL "
        f"ON CONFLICT (business_id) DO UPDATE SET version = {STAMP}.version + 1;"
    )


def changed(columns: list[str], *, same: str) -> str:
    return " OR ".join(f'OLD."{column}" {same} NEW."{column}"' for column in columns)


def postgresql(table: str, source: str, columns: list[str] | None, *, inserts: bool = True) -> list[str]:
    function = f"availability_changed_{table}"
    statements = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'DELETE' THEN {count(source, "NEW")} END IF;
            IF TG_OP <> 'INSERT' THEN {count(source, "OLD")} END IF;
            RETURN NULL;
        END $$;"""
    ]
    deferred = "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
    if inserts:
        statements.append(
            f"CREATE CONSTRAINT TRIGGER availability_changed AFTER INSERT OR DELETE ON {table} "
            f"{deferred} EXECUTE FUNCTION {function}();"
        )
    when = f"WHEN ({changed(columns, same='IS DISTINCT FROM')})" if columns else ""
    statements.append(
        f"CREATE CONSTRAINT TRIGGER availability_changed_update AFTER UPDATE ON {table} "
        f"{deferred} {when} EXECUTE FUNCTION {function}();"
    )
    return statements


def sqlite(table: str, source: str, columns: list[str] | None, *, inserts: bool = True) -> list[str]:
    statements = []
    if inserts:
        statements += [
            f"CREATE TRIGGER availability_changed_{table}_insert AFTER INSERT ON {table} "
            f"BEGIN {count(source, 'NEW')} END;",
            f"CREATE TRIGGER availability_changed_{table}_delete AFTER DELETE ON {table} "
            f"BEGIN {count(source, 'OLD')} END;",
        ]
    when = f"WHEN {changed(columns, same='IS NOT')}" if columns else ""
    statements.append(
        f"CREATE TRIGGER availability_changed_{table}_update AFTER UPDATE ON {table} {when} "
        f"BEGIN {count(source, 'NEW')} {count(source, 'OLD')} END;"
    )
    return statements


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    write = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor)
    if write is None:
        raise NotImplementedError(f"No availability triggers for {vendor}.")
    statements = [statement for spec in TRACKED for statement in write(*spec)]
    statements += write("salon_user", USER_BUSINESSES, USER_COLUMNS, inserts=False)
    # Every business starts counted, so that an answer can be remembered before the first change.
    statements.append(f"INSERT INTO {STAMP} (business_id, version) SELECT id, 0 FROM salon_business;")
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in [spec[0] for spec in TRACKED] + ["salon_user"]:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS availability_changed ON {table};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS availability_changed_update ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS availability_changed_{table}();")
        else:
            for operation in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS availability_changed_{table}_{operation};")


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
        migrations.RunPython(create_triggers, drop_triggers),
    ]
