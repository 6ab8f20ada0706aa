"""On PostgreSQL, the home page's figures and a list's funding figures are read from
indexes alone (portfolio 0012, donations 0009): the plans name them as index-only scans."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext

from donations.funding import funding_by_project
from portfolio.models import Project
from tests.factories import make_project, make_sponsorship

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes"),
]


def plan_of(run) -> str:
    """The plan PostgreSQL makes for the one query ``run()`` asks, scans of whole tables
    ruled out (the tests' few rows would otherwise be read straight from the table)."""
    with CaptureQueriesContext(connection) as queries:
        run()
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {query['sql']}")
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_published_projects_are_counted_from_an_index_alone():
    for number in range(3):
        make_project(title_fr=f"Projet {number}", beneficiaries=100)
    make_project(title_fr="Brouillon", is_published=False)

    plan = plan_of(
        lambda: Project.objects.published().aggregate(
            projects=Count("pk"), beneficiaries=Sum("beneficiaries")
        )
    )

    assert "Index Only Scan using project_public_counted" in plan


def test_a_projects_funding_figures_are_read_from_indexes_alone():
    project = make_project(title_fr="Puits", funding_goal=Decimal("1000"))
    for _number in range(3):
        make_sponsorship(project, confirmed=True)

    plan = plan_of(lambda: funding_by_project([project]))

    assert "Index Only Scan using sponsorship_funding_figures" in plan
    assert "Index Only Scan using gift_funding_figures" in plan
