"""Compiled queries and availability's busy query as prepared statements on
PostgreSQL (salon.compiled.prepared_cursor): the same rows as Django's own
cursor gives, counted as any query, and none prepared when turned off."""

import datetime
import gc
import weakref

import pytest
from django.db import NotSupportedError, connection, transaction
from django.db.models import Count

from config.env import database_url_for, parse_database_url
from salon.compiled import CompiledInsert, CompiledQuery, prepared_cursor
from salon.models import Room, Salon, TimeOff
from sessions.selectors import availability
from sessions.services.booking import appointment_book
from tests.factories import SalonFactory, UserFactory, short_routine
from tests.helpers import BERLIN, at
from tests.scenario import salon_scenario

# SQLite has no prepared statements to look at (its own statement cache is internal); CI's
# PostgreSQL run (REQUIRE_SERVICES=1) runs these, and the SQLite run checks the plain cursor below.
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="prepared statements exist on PostgreSQL only; CI's PostgreSQL run checks them",
)

# Rows with a join, an annotation, text, numbers, booleans and a time zone.
named = CompiledQuery(
    lambda name: Salon.objects.filter(name=name).select_related("business").annotate(staff_count=Count("staff")),
    name="\0name",
)


def prepared(fragment: str) -> int:
    """How many of this connection's prepared statements hold ``fragment``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return cursor.fetchone()[0]


@pytest.fixture
def prepared_statements_off(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "PREPARED_STATEMENTS", False)


def described(salons: list[Salon]) -> list[tuple]:
    return [
        (each.pk, each.name, each.staff_count, each.business.name, each.slot_minutes, each.phone_region, each.zone)
        for each in salons
    ]


@on_postgresql
@pytest.mark.django_db
def test_a_compiled_query_is_prepared_once_and_run_again_on_the_same_connection(django_assert_num_queries):
    # given two locations
    SalonFactory(name="Berlin"), SalonFactory(name="London")

    # when the compiled query asks for each in turn
    with django_assert_num_queries(2):  # each still counted as a query
        named.objects(name="Berlin")
        named.objects(name="London")

    # then the server keeps one prepared statement for both
    assert prepared('FROM "salon_salon"') == 1


@pytest.mark.django_db
def test_rows_are_the_same_prepared_or_not(monkeypatch):
    # given a location with a member of staff
    london = SalonFactory(name="London")
    UserFactory(all_locations=False).locations.add(london)

    # when the compiled query asks twice (prepared, where the database prepares), then without preparing
    first, again = named.objects(name="London"), named.objects(name="London")
    monkeypatch.setitem(connection.settings_dict, "PREPARED_STATEMENTS", False)
    unprepared = named.objects(name="London")

    # then all three found the same
    assert described(first) == described(again) == described(unprepared) != []
    assert first[0].staff_count == 1


@pytest.mark.django_db
def test_availability_is_the_same_with_its_busy_query_prepared_or_not(monkeypatch):
    # given a day with a booking and a therapist's time off
    scene = salon_scenario()
    routine = short_routine(minutes=45, turnover=15)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    appointment_book(client=scene.client, routine=routine, start=at(tomorrow, 10))
    TimeOff.objects.create(therapist=scene.therapist, start=at(tomorrow, 14), end=at(tomorrow, 15), reason="Dentist")

    def offered():
        slots, _ = availability(salon=scene.salon, routine=routine, first_day=tomorrow, last_day=tomorrow)
        return [slot.as_dict(BERLIN) for slot in slots]

    # when availability is asked twice as configured, then without preparing
    first, again = offered(), offered()
    if connection.vendor == "postgresql":
        assert prepared("array_agg") == 1  # then its busy query was prepared
    monkeypatch.setitem(connection.settings_dict, "PREPARED_STATEMENTS", False)

    # then the slots are the same, the booking's and the time off's hours left out
    assert first == again == offered()
    starts = [slot["start"].strftime("%H:%M") for slot in first]
    assert "09:00" in starts
    assert "10:00" not in starts
    assert "14:00" not in starts


@on_postgresql
@pytest.mark.django_db
def test_turned_off_nothing_is_prepared(prepared_statements_off, django_assert_num_queries):
    berlin = SalonFactory(name="Berlin")
    rooms = CompiledInsert(Room)

    with django_assert_num_queries(3):
        named.objects(name="Berlin"), named.objects(name="Berlin")
        rooms.save(Room(salon=berlin, name="Linden"))

    assert prepared("salon_") == 0


@pytest.mark.django_db
def test_compiled_inserts_prepared_write_and_give_ids_as_before(django_assert_num_queries):
    salon = SalonFactory()
    rooms = CompiledInsert(Room)

    with django_assert_num_queries(2):
        rooms.save(Room(salon=salon, name="Linden"))
        rooms.save(Room(salon=salon, name="Ahorn"))

    assert sorted(Room.objects.filter(salon=salon).values_list("name", flat=True)) == ["Ahorn", "Linden"]
    if connection.vendor == "postgresql":
        assert prepared('INSERT INTO "salon_room"') == 1


@on_postgresql
@pytest.mark.django_db
def test_a_rolled_back_savepoint_leaves_the_query_working():
    # given a prepared query, then a savepoint rolled back (psycopg may forget what it prepared)
    SalonFactory(name="Berlin")
    named.objects(name="Berlin")
    with transaction.atomic():
        savepoint = transaction.savepoint()
        SalonFactory(name="Hamburg")
        transaction.savepoint_rollback(savepoint)

    # then the query still answers (prepared again if it was forgotten)
    assert [each.name for each in named.objects(name="Berlin")] == ["Berlin"]
    assert named.objects(name="Hamburg") == []


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_connection_prepares_again():
    SalonFactory(name="Berlin")
    named.objects(name="Berlin")

    connection.close()  # as CONN_MAX_AGE or a failed health check ends a connection

    assert [each.name for each in named.objects(name="Berlin")] == ["Berlin"]
    assert prepared('FROM "salon_salon"') == 1


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_a_migration_changes_a_column_s_type_the_query_fails_once_then_prepares_again():
    # given a prepared query of room names (outside a transaction, as most requests read)
    Room.objects.create(salon=SalonFactory(), name="Linden")
    names = CompiledQuery(lambda pk: Room.objects.filter(salon_id__gt=pk).values_list("name"), pk=-1)
    assert names.values(pk=0) == [("Linden",)]
    try:
        migrate("ALTER TABLE salon_room ALTER COLUMN name TYPE varchar(81)")

        # then the prepared statement answers with an error once, and the next call prepares again
        with pytest.raises(NotSupportedError, match="cached plan must not change result type"):
            names.values(pk=0)
        assert names.values(pk=0) == [("Linden",)]
    finally:
        migrate("ALTER TABLE salon_room ALTER COLUMN name TYPE varchar(80)")


def migrate(statement: str) -> None:
    """``statement`` run as a migration in another process runs it: on a connection of its own."""
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.execute(statement)
        other.commit()
    finally:
        other.close()


@pytest.mark.django_db
def test_the_cursor_is_django_s_own_elsewhere_or_turned_off(prepared_statements_off):
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s", [1])
        assert cursor.fetchone() == (1,)
        assert "Preparing" not in type(cursor.cursor).__name__


def test_the_database_url_turns_prepared_statements_off_and_a_worker_is_given_that_back():
    url = "postgres://salon@db.internal:6432/salon?sslmode=require&prepared_statements=0"

    config = parse_database_url(url)

    assert config["PREPARED_STATEMENTS"] is False
    assert config["OPTIONS"] == {"sslmode": "require"}  # not passed on to the driver
    assert parse_database_url(database_url_for(config)) == config
    assert parse_database_url("postgres://salon@db.internal/salon")["PREPARED_STATEMENTS"] is True


@on_postgresql
@pytest.mark.django_db
def test_a_prepared_query_is_logged_with_its_text_and_values():
    from django.test.utils import CaptureQueriesContext

    # Given a location
    salon = SalonFactory(name="Lindenhof")

    # When a compiled query runs while queries are logged (DEBUG, or a test counting them)
    with CaptureQueriesContext(connection) as logged:
        named.objects(name="Lindenhof")

    # Then the log holds the statement with its value, as for any other query
    assert len(logged.captured_queries) == 1
    assert "'Lindenhof'" in logged.captured_queries[0]["sql"]
    assert salon.pk


@on_postgresql
@pytest.mark.django_db
def test_with_a_connection_per_request_nothing_is_prepared(monkeypatch):
    # Given connections that last one request (CONN_MAX_AGE 0)
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    SalonFactory(name="Lindenhof")

    # When a compiled query runs twice
    named.objects(name="Lindenhof")
    named.objects(name="Lindenhof")

    # Then nothing was prepared: it could not be used again
    assert prepared("salon_salon") == 0


@on_postgresql
@pytest.mark.django_db
def test_a_binary_cursor_reads_what_a_text_one_does_and_the_next_cursor_is_text_again():
    from psycopg.pq import Format

    # Given a query answering an array of epoch minutes (as availability's busy times), a moment and a name
    query = "SELECT CAST(ARRAY[1, 2, 29000000] AS bigint[]), CAST(%s AS timestamptz), CAST(%s AS text)"
    moment = datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC)

    # When it is read by a binary cursor, then by a plain prepared one
    with prepared_cursor(binary=True) as cursor:
        cursor.execute(query, [moment, "Linde"])
        binary = cursor.fetchone()
        binary_format = cursor.cursor.format
    with prepared_cursor() as cursor:
        cursor.execute(query, [moment, "Linde"])
        text = cursor.fetchone()
        later_format = cursor.cursor.format

    # Then both give the same values, and the binary format went no further than its cursor
    assert binary == text == ([1, 2, 29000000], moment, "Linde")
    assert (binary_format, later_format) == (Format.BINARY, Format.TEXT)


@on_postgresql
@pytest.mark.django_db
def test_one_driver_cursor_serves_the_connection_s_compiled_queries_in_turn():
    # Given two locations
    SalonFactory(name="Berlin"), SalonFactory(name="London")

    # When two compiled queries run one after the other, and a cursor's block is left
    with prepared_cursor() as cursor:
        first = cursor.cursor
    berlin = named.objects(name="Berlin")
    london = named.objects(name="London")
    with prepared_cursor() as cursor:
        again = cursor.cursor

    # Then each read its own rows through the one driver cursor, left open for the next query
    assert [each.name for each in berlin] == ["Berlin"]
    assert [each.name for each in london] == ["London"]
    assert again is first
    assert not first.closed


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_connection_or_a_closed_cursor_gets_a_new_driver_cursor():
    # Given the connection's kept cursor
    SalonFactory(name="Berlin")
    with prepared_cursor() as cursor:
        first = cursor.cursor

    # When whoever closes it, then the connection is closed and opened again
    first.close()
    with prepared_cursor() as cursor:
        after_close = cursor.cursor
    connection.close()
    found = named.objects(name="Berlin")
    with prepared_cursor() as cursor:
        after_reconnect = cursor.cursor

    # Then each time a working cursor of the current connection takes its place
    assert after_close is not first
    assert not after_close.closed
    assert after_reconnect is not after_close
    assert after_reconnect.connection is connection.connection
    assert [each.name for each in found] == ["Berlin"]


@on_postgresql
@pytest.mark.django_db
def test_a_query_run_while_another_s_rows_are_still_read_takes_a_cursor_of_its_own():
    # Given two locations, and a prepared query of both whose first row only is read so far
    SalonFactory(name="Berlin"), SalonFactory(name="London")
    with prepared_cursor() as outer:
        outer.execute("SELECT name FROM salon_salon WHERE name = ANY(%s) ORDER BY name", [["Berlin", "London"]])
        first = outer.fetchone()

        # When a compiled query runs before the rest is read
        london = named.objects(name="London")
        rest = outer.fetchall()

    # Then neither lost the other's rows
    assert (first, rest) == (("Berlin",), [("London",)])
    assert [each.name for each in london] == ["London"]


@on_postgresql
@pytest.mark.django_db
def test_a_query_run_inside_another_s_block_leaves_it_its_own_answer_when_it_has_no_rows_to_read():
    # Given three locations, and a prepared update of two whose count is not read yet
    SalonFactory(name="Berlin"), SalonFactory(name="Paris"), SalonFactory(name="London")
    with prepared_cursor() as outer:
        outer.execute("UPDATE salon_salon SET phone = '' WHERE name = ANY(%s)", [["Berlin", "Paris"]])

        # When a compiled query runs before the update's count is read
        london = named.objects(name="London")
        updated = outer.rowcount

    # Then the update still counts its own two rows, and the query found its own
    assert [each.name for each in london] == ["London"]
    assert updated == 2


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_closed_connection_is_freed_with_its_kept_cursors():
    # Given a connection whose compiled queries, text and binary, kept their driver cursors
    for binary in (False, True):
        with prepared_cursor(binary=binary) as cursor:
            cursor.execute("SELECT %s", [1])
            cursor.fetchall()
    closed = weakref.ref(connection.connection)

    # When it is closed (CONN_MAX_AGE reached, a failed health check) and the next query opens another
    connection.close()
    with prepared_cursor() as cursor:
        cursor.execute("SELECT %s", [1])
        cursor.fetchall()
    gc.collect()

    # Then nothing holds the closed driver connection, its cursors or their last answers any longer
    assert closed() is None
