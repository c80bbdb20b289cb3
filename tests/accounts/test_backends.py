"""The model backend reads a user's permissions in one query, and they are Django's: their own,
their groups', every one for a superuser, none for an inactive account or for an object."""

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import ModelBackend
from accounts.models import User
from accounts.roles import AUDITORS
from accounts.services import platform_groups_ensure
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # nothing kept from an earlier read


def _django(user: User) -> set[str]:
    return DjangoModelBackend().get_all_permissions(_fresh(user))


@pytest.fixture
def people() -> dict[str, User]:
    groups = platform_groups_ensure()
    own = Permission.objects.get(codename="view_group")
    both = Permission.objects.get(codename="view_permission")
    extra = Group.objects.create(name="Readers")
    extra.permissions.add(both)
    users = {
        "nobody": UserFactory(),
        "own": UserFactory(),
        "groups": UserFactory(),
        "both": UserFactory(),
        "superuser": UserFactory(is_superuser=True),
        "inactive": UserFactory(is_active=False),
    }
    users["own"].user_permissions.add(own)
    users["groups"].groups.add(groups[AUDITORS], extra)
    users["both"].user_permissions.add(own, both)  # also in a group of theirs: once
    users["both"].groups.add(extra)
    users["inactive"].groups.add(groups[AUDITORS])
    return users


def test_the_permissions_are_djangos_in_one_query(people: dict[str, User]) -> None:
    for name, user in people.items():
        expected = _django(user)
        fresh = _fresh(user)
        with CaptureQueriesContext(connection) as queries:
            got = ModelBackend().get_all_permissions(fresh)
        assert got == expected, name
        assert len(queries) == (0 if name == "inactive" else 1), name
    assert "accounts.act_as_auditor" in _django(people["groups"])
    assert _django(people["inactive"]) == set()
    assert len(_django(people["superuser"])) == Permission.objects.count()


def test_a_user_asks_once_a_request_whatever_the_questions(people: dict[str, User]) -> None:
    user = _fresh(people["groups"])
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm("accounts.act_as_auditor")
        assert not user.has_perm("auth.change_group")
        assert user.has_perm("auth.view_permission")
    assert len(queries) == 1
    assert ModelBackend().get_all_permissions(user, obj=people["own"]) == set()
