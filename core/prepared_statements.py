"""Statements the PostgreSQL server parses and plans once per connection.

The small queries a page runs after a change (rows by key, the newest publications, what
fell due) take the server longer to plan than to run: 0.1 to 0.5 ms of planning against
0.03 to 0.1 ms of execution, measured with ``EXPLAIN ANALYZE`` on the 10 000-project
benchmark database. A statement marked by ``marked`` is prepared once per connection
(``PREPARE``), then run by name (``EXECUTE``): parsed once, and planned once for every
value (a generic plan: the connection's sessions set ``plan_cache_mode``). Left to
choose, the server plans such a statement anew for each run as long as that looks
cheaper, and a moment compared with a column makes it read the end of the column's
index to estimate the rows, which costs more as the table grows and as the rows at the
end of the index are rewritten: the field updates of the feed took 0.7 ms at 10 000
projects against 0.3 at 10, the same with a generic plan. Only the statements marked are
prepared, those whose values are keys and moments compared with a column, which one plan
serves: a search, whose words change its best plan, or a query with a value inside an
expression that an index matches (the partner list's order), is not.

Django's query log and its execution wrappers see the statement as written (with its
mark, a comment at its end): only the driver's cursor (``PreparingCursor``) runs it by
name. ``PREPARED_STATEMENTS=false`` turns this off, for a connection pooler that hands a
session's statements to other sessions (PgBouncer in transaction mode): the mark is then
only a comment.
"""

import hashlib
import itertools
import re
from collections import OrderedDict

import psycopg2.extensions
from psycopg2 import errors

MARK = " /* prepared */"
# At most this many statements are kept prepared per connection; the least recently run
# is released (``DEALLOCATE``) beyond.
KEPT_PER_CONNECTION = 200
_PLACEHOLDER = re.compile(r"%[s%]")
# Each statement prepared planned once, for every value it is run with.
PLAN_ONCE = "SET plan_cache_mode = force_generic_plan"


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
        # Whether the session may hold statements this connection forgot.
        self.release_first = False
        self._plan_once()

    def _plan_once(self) -> None:
        # Set for the session, committed at once (a setting made in a transaction rolled
        # back is undone). Only plans the server keeps follow it: statements prepared, and
        # the queries of the database's own functions (the results' triggers: by key).
        with self.cursor() as cursor:
            cursor.execute(PLAN_ONCE)
        self.commit()

    def reset(self):
        super().reset()  # Releases the session's statements and settings (DISCARD ALL).
        self.prepared.clear()
        self._plan_once()


def _name(query: str) -> str:
    """A statement's name, made from its text: a session that has a statement of this
    name has this statement."""
    return f"prepared_{hashlib.blake2b(query.encode(), digest_size=12).hexdigest()}"


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

    def executemany(self, query, vars_list):
        self._written = None
        return super().executemany(query, vars_list)

    def execute(self, query, vars=None):
        connection = self.connection
        self._written = None
        if (
            self.name is not None  # A server-side cursor declares its query.
            or not isinstance(query, str)
            or not query.endswith(MARK)
            or not isinstance(vars, list | tuple)
            or not isinstance(connection, PreparingConnection)
        ):
            return super().execute(query, vars)
        prepared = connection.prepared
        name = prepared.get(query)
        try:
            if connection.release_first:
                super().execute("DEALLOCATE ALL")
                connection.release_first = False
            if name is None:
                name = _name(query)
                numbers = itertools.count(1)
                text = _PLACEHOLDER.sub(
                    lambda found: "%" if found.group() == "%%" else f"${next(numbers)}", query
                )
                # A statement prepared outlives the transaction that prepared it, even
                # rolled back: it is the session's until released.
                super().execute(f"PREPARE {name} AS {text}")
                prepared[query] = name
                while len(prepared) > KEPT_PER_CONNECTION:
                    _query, oldest = prepared.popitem(last=False)
                    super().execute(f"DEALLOCATE {oldest}")
            else:
                prepared.move_to_end(query)
            arguments = f" ({', '.join(['%s'] * len(vars))})" if vars else ""
            super().execute(f"EXECUTE {name}{arguments}", vars)
        except (errors.InvalidSqlStatementName, errors.DuplicatePreparedStatement):
            # The session and what this connection knew of it parted (its statements
            # released behind its back, or one prepared by another): forgotten, so that
            # the next statement releases them all and prepares its own again.
            connection.prepared.clear()
            connection.release_first = True
            raise
        self._written = (query, vars)
