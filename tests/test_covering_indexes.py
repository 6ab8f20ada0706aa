"""On PostgreSQL, the home page's figures and a list's funding figures can be read from
indexes alone (portfolio 0012, donations 0009): each index holds every column its query
reads. (At 10 000 projects and 1 000 000 sponsorships the planner then answers with
index-only scans; the tests' few rows are read straight from the tables, so what is
checked here is what the indexes hold.)"""

import re

import pytest
from django.db import connection

from donations.funding import _figures_sql
from donations.models import Gift, Sponsorship
from portfolio.models import Project

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


def index(name: str) -> tuple[str, list[str], list[str], str]:
    """Return an index's table, key columns, included columns and condition."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE indexname = %s", [name])
        row = cursor.fetchone()
    assert row is not None, f"no index {name}"
    table, definition = row
    found = re.search(r"btree \(([^)]*)\)(?: INCLUDE \(([^)]*)\))?(?: WHERE (.*))?$", definition)
    keys, included, condition = found.groups()

    def names(text):
        return [each.strip().split()[0] for each in (text or "").split(",") if each.strip()]

    return table, names(keys), names(included), condition or ""


def test_the_published_projects_are_counted_from_one_index():
    table, keys, included, condition = index("project_public_counted")
    assert table == Project._meta.db_table
    assert keys == ["published_at"] and "is_published" in condition
    # What the home page's figures and the list's count read.
    assert {"id", "beneficiaries"} <= set(included)


def test_the_funding_figures_read_only_what_their_indexes_hold():
    sql = _figures_sql(1)
    read = {alias: set(re.findall(rf"\b{alias}\.(\w+)", sql)) for alias in ("s", "g")}
    table, keys, included, _condition = index("sponsorship_funding_figures")
    assert table == Sponsorship._meta.db_table and keys == ["project_id"]
    assert read["s"] <= {*keys, *included}
    table, keys, included, _condition = index("gift_funding_figures")
    assert table == Gift._meta.db_table and keys == ["sponsorship_id"]
    assert read["g"] <= {*keys, *included}
