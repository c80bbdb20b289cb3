from collections.abc import Callable, Iterator

import pytest

# Imported here, at collection, rather than lazily by schemathesis inside a test: pytest rewrites
# the plugin's modules as it imports them, and CPython 3.11's parser has failed on one of them
# there ("AST constructor recursion depth mismatch").
import schemathesis.wfc.escalation  # noqa: F401
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from standards.choices import Component
from standards.models import CatalogueVersion
from tests.api.contract import ROLES, Session, session_for
from tests.factories import CatalogueVersionFactory, StandardFactory
from tests.world import World, build_world


def api_world() -> World:
    """The standard world, and an active RESCUE-Training catalogue, so that institution A can
    start an audit over the API (its RESCUE-Intervention audit is already open)."""
    world = build_world()
    training = CatalogueVersionFactory(
        component=Component.TRAINING, status=CatalogueVersion.Status.ACTIVE
    )
    StandardFactory(section__catalogue_version=training)
    return world


@pytest.fixture(scope="module")
def world_builder() -> Callable[[], World]:
    return api_world


@pytest.fixture
def world(shared_world: World) -> World:
    """Built once per module (``shared_world``, tests/conftest.py): these tests only read it,
    or change it inside their own savepoint."""
    return shared_world


@pytest.fixture
def api_requests(world: World) -> Iterator[None]:
    """Requests through the WSGI handler inside the test's transaction: as the test client does,
    the handler must not close the connection when a request starts or finishes."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def session(world: World, role: str, api_requests: None) -> Session:
    return session_for(world, role)
