"""Queries whose SQL is compiled once per process, for the hottest paths
(every API call, every booking): building and compiling an ORM query costs
several times the CPU of sending it, and between calls only a few values
change (ids, a token's key, a slug).

Only the SQL text and its constant parameters are kept, never rows: each
call asks the database again. A value that changes between calls (an id,
a date, ``timezone.now()``, a language) must be one of the named
``markers``, substituted on every call; a builder that bakes anything else
that varies into its query would answer with the wrong SQL.

On PostgreSQL they are sent as prepared statements (:func:`prepared_cursor`):
the same few texts again and again, which the server need not parse and plan
each time. :class:`CompiledByKey` keeps the SQL of queries whose shape
varies more, under keys of their inputs, without preparing it.
"""

import contextlib
import functools
import sys
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


def prepared_cursor(using: str = DEFAULT_DB_ALIAS, *, binary: bool = False):
    """A cursor as ``connections[using].cursor()`` gives (counted, logged and
    wrapped as any), whose statements PostgreSQL prepares: each text is parsed
    once per connection and, after five runs, planned once (its generic plan;
    planning took a third of the server's time for availability's queries,
    more for a booking's). For the few texts a hot path sends with other
    values, never for text that varies with them: a connection keeps at most
    100 (psycopg's ``prepared_max``, the least used deallocated).

    Only these: the ORM keeps Django's default, values bound in the client
    and nothing prepared. Nor on SQLite (its own statement cache) or with
    ``PREPARED_STATEMENTS`` off in the database's settings (a pooler in
    transaction mode that hands each transaction another server connection:
    README, "Configuration"), nor when each request has a connection of its
    own (``CONN_MAX_AGE`` 0: preparing costs a round trip that nothing would
    win back). A new connection prepares again; a rollback, also to a
    savepoint, forgets them (psycopg deallocates them, in case it undid a
    schema change).

    ``binary``: prepared statements answer in PostgreSQL's binary format,
    which the driver reads without parsing text (arrays of thousands of
    numbers: availability's busy times).

    The driver's cursor is kept for the connection's next such query, one
    for text and one for binary answers: creating and closing a psycopg
    cursor for each query (it copies the connection's map of adapters and
    sets up its own transformer) took about a tenth of a booking's CPU. It
    is handed out to one ``with`` block at a time and taken back when the
    block ends, so a caller reads its rows inside the block; a query run
    inside another's block gets a cursor of its own, and neither answer is
    lost. ``close()`` closes it for good (a new one is made next time). The
    last answer stays with the cursor until its next query: at most two per
    connection, the largest being availability's busy times."""
    connection = connections[using]
    settings = connection.settings_dict
    wanted = settings.get("PREPARED_STATEMENTS", True) and settings["CONN_MAX_AGE"] != 0
    if connection.vendor != "postgresql" or not wanted:
        return connection.cursor()
    # What connection.cursor() does, with a server-binding cursor in place of Django's.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()  # before the kept cursor is handed out
    with connection.wrap_database_errors:
        cursor = _kept_cursors(connection).pop(binary, None)
        if cursor is None or cursor.closed or cursor.timezone_for is not connection.timezone:
            # A test may change the time zone: Django's cursors follow it.
            cursor = _preparing_cursor(connection)
            cursor.timezone_for, cursor.kept_binary = connection.timezone, binary
            if binary:
                from psycopg.pq import Format

                cursor.format = Format.BINARY
    wrapper = _KeptDebugWrapper if connection.queries_logged else _KeptCursorWrapper
    return wrapper(cursor, connection)


def _kept_cursors(connection) -> dict:
    """The connection's kept cursors, by binary or not. Held by Django's
    connection object with the driver's connection they belong to: a new
    one (after a close) replaces them, and the old one is freed."""
    kept = getattr(connection, "_kept_cursors", None)
    if kept is None or kept[0] is not connection.connection:
        kept = connection._kept_cursors = (connection.connection, {})
    return kept[1]


class _KeptCursorWrapper(CursorWrapper):
    """Django's cursor wrapper, except that leaving its ``with`` block gives
    the driver's cursor back to the connection for its next query."""

    def __exit__(self, type, value, traceback):
        cursor = self.cursor
        if not cursor.closed and cursor.connection is self.db.connection:
            _kept_cursors(self.db).setdefault(cursor.kept_binary, cursor)


class _KeptDebugWrapper(CursorDebugWrapper):
    """Logs and counts each query as Django's own debug cursor does, with its
    text: psycopg keeps none that Django could read back for a prepared
    statement (``last_executed_query`` gave None, and a failing query count
    could not list the queries). Its ``with`` block ends as the plain one's."""

    def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
        if use_last_executed_query and not many:
            # As Django's last_executed_query: a value the driver cannot quote leaves the text as sent.
            with contextlib.suppress(self.db.Database.DataError):
                sql = self.db.ops.compose_sql(sql, params)
        return super().debug_sql(sql, params, use_last_executed_query=False, many=many)

    __exit__ = _KeptCursorWrapper.__exit__


def _preparing_cursor(connection):
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns preparing off (None), which also refuses prepare=True.
        # Counting up to sys.maxsize: nothing else is prepared by being sent often.
        raw.prepare_threshold = sys.maxsize
    cursor = _preparing_cursor_class()(raw)
    # As Django's cursors: times in the connection's zone.
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, Format, register_tzloader

    if connection.timezone != raw.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
        register_tzloader(connection.timezone, cursor)
    return cursor


@functools.cache
def _preparing_cursor_class():
    """Django's server-binding cursor, whose every statement is prepared
    (psycopg is imported only where PostgreSQL is used)."""
    from django.db.backends.postgresql.base import ServerBindingCursor
    from psycopg.errors import FeatureNotSupported

    class PreparingCursor(ServerBindingCursor):
        # Kept by prepared_cursor: the zone its times are read in, and which of the connection's two it is.
        timezone_for = None
        kept_binary = False

        def execute(self, query, params=None, *, prepare=True, binary=None):
            try:
                return super().execute(query, params, prepare=prepare, binary=binary)
            except FeatureNotSupported:
                # "cached plan must not change result type": a migration changed a column a prepared
                # statement reads. Out of a transaction (whose rollback would) nothing else makes
                # psycopg deallocate them: the next statement does, and this one is prepared anew.
                self.connection._prepared.clear()
                raise

    return PreparingCursor


class CompiledQuery:
    """The SQL of ``build(**markers)``, compiled on first use per database,
    then run with other values where the markers were. A marker must be a
    value the query holds nowhere else (e.g. a negative id). Values go to the database
    adapter as given: ids, text, numbers (nothing a field must prepare)."""

    def __init__(self, build: Callable[..., QuerySet], *, for_share: bool = False, **markers):
        """``for_share``: the rows of the query's FROM are read under a shared
        lock (PostgreSQL's FOR SHARE, which the ORM cannot ask for; none
        where the database has no row locks)."""
        self._build = build
        self._markers = markers
        self._for_share = for_share
        self._by_database: dict[str, tuple] = {}
        self._shapes: dict[str, tuple] = {}

    def _compiled(self, using: str) -> tuple:
        found = self._by_database.get(using)
        if found is None:
            compiler = self._build(**self._markers).query.get_compiler(using)
            sql, params = compiler.as_sql()
            if self._for_share and compiler.connection.features.has_select_for_update:
                sql += " FOR SHARE"
            places = {
                name: [index for index, value in enumerate(params) if _is_marker(value, marker)]
                for name, marker in self._markers.items()
            }
            missing = [name for name, indexes in places.items() if not indexes]
            if missing:
                raise ValueError(f"The compiled query holds no marker for {', '.join(missing)}.")
            # The columns' converters once too: finding them took as long as converting the rows.
            converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
            found = self._by_database[using] = (compiler, sql, tuple(params), places, converters)
        return found

    def _rows(self, using: str, values: dict):
        """The compiler (what its columns are) and the rows, converted as the ORM converts them."""
        compiler, sql, params, places, converters = self._compiled(using)
        params = list(params)
        for name, value in values.items():
            for index in places[name]:
                params[index] = value
        with prepared_cursor(using) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return compiler, compiler.apply_converters(rows, converters) if converters else rows

    def values(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        """The rows, as ``values_list()`` gives them."""
        _, rows = self._rows(using, values)
        return [tuple(row) for row in rows]

    def objects(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        """The model instances, with what ``select_related`` and ``annotate``
        add, as the queryset itself gives them (Django's ModelIterable)."""
        compiler, rows = self._rows(using, values)
        model, start, end, names, related, annotations = self._shape(compiler, using)
        found = []
        for row in rows:
            instance = model.from_db(using, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            found.append(instance)
        return found

    def _shape(self, compiler, using: str) -> tuple:
        """How :meth:`objects` makes instances of the rows, worked out once per
        database (the populators keep no state between rows)."""
        shape = self._shapes.get(using)
        if shape is None:
            select, klass_info = compiler.select, compiler.klass_info
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            names = [column[0].target.attname for column in select[start:end]]
            related = get_related_populators(klass_info, select, using)
            annotations = tuple((compiler.annotation_col_map or {}).items())
            shape = self._shapes[using] = (klass_info["model"], start, end, names, related, annotations)
        return shape


def _is_marker(value, marker) -> bool:
    """``value == marker``, except that True is not 1, nor False 0. (The
    backend may wrap a number in a subclass of int, e.g. psycopg's Int2.)"""
    return isinstance(value, bool) is isinstance(marker, bool) and value == marker


class CompiledInsert:
    """New rows of ``model`` written as ``save()`` writes one and
    ``bulk_create()`` several, by SQL built once per process, database and
    number of rows: for the rows every booking writes (building an INSERT
    took several times the CPU of sending it). As ``bulk_create``: no save
    signals (only for models without receivers) and no validation (the
    caller's); each row gets its id. Values go through the fields as the ORM
    sends them (``pre_save``, ``get_db_prep_save``): plain values, no expressions."""

    def __init__(self, model):
        self._model = model
        meta = model._meta
        self._fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
        # Fields with their own placeholder, a database default, a generated
        # value or a value the database returns take the ORM's way.
        self._plain = not any(
            hasattr(field, "get_placeholder")
            or field.has_db_default()
            or getattr(field, "generated", False)
            or (field.db_returning and field is not meta.pk)
            for field in self._fields
        )
        self._sql: dict[tuple[str, int], str] = {}

    def _statement(self, connection, count: int) -> str:
        key = (connection.alias, count)
        sql = self._sql.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(field.column) for field in self._fields)
            row = f"({', '.join(['%s'] * len(self._fields))})"
            returning, _ = connection.ops.return_insert_columns([self._model._meta.pk])
            table = quote(self._model._meta.db_table)
            sql = self._sql[key] = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * count)} {returning}"  # noqa: S608 (the model's own table and columns)
        return sql

    def save(self, *rows, using: str = DEFAULT_DB_ALIAS) -> None:
        connection = connections[using]
        if not rows:
            return
        if (
            not self._plain
            or not connection.features.can_return_rows_from_bulk_insert
            or any(row.pk is not None for row in rows)
        ):
            self._model._base_manager.using(using).bulk_create(rows)
            return
        for row in rows:
            # As bulk_create: a related row not saved yet is an error, not a NULL.
            row._prepare_related_fields_for_save(operation_name="bulk_create")
        params = [
            field.get_db_prep_save(field.pre_save(row, True), connection) for row in rows for field in self._fields
        ]
        with prepared_cursor(using) as cursor:
            cursor.execute(self._statement(connection, len(rows)), params)
            written = connection.ops.fetch_returned_insert_rows(cursor)
        for row, (pk,) in zip(rows, written, strict=True):
            row.pk = pk
            row._state.adding, row._state.db = False, using


class CompiledForIds:
    """A ``CompiledQuery`` whose builder takes a list of ids first (for an
    ``__in``), for reads of many clients or sessions at once: one query per
    length of list rounded up to a power of two (the list filled up with its
    first id), so a few compiled queries serve every length. The ids' markers
    are -1001, -1002 and on: the other markers must be other values."""

    def __init__(self, build: Callable[..., QuerySet], **markers):
        self._build, self._markers = build, markers
        self._by_size: dict[int, CompiledQuery] = {}

    def _query(self, ids: list) -> tuple[CompiledQuery, dict]:
        size = 1 << (len(ids) - 1).bit_length()
        names = [f"id_{index}" for index in range(size)]
        query = self._by_size.get(size)
        if query is None:

            def build(**values):
                return self._build([values.pop(name) for name in names], **values)

            ids_markers = {name: -1001 - index for index, name in enumerate(names)}
            query = self._by_size[size] = CompiledQuery(build, **self._markers, **ids_markers)
        return query, dict(zip(names, ids + ids[:1] * (size - len(ids)), strict=True))

    def values(self, ids, *, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        ids = list(ids)
        if not ids:
            return []
        query, by_name = self._query(ids)
        return query.values(using=using, **values, **by_name)

    def objects(self, ids, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        ids = list(ids)
        if not ids:
            return []
        query, by_name = self._query(ids)
        return query.objects(using=using, **values, **by_name)


def prefetched(instance, name: str, rows: list) -> None:
    """``rows`` kept as ``instance.<name>.all()``, as ``prefetch_related(name)`` keeps them."""
    related = getattr(instance, name).all()
    related._result_cache, related._prefetch_done = rows, True
    instance._prefetched_objects_cache = {**getattr(instance, "_prefetched_objects_cache", {}), name: related}


def prefetched_children(parents: list, name: str, children, *, parent_field: str) -> None:
    """``children`` (rows whose ``parent_field`` points at one of ``parents``)
    kept on each parent as ``prefetch_related(name)`` keeps them, each
    pointing back at its parent."""
    by_parent: dict[int, list] = {parent.pk: [] for parent in parents}
    for child in children:
        by_parent[getattr(child, f"{parent_field}_id")].append(child)
    for parent in parents:
        for child in by_parent[parent.pk]:
            setattr(child, parent_field, parent)
        prefetched(parent, name, by_parent[parent.pk])


class CompiledByKey:
    """Queries' SQL built and compiled once per process for the same
    inputs, which the caller names as the key: for queries that
    :class:`CompiledQuery` cannot keep (the reports: lists of room ids of
    any length, which its single-value markers cannot stand for). A query's
    SQL must depend on nothing but its key. Each call still reads the
    database; the statements are not prepared (one text serves a week and a
    year of a report, which no single generic plan suits). At most ``limit``
    are kept, all forgotten when it is reached (keys chosen by hand, such as
    a report's period, would otherwise pile up)."""

    def __init__(self, *, limit: int):
        self.limit = limit
        self._found: dict[tuple, tuple] = {}

    def _remember(self, key: tuple, found: tuple) -> tuple:
        if len(self._found) >= self.limit:
            self._found.clear()
        self._found[key] = found
        return found

    def _compiled(self, key: tuple, build: Callable[[], QuerySet]) -> tuple:
        found = self._found.get((DEFAULT_DB_ALIAS, *key))
        if found is None:
            query = build().query
            compiler = query.get_compiler(DEFAULT_DB_ALIAS)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:  # say, locations without rooms: the ORM reads nothing either
                sql, params = None, ()
            converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            found = self._remember(
                (DEFAULT_DB_ALIAS, *key), (compiler if converters else None, sql, tuple(params), converters, names)
            )
        return found

    def sql(self, key: tuple, build: Callable[[], QuerySet]) -> tuple[str, tuple] | None:
        """The SQL of ``build()`` and its parameters; None where it can find nothing."""
        _, sql, params, _, _ = self._compiled(key, build)
        return None if sql is None else (sql, params)

    def values_list(self, key: tuple, build: Callable[[], QuerySet]) -> list[tuple]:
        """The rows of ``build()``, a ``values_list()`` query, as tuples."""
        compiler, sql, params, converters, _ = self._compiled(key, build)
        if sql is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [tuple(row) for row in compiler.apply_converters(rows, converters)] if converters else rows

    def values(self, key: tuple, build: Callable[[], QuerySet]) -> list[dict]:
        """The rows of ``build()``, a ``values()`` query, as dicts."""
        names = self._compiled(key, build)[4]
        return [dict(zip(names, row, strict=True)) for row in self.values_list(key, build)]

    def aggregate(self, key: tuple, build: Callable[[], dict]) -> dict:
        """``build()``, an ``aggregate()`` of counts, the first time; then
        the one query it sent, read back by the names it answered with."""
        found = self._found.get((DEFAULT_DB_ALIAS, *key))
        if found is None:
            sent = []

            def record(execute, sql, params, many, context):
                sent.append((sql, params))
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record):
                answer = build()
            if len(sent) == 1:
                self._remember((DEFAULT_DB_ALIAS, *key), (*sent[0], list(answer)))
            return answer
        sql, params, names = found
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return dict(zip(names, row, strict=True))
