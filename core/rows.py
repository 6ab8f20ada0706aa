"""Rows read by primary key, and small queries of values, each compiled once per process.

For a wide model (a project has some forty columns with their translations), Django
spends more time building and compiling a query than the database spends running it:
about 0.5 ms against 0.2 ms for one project's row. A page drawn anew after an edit reads
the edited project's row and little else (``core.fragments`` keeps the rest), so that
compilation is a large part of its cost. ``RowsByKey`` compiles the query once per
database and number of keys (integer keys padded, ``padded``), then only runs it: the
same columns, the same conversions of their values and the same instances as the ORM
gives. ``PreparedQuery`` does the same for a small query of values that also takes the
current moment (what is published now). On PostgreSQL, the server prepares the
statements of ``RowsByKey`` and ``EveryRow``, and of a ``PreparedQuery`` that asks for
it, once per connection (``core.prepared_statements``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ValuesListIterable
from django.utils import timezone

from .prepared_statements import marked


class RowsByKey:
    """Read rows of ``model`` by primary key, leaving out the columns ``leave_out()`` names
    (deferred, as ``QuerySet.defer`` leaves them), or with only the key and the columns
    ``only()`` names."""

    def __init__(
        self,
        model: type[Model],
        leave_out: Callable[[], Iterable[str]] = tuple,
        *,
        only: Callable[[], Iterable[str]] | None = None,
    ):
        self.model = model
        self.leave_out = leave_out
        self.only = only
        self._compiled: dict[tuple[str, int], tuple[str, list[str], dict]] = {}
        self._lock = threading.Lock()

    def columns(self) -> list[str]:
        """Return the columns read, in the model's order (``Model.from_db`` takes a row's
        values in that order when some columns are left out)."""
        fields = self.model._meta.concrete_fields
        if self.only is not None:
            wanted = {self.model._meta.pk.attname, *self.only()}
            unknown = wanted - {field.attname for field in fields}
            if unknown:
                raise ValueError(f"{self.model.__name__} has no column {sorted(unknown)}.")
            return [field.attname for field in fields if field.attname in wanted]
        left_out = set(self.leave_out())
        return [field.attname for field in fields if field.attname not in left_out]

    def _compile(self, alias: str, count: int) -> tuple[str, list[str], dict]:
        found = self._compiled.get((alias, count))
        if found is not None:
            return found
        columns = self.columns()
        # Stand-ins for the keys: only their number matters to the statement.
        marks = [-1 - each for each in range(count)]
        queryset = QuerySet(self.model).using(alias).filter(pk__in=marks).order_by()
        compiler = queryset.values_list(*columns).query.get_compiler(alias)
        sql, params = compiler.as_sql()
        if list(params) != marks:
            raise ValueError(f"Unexpected parameters for {self.model.__name__}'s rows.")
        converters = compiler.get_converters([each[0] for each in compiler.select])
        compiled = (marked(sql, connections[alias]), columns, converters)
        with self._lock:
            self._compiled[(alias, count)] = compiled
        return compiled

    def __call__(self, pks: Iterable) -> dict:
        """Return ``{pk: instance}`` for those of these keys that have a row."""
        alias = router.db_for_read(self.model)
        columns, rows = self._rows(alias, pks)
        found = (self.model.from_db(alias, columns, row) for row in rows)
        return {instance.pk: instance for instance in found}

    def values(self, pks: Iterable) -> dict:
        """Return ``{pk: {column: value}}`` for those of these keys that have a row."""
        columns, rows = self._rows(router.db_for_read(self.model), pks)
        if not columns:
            return {}
        key = columns.index(self.model._meta.pk.attname)
        return {row[key]: dict(zip(columns, row, strict=True)) for row in rows}

    def _rows(self, alias: str, pks: Iterable) -> tuple[list[str], list]:
        """Return the columns read and the rows of these keys, their values converted."""
        connection = connections[alias]
        field = self.model._meta.pk
        # Integers (the statement is compiled with integer stand-ins), each once, padded: a
        # few statements serve every number of keys, and the server prepares each once.
        values = padded(field.get_db_prep_value(field.to_python(pk), connection) for pk in pks)
        if not values:
            return [], []
        sql, columns, converters = self._compile(alias, len(values))
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            rows = cursor.fetchall()
        return columns, _converted(rows, converters, connection)


class EveryRow:
    """Read every row of ``model``, as the ORM gives them, in the order ``order_by()``
    returns (it may name a translated field as the current language reads it): the query
    compiled once per database and order. For small tables every page names (regions,
    sectors), read again after each of their saves."""

    def __init__(self, model: type[Model], order_by: Callable[[], Iterable[str]]):
        self.model = model
        self.order_by = order_by
        self._compiled: dict[tuple, tuple[str, tuple, list[str], dict]] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str, order: tuple[str, ...]) -> tuple[str, tuple, list[str], dict]:
        found = self._compiled.get((alias, order))
        if found is not None:
            return found
        columns = [field.attname for field in self.model._meta.concrete_fields]
        queryset = QuerySet(self.model).using(alias).order_by(*order).values_list(*columns)
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([each[0] for each in compiler.select])
        compiled = (marked(sql, connections[alias]), tuple(params), columns, converters)
        with self._lock:
            self._compiled[(alias, order)] = compiled
        return compiled

    def __call__(self) -> list:
        alias = router.db_for_read(self.model)
        sql, params, columns, converters = self._compile(alias, tuple(self.order_by()))
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [
            self.model.from_db(alias, columns, row)
            for row in _converted(rows, converters, connection)
        ]


def _converted(rows, converters: dict, connection, width: int | None = None) -> list:
    """Return the rows (their first ``width`` values) as the ORM converts what the
    database returns (dates, decimals)."""
    if not converters:
        return [row[:width] for row in rows]
    converted = []
    for row in rows:
        row = list(row[:width])
        for position, (functions, expression) in converters.items():
            for function in functions:
                row[position] = function(row[position], expression, connection)
        converted.append(row)
    return converted


# Where a prepared query takes the current moment and the keys: it is compiled twice, with
# two moments and two series of keys no query otherwise names, and the parameters that
# differ between the two statements are those.
NOW_STAND_INS = (
    datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC),
    datetime(1902, 3, 4, 5, 6, 7, 890123, tzinfo=UTC),
)
FIRST_KEY_STAND_INS = (-1, -1_000_001)
# What a stand-in key of text starts with (``text_keys``): a slug never does.
TEXT_KEY_MARK = "Prepared query key "
NOW, KEY = "now", "key"


class PreparedQuery:
    """A query of values built and compiled once per process, database and number of keys,
    then run with the current moment and new keys: the same rows, with the same
    conversions of their values, as the queryset gives.

    ``build(now, keys)`` returns the queryset (``values_list`` on Django's own
    ``QuerySet``), taking ``now`` for the current moment (``published(now=now)``) and
    ``keys`` where the keys go, each as it is (a value computed from them cannot be
    prepared); with ``keys_in``, the keys only go into ``IN (…)`` lists, and each series
    is padded (``padded``), so that a few statements serve every number of keys. With
    ``text_keys``, the keys are text (a slug), not integers. With ``server_prepared``,
    the server prepares it once per connection (``core.prepared_statements``): for a
    query whose values are only the moment and keys compared with columns. It is
    built with stand-ins for both, and where they fall among the
    statement's parameters is remembered: building and compiling a query through the ORM
    (and the translated models' managers) costs more than running the small queries a
    page drawn after a change asks (0.3 to 0.5 ms against 0.1 ms).
    """

    def __init__(
        self,
        model: type[Model],
        build: Callable[..., QuerySet],
        *,
        keys_in=False,
        text_keys=False,
        server_prepared=False,
    ):
        if keys_in and text_keys:
            raise ValueError("Keys of text are not padded: keys_in takes integers.")
        self.model = model
        self.build = build
        # The keys only go into ``IN (…)``: each series asked is padded (``padded``).
        self.keys_in = keys_in
        self.text_keys = text_keys
        self.server_prepared = server_prepared
        self._compiled: dict[tuple[str, int], tuple | None] = {}
        self._lock = threading.Lock()

    def _statement(self, alias: str, now: datetime, keys: list[int | str]):
        queryset = self.build(now=now, keys=keys).using(alias)
        if queryset._iterable_class is not ValuesListIterable:
            raise ValueError(
                "A prepared query gives its values in the order asked: build it with "
                "values_list on Django's own QuerySet (a translated model's manager "
                "reorders them)."
            )
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        return compiler, sql, list(params)

    def _compile(self, alias: str, count: int) -> tuple | None:
        """Return the statement, its parameters' slots, the converters of its values and
        their number; None when it can match nothing (no keys where keys are asked)."""
        if (alias, count) in self._compiled:
            return self._compiled[(alias, count)]
        ops = connections[alias].ops
        made = []
        try:
            for now, first in zip(NOW_STAND_INS, FIRST_KEY_STAND_INS, strict=True):
                keys = [first - each for each in range(count)]
                if self.text_keys:
                    keys = [f"{TEXT_KEY_MARK}{key}" for key in keys]
                moment = ops.adapt_datetimefield_value(now)
                made.append((*self._statement(alias, now, keys), moment, keys))
        except EmptyResultSet:
            with self._lock:
                self._compiled[(alias, count)] = None
            return None
        compiler, sql, params, moment, keys = made[0]
        _compiler, other_sql, other_params, other_moment, other_keys = made[1]
        if other_sql != sql or len(other_params) != len(params):
            raise ValueError("A prepared query must be the same statement whatever its values.")
        # Each parameter: NOW, a key's position, or a value the query always takes.
        slots = []
        for one, other in zip(params, other_params, strict=True):
            if one == other:
                slots.append((None, one))
            elif one == moment and other == other_moment:
                slots.append((NOW, None))
            elif one in keys and other == other_keys[keys.index(one)]:
                slots.append((KEY, keys.index(one)))
            else:
                raise ValueError(
                    "A prepared query takes the moment and the keys as they are, not values "
                    "made from them."
                )
        if sorted(index for kind, index in slots if kind == KEY) != list(range(count)):
            raise ValueError("A prepared query must take each key once.")
        converters = compiler.get_converters(
            [each[0] for each in compiler.select[: compiler.col_count]]
        )
        if self.server_prepared:
            sql = marked(sql, connections[alias])
        compiled = (sql, slots, converters, compiler.col_count)
        with self._lock:
            self._compiled[(alias, count)] = compiled
        return compiled

    def __call__(self, keys: Iterable[int | str] = ()) -> list[tuple]:
        """Return the rows, each a tuple of the values asked, for these keys (integers, or
        text with ``text_keys``)."""
        keys = padded(keys) if self.keys_in else list(keys)
        alias = router.db_for_read(self.model)
        compiled = self._compile(alias, len(keys))
        if compiled is None:
            return []
        sql, slots, converters, width = compiled
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params = [
            now if kind == NOW else keys[value] if kind == KEY else value for kind, value in slots
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [tuple(row) for row in _converted(rows, converters, connection, width)]


# No row has this key: it pads a series of keys (``padded``).
NO_KEY = 0


def padded(pks: Iterable[int]) -> list[int]:
    """Return these keys, each once, padded with ``NO_KEY`` to a power of two: a prepared
    query compiled per number of keys then keeps a few statements, not one per number."""
    keys = sorted(set(pks))
    if not keys:
        return keys
    size = 1
    while size < len(keys):
        size *= 2
    return keys + [NO_KEY] * (size - len(keys))
