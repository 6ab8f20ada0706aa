"""Statements the PostgreSQL server parses and plans once per connection.

The small queries a page runs after a change (rows by key, the newest publications, what
fell due) take the server longer to plan than to run: 0.1 to 0.5 ms of planning against
0.03 to 0.1 ms of execution, measured with ``EXPLAIN ANALYZE`` on the 10 000-project
benchmark database. A statement marked by ``marked`` is prepared once per connection
(``PREPARE``), then run by name (``EXECUTE``): parsed once, and planned once for every
value after its first runs (the server's choice of a generic plan). Only the statements
marked are: a search, whose words change its best plan, is not.

Django's query log and its execution wrappers see the statement as written (with its
mark, a comment at its end): only the driver's cursor (``PreparingCursor``) runs it by
name. ``PREPARED_STATEMENTS=false`` turns this off, for a connection pooler that hands a
session's statements to other sessions (PgBouncer in transaction mode): the mark is then
only a comment.
"""

import itertools
import re
from collections import OrderedDict

import psycopg2.extensions

MARK = " /* prepared */"
# At most this many statements are kept prepared per connection; the least recently run
# is released (``DEALLOCATE``) beyond.
KEPT_PER_CONNECTION = 200
_PLACEHOLDER = re.compile(r"%[s%]")


def marked(sql: str, connection) -> str:
    """Return ``sql`` marked to be prepared on PostgreSQL (a Django connection's vendor;
    as it is elsewhere)."""
    return sql + MARK if connection.vendor == "postgresql" else sql


class PreparingConnection(psycopg2.extensions.connection):
    """A psycopg2 connection that knows the statements prepared in its session (its
    cursors, ``PreparingCursor``, run the marked statements by name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared: OrderedDict[str, str] = OrderedDict()
        self.names = itertools.count(1)


class PreparingCursor(psycopg2.extensions.cursor):
    # The statement as written and its values, when it was run by name.
    _written = None

    @property
    def query(self):
        """The last statement run, as written with its values (what Django logs), even
        when it was run by name."""
        if self._written is None:
            return super().query
        return self.mogrify(*self._written)

    def execute(self, query, vars=None):
        connection = self.connection
        self._written = None
        if (
            not isinstance(query, str)
            or not query.endswith(MARK)
            or not isinstance(vars, list | tuple)
            or not isinstance(connection, PreparingConnection)
        ):
            return super().execute(query, vars)
        prepared = connection.prepared
        name = prepared.get(query)
        if name is None:
            name = f"prepared_{next(connection.names)}"
            numbers = itertools.count(1)
            text = _PLACEHOLDER.sub(
                lambda found: "%" if found.group() == "%%" else f"${next(numbers)}", query
            )
            # A statement prepared outlives the transaction that prepared it, even rolled
            # back: it is the session's until released.
            super().execute(f"PREPARE {name} AS {text}")
            prepared[query] = name
            while len(prepared) > KEPT_PER_CONNECTION:
                _query, oldest = prepared.popitem(last=False)
                super().execute(f"DEALLOCATE {oldest}")
        else:
            prepared.move_to_end(query)
        arguments = f" ({', '.join(['%s'] * len(vars))})" if vars else ""
        super().execute(f"EXECUTE {name}{arguments}", vars)
        self._written = (query, vars)
