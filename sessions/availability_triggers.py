"""The triggers that count changes into the availability stamp.

Every table free times are read from gets a trigger that adds one to the
stamp (:class:`sessions.models.AvailabilityStamp`) of each business a
changed row belongs to, in the transaction that changes it, queryset
updates and raw SQL included. On PostgreSQL they are deferred constraint
triggers: they run at commit, so two bookings hold the stamp's row lock only
while they commit, not for their whole transaction. SQLite lets one writer
in at a time anyway and has no deferred triggers, so there they run at once.

They are installed after every ``migrate`` (``sessions.apps``), from this one
list, and on SQLite taken off before it: SQLite's schema editor rebuilds a
table to alter it (copy, drop, rename), which would fail on a trigger naming
the table, or drop the table's own triggers without a word."""

# The SQL is built from the constants below only, never from input.
# ruff: noqa: S608

from sessions.models import Appointment

STAMP = "treatments_availabilitystamp"
OF_LOCATION = "SELECT business_id AS business FROM salon_salon WHERE id = {row}.salon_id"
OF_THERAPIST = "SELECT business_id AS business FROM salon_therapist WHERE id = {row}.therapist_id"
EVERY_BUSINESS = "SELECT id AS business FROM salon_business"

# Whether an appointment holds its time: free times change when a status
# change crosses this line (a cancellation, a no-show), not along it (a
# check-in, a start, a completion: three of them for every session, each of
# which would otherwise have thrown away every remembered answer).
_HOLDING = ", ".join(f"'{status}'" for status in Appointment.HOLDS_TIME)
HOLDS_TIME = f"({{row}}.status IN ({_HOLDING}))"

# (table, the businesses a row belongs to, the columns, or expressions of
# the row, whose update matters: None for any)
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
    ("treatments_appointment", OF_THERAPIST, ["start", "end", "busy_until", "therapist_id", "room_id", HOLDS_TIME]),
    (
        "treatments_bookinghold",
        OF_LOCATION,
        ["start", "busy_until", "expires_at", "therapist_id", "room_id", HOLDS_TIME],
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
    def of(row: str, column: str) -> str:
        return column.format(row=row) if "{row}" in column else f'{row}."{column}"'

    return " OR ".join(f"{of('OLD', column)} {same} {of('NEW', column)}" for column in columns)


# PostgreSQL counts a business once per transaction, however many rows it
# changes (a transaction-local setting remembers it): an import of a year's
# bookings would otherwise update the stamp's row a hundred thousand times
# at commit. Once is enough: an answer is kept under the count as it was.
COUNT_ONCE = f"""CREATE OR REPLACE FUNCTION availability_count(business bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF business IS NULL OR current_setting('availability.counted_' || business, true) = 'yes' THEN
        RETURN;
    END IF;
    INSERT INTO {STAMP} (business_id, version) VALUES (business, 1)
        ON CONFLICT (business_id) DO UPDATE SET version = {STAMP}.version + 1;
    PERFORM set_config('availability.counted_' || business, 'yes', true);
END $$;"""


def postgresql(table: str, source: str, columns: list[str] | None, *, inserts: bool = True) -> list[str]:
    function = f"availability_changed_{table}"
    statements = [
        f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'DELETE' THEN
                PERFORM availability_count(touched.business) FROM ({source.format(row="NEW")}) AS touched;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                PERFORM availability_count(touched.business) FROM ({source.format(row="OLD")}) AS touched;
            END IF;
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


def _statements(vendor: str) -> list[str]:
    write = {"postgresql": postgresql, "sqlite": sqlite}[vendor]
    statements = [COUNT_ONCE] if vendor == "postgresql" else []
    statements += [statement for spec in TRACKED for statement in write(*spec)]
    return statements + write("salon_user", USER_BUSINESSES, USER_COLUMNS, inserts=False)


def _tables() -> list[str]:
    return [STAMP, "salon_user", *(spec[0] for spec in TRACKED)]


def triggers_install(connection) -> bool:
    """Put the triggers in place (again) and move every stamp on, since
    changes made while they were off were not counted; False when a table
    they need is not there yet (a partial migrate)."""
    if connection.vendor not in {"postgresql", "sqlite"}:
        raise NotImplementedError(f"No availability triggers for {connection.vendor}.")
    present = set(connection.introspection.table_names())
    if not set(_tables()) <= present:
        # Migrated back before the stamp (or a table) existed: nothing may name what is gone.
        triggers_remove(connection)
        return False
    with connection.cursor() as cursor:
        triggers_remove(connection, cursor=cursor)
        for statement in _statements(connection.vendor):
            cursor.execute(statement)
        cursor.execute(
            f"INSERT INTO {STAMP} (business_id, version) SELECT id, 1 FROM salon_business WHERE true "
            f"ON CONFLICT (business_id) DO UPDATE SET version = {STAMP}.version + 1"
        )
    return True


def triggers_remove(connection, *, cursor=None) -> None:
    """Take the triggers off (for SQLite, before its schema editor rebuilds tables)."""
    if cursor is None:
        with connection.cursor() as cursor:
            return triggers_remove(connection, cursor=cursor)
    present = set(connection.introspection.table_names(cursor))
    for table in [spec[0] for spec in TRACKED] + ["salon_user"]:
        if connection.vendor == "postgresql":
            if table in present:
                cursor.execute(f"DROP TRIGGER IF EXISTS availability_changed ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS availability_changed_update ON {table}")
        else:
            for operation in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER IF EXISTS availability_changed_{table}_{operation}")
    return None


def triggers_present(connection) -> dict[str, int]:
    """How many availability triggers each tracked table has (for the checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname LIKE 'availability_changed%%' GROUP BY c.relname"
            )
        else:
            cursor.execute(
                "SELECT tbl_name, count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'availability_changed%' GROUP BY tbl_name"
            )
        return dict(cursor.fetchall())
