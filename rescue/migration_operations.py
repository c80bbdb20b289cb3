"""Migration operations of the project's own.

``TrigramExtension``: Django's, whose reversal also does nothing on a database other than
PostgreSQL (Django's asks PostgreSQL's catalogue on any database).

``TrigramIndex``: a GIN trigram index (pg_trgm) on ``UPPER(column::text)``, the expression
Django's ``icontains`` compares on PostgreSQL, so that a search for a part of a name is read
from the index instead of testing every row. It exists only on PostgreSQL: on any other database
(the embedded SQLite of ``make run``) the operation does nothing. It is not part of the model's
state, so that a later migration that rebuilds the table on SQLite never tries to create it.
"""

from typing import Any

from django.contrib.postgres import operations as postgres
from django.db import migrations


class TrigramExtension(postgres.TrigramExtension):
    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class TrigramIndex(migrations.operations.base.Operation):
    reduces_to_sql = True
    reversible = True

    def __init__(self, name: str, table: str, column: str) -> None:
        self.name = name
        self.table = table
        self.column = column

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass  # no model state: see the module's docstring

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            quote = schema_editor.quote_name
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {quote(self.table)} "
                f"USING gin (UPPER({quote(self.column)}::text) gin_trgm_ops)"
            )

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self) -> str:
        return f"Create the trigram index {self.name} on {self.table}.{self.column} (PostgreSQL)"

    @property
    def migration_name_fragment(self) -> str:
        return self.name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, str]]:
        return (
            f"{self.__class__.__module__}.{self.__class__.__name__}",
            [],
            {"name": self.name, "table": self.table, "column": self.column},
        )
