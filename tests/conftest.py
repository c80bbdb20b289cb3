import copy
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
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


@pytest.fixture(scope="module")
def world_builder() -> Callable[[], World]:
    """How ``module_world`` builds its world (a package may add to it)."""
    return build_world


@pytest.fixture(scope="module")
def module_world(
    django_db_setup: None, django_db_blocker: Any, world_builder: Callable[[], World]
) -> Iterator[World]:
    """One world for a whole test module, inside a transaction rolled back at the module's end
    (as ``TestCase.setUpTestData`` does): each test runs in a savepoint of it (``db``), so what a
    test changes is gone for the next. For modules whose tests only need the world as built."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # type: ignore[attr-defined]  # durable blocks allowed inside
        atomic.__enter__()
        try:
            yield world_builder()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def shared_world(module_world: World, db: None) -> World:
    """The module's world, for one test: a copy of its objects (a test may change them in
    memory) with clients of its own (their sessions are rows of this test's savepoint)."""
    world = copy.deepcopy(module_world)
    world.clients = {}
    return world


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
