"""Queries whose SQL is compiled once per process, for the hottest paths
(every API call, every booking): building and compiling an ORM query costs
several times the CPU of sending it, and between calls only a few values
change (ids, a token's key, a slug).

Only the SQL text and its constant parameters are kept, never rows: each
call asks the database again. A value that changes between calls (an id,
a date, ``timezone.now()``, a language) must be one of the named
``markers``, substituted on every call; a builder that bakes anything else
that varies into its query would answer with the wrong SQL.
"""

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


class CompiledQuery:
    """The SQL of ``build(**markers)``, compiled on first use per database,
    then run with other values where the markers were. A marker must be a
    value the query holds nowhere else (e.g. a negative id). Values go to the database
    adapter as given: ids, text, numbers (nothing a field must prepare)."""

    def __init__(self, build: Callable[..., QuerySet], **markers):
        self._build = build
        self._markers = markers
        self._by_database: dict[str, tuple] = {}

    def _compiled(self, using: str) -> tuple:
        found = self._by_database.get(using)
        if found is None:
            compiler = self._build(**self._markers).query.get_compiler(using)
            sql, params = compiler.as_sql()
            places = {
                name: [index for index, value in enumerate(params) if _is_marker(value, marker)]
                for name, marker in self._markers.items()
            }
            missing = [name for name, indexes in places.items() if not indexes]
            if missing:
                raise ValueError(f"The compiled query holds no marker for {', '.join(missing)}.")
            found = self._by_database[using] = (compiler, sql, tuple(params), places)
        return found

    def _rows(self, using: str, values: dict):
        """The compiler (what its columns are) and the rows, converted as the ORM converts them."""
        compiler, sql, params, places = self._compiled(using)
        params = list(params)
        for name, value in values.items():
            for index in places[name]:
                params[index] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return compiler, compiler.results_iter([rows])

    def values(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        """The rows, as ``values_list()`` gives them."""
        _, rows = self._rows(using, values)
        return [tuple(row) for row in rows]

    def objects(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        """The model instances, with what ``select_related`` and ``annotate``
        add, as the queryset itself gives them (Django's ModelIterable)."""
        compiler, rows = self._rows(using, values)
        select, klass_info, annotations = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        related = get_related_populators(klass_info, select, using)
        found = []
        for row in rows:
            instance = model.from_db(using, names, row[start:end])
            for populator in related:
                populator.populate(row, instance)
            for name, position in (annotations or {}).items():
                setattr(instance, name, row[position])
            found.append(instance)
        return found


def _is_marker(value, marker) -> bool:
    """``value == marker``, except that True is not 1, nor False 0. (The
    backend may wrap a number in a subclass of int, e.g. psycopg's Int2.)"""
    return isinstance(value, bool) is isinstance(marker, bool) and value == marker
