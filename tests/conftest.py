from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client

from accounts.models import User
from standards.services import catalogue_load
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
