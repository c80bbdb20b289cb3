"""The PostgreSQL connection settings of this workload (``postgresql_options``)."""

import pytest
from django.db import connection

from rescue.settings.base import postgresql_options

POSTGRESQL = "django.db.backends.postgresql"


def options(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict:
    for name in ("DATABASE_JIT", "DATABASE_PREPARED_STATEMENTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return postgresql_options({"ENGINE": POSTGRESQL, "NAME": "rescue"})["OPTIONS"]


def test_by_default_jit_is_off_and_statements_are_prepared_from_their_first_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert options(monkeypatch) == {
        "options": "-c jit=off",
        "server_side_binding": True,
        "prepare_threshold": 1,
    }


def test_prepared_statements_can_be_turned_off_for_a_pooler_that_cannot_keep_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert options(monkeypatch, DATABASE_PREPARED_STATEMENTS="false", DATABASE_JIT="true") == {
        "options": "-c jit=on"
    }


def test_sqlite_is_left_as_it_is() -> None:
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}
    assert postgresql_options(dict(database)) == database


@pytest.mark.django_db
def test_the_suites_own_connection_prepares_its_statements() -> None:
    """make test runs on the production setting: a statement asked twice is prepared once."""
    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute("SELECT %s::int + 1", [41])
            assert cursor.fetchone() == (42,)
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT $1::int + 1"],
        )
        assert cursor.fetchone() == (1,)
