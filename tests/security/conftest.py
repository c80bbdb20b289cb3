import pytest

from tests.world import World


@pytest.fixture
def world(shared_world: World) -> World:
    """Built once per module (``shared_world``, tests/conftest.py): these tests only read it,
    or change it inside their own savepoint."""
    return shared_world
