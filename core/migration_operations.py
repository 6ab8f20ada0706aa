"""Migration operations that depend on the database in use."""

from django.db import migrations


class RunSQLOnPostgreSQL(migrations.RunSQL):
    """Run SQL on PostgreSQL only; elsewhere (SQLite) do nothing.

    For what SQLite cannot build, such as trigram indexes. The SQL stays out of the
    models' state, so SQLite never meets it when it rebuilds a table either.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{super().describe()} (PostgreSQL only)"
