import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from accounts.models import User
from standards.services import catalogue_load
from tests.api.contract import STATS
from tests.factories import UserFactory
from tests.world import World, build_world

CATALOGUE_FILES = sorted(Path(settings.CATALOGUE_DIR).glob("*.yaml"))


@pytest.fixture(autouse=True)
def _rate_limits_start_at_zero() -> None:
    """The e-mail rate limits count in their own cache: each test starts with none used."""
    caches["ratelimit"].clear()


@pytest.fixture
def catalogue(db: None) -> None:
    """The shipped working catalogue, loaded as `make run` loads it."""
    catalogue_load(paths=CATALOGUE_FILES)


@pytest.fixture
def user(db: None) -> User:
    return UserFactory()


@pytest.fixture
def user_client(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def world(db: None) -> World:
    return build_world()


# --- The API contract's summary (tests/api/), here because the pytest-xdist controller reads only
# this conftest: the workers count, the controller prints.


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if STATS["requests"]:
        statuses = ", ".join(
            f"{key.removeprefix('status ')}: {count}"
            for key, count in sorted(STATS.items())
            if key.startswith("status ")
        )
        terminalreporter.write_line(
            f"API contract: {STATS['requests']} requests generated ({statuses})"
        )
        if os.environ.get("API_FUZZ_REPORT"):  # what each operation answered
            for key, count in sorted(STATS.items()):
                if " -> " in key:
                    terminalreporter.write_line(f"  {key}: {count}")


def pytest_sessionfinish(session: pytest.Session) -> None:
    # In a pytest-xdist worker, hand the counts to the controller, which prints the summary.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["api_contract_stats"] = dict(STATS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    STATS.update(getattr(node, "workeroutput", {}).get("api_contract_stats", {}))
