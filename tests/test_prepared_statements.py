"""On PostgreSQL, the small queries pages run after a change are prepared once per
connection and run by name, with the same rows, and logged as written."""

import psycopg2
import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import prepared_statements
from core.prepared_statements import MARK, PreparingConnection, marked
from portfolio import catalogue
from portfolio.feeds import _NEWEST_PROJECTS
from tests.factories import make_project

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statements"),
]


@pytest.fixture(autouse=True)
def no_statement_prepared_yet():
    """Each test starts from a session with no statement prepared (earlier tests ran
    some on the same connection)."""
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection.connection.prepared.clear()


def prepared() -> dict[str, tuple[int, int]]:
    """Return ``{statement: (generic plans, custom plans)}`` of this session's statements
    prepared by name."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return {statement: (generic, custom) for statement, generic, custom in cursor.fetchall()}


def test_a_marked_query_is_prepared_once_and_gives_the_rows_the_query_gives():
    first = make_project(title_fr="Premier")
    second = make_project(title_fr="Second")
    with CaptureQueriesContext(connection) as queries:
        rows = [_NEWEST_PROJECTS() for _ in range(7)]
    assert {pk for _when, pk in rows[0]} == {first.pk, second.pk}
    assert all(each == rows[0] for each in rows)
    # Django's log has the statement as written, once a run: no PREPARE, no EXECUTE.
    assert len(queries) == 7
    assert all(query["sql"].startswith("SELECT") for query in queries)
    assert all(query["sql"].endswith(MARK) for query in queries)
    [(statement, plans)] = [
        (statement, plans) for statement, plans in prepared().items() if "published_at" in statement
    ]
    assert statement.startswith("PREPARE prepared_")
    assert "$1" in statement and "%s" not in statement
    assert sum(plans) == 7  # Seven runs of one statement.


def test_the_catalogues_entries_of_a_project_are_read_by_a_prepared_statement():
    project = make_project()
    for _ in range(6):
        entries = catalogue.entries([project.pk])
    assert list(entries) == [project.pk]
    entries_read = [
        plans for statement, plans in prepared().items() if "beneficiaries" in statement
    ]
    assert entries_read and sum(entries_read[0]) == 6


def test_a_prepared_statement_is_planned_once_for_every_value():
    """A moment compared with a column: left to choose, the server plans the statement anew
    for each moment (reading the end of the column's index each time)."""
    make_project()
    for _ in range(7):
        _NEWEST_PROJECTS()  # Each run with its own moment.
    [plans] = [plans for statement, plans in prepared().items() if "published_at" in statement]
    assert plans == (7, 0)  # (generic plans, custom plans)


def test_a_new_or_reset_session_plans_its_statements_once():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    assert params["connection_factory"] is PreparingConnection
    raw = psycopg2.connect(**params)
    try:
        for _ in range(2):
            with raw.cursor() as cursor:
                cursor.execute("SHOW plan_cache_mode")
                assert cursor.fetchone() == ("force_generic_plan",)
            raw.reset()  # DISCARD ALL: the session's settings as at its start.
    finally:
        raw.close()


def run(sql: str, value: int) -> tuple:
    """Return the first row of this statement run with this value."""
    with connection.cursor() as cursor:
        cursor.execute(sql, [value])
        return cursor.fetchone()


def test_a_statement_prepared_in_a_transaction_rolled_back_still_runs():
    sql = marked("SELECT %s::int + 1, 'a%%b'", connection)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert run(sql, 41) == (42, "a%b")
        raise RuntimeError("rolled back")
    assert run(sql, 41) == (42, "a%b")
    assert run(sql, 41) == (42, "a%b")


def test_beyond_the_statements_kept_the_least_recently_run_is_released(monkeypatch):
    monkeypatch.setattr(prepared_statements, "KEPT_PER_CONNECTION", 2)
    statements = [marked(f"SELECT %s::int * {n}", connection) for n in (2, 3, 5)]
    with connection.cursor() as cursor:
        for sql in statements[:2]:
            cursor.execute(sql, [7])
        cursor.execute(statements[0], [7])  # Run again: the second is now the oldest.
        cursor.execute(statements[2], [7])
        assert cursor.fetchone() == (35,)
        cursor.execute(statements[1], [7])  # Prepared again after its release.
        assert cursor.fetchone() == (21,)
    kept = " ".join(prepared())
    assert "* 2" not in kept and "* 3" in kept and "* 5" in kept
    assert len(connection.connection.prepared) == 2


def test_statements_released_behind_the_connections_back_are_prepared_again():
    sql = marked("SELECT %s::int * 2", connection)
    assert run(sql, 21) == (42,)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # As a pooler's or a reset's DISCARD ALL.
    with pytest.raises(DatabaseError), transaction.atomic():
        run(sql, 21)
    # Forgotten with the failure: prepared again on the next run.
    assert run(sql, 21) == (42,)
    assert run(sql, 21) == (42,)
    assert [plans for statement, plans in prepared().items() if "* 2" in statement] == [(2, 0)]


def test_an_unmarked_query_is_not_prepared():
    make_project()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM portfolio_project WHERE published_at <= %s", [timezone.now()]
        )
    assert not [statement for statement in prepared() if "count(*)" in statement]
