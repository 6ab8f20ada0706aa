from django.db import migrations, models

from core.migration_operations import RunSQLOnPostgreSQL

LANGUAGES = ("fr", "en")


def trigram_index(code):
    """Let PostgreSQL answer ``LIKE '%word%'`` on a document from a GIN trigram index."""
    name = f"project_search_{code}_trgm"
    return RunSQLOnPostgreSQL(
        sql=(
            f"CREATE INDEX {name} ON portfolio_project "
            f"USING gin (search_document_{code} gin_trgm_ops)"
        ),
        reverse_sql=f"DROP INDEX {name}",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("portfolio", "0002_editor_and_finance_groups"),
    ]

    operations = [
        *[
            migrations.AddField(
                model_name="project",
                name=f"search_{kind}_{code}",
                field=models.TextField(default="", editable=False),
            )
            for code in LANGUAGES
            for kind in ("document", "title")
        ],
        # Kept when unapplied: other objects of the database may use the extension.
        RunSQLOnPostgreSQL(
            sql="CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop
        ),
        *[trigram_index(code) for code in LANGUAGES],
    ]
