"""Who is in the auditor pool: whoever holds the auditor permission, through a group or directly
(``auditors.selectors.auditor_pool`` reads the two ways apart and puts them together)."""

import pytest
from django.contrib.auth.models import Group, Permission

from auditors.selectors import auditor_pool
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def permission(codename: str, app_label: str = "accounts") -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_the_pool_is_every_active_holder_of_the_permission_once_by_email() -> None:
    auditors = Group.objects.create(name="Pool test auditors")
    auditors.permissions.add(permission("act_as_auditor"))
    other_group = Group.objects.create(name="Pool test others")
    other_group.permissions.add(permission("view_all_audits", "audits"))

    by_group = UserFactory(email="c-group@example.org")
    by_group.groups.add(auditors)
    directly = UserFactory(email="a-direct@example.org")
    directly.user_permissions.add(permission("act_as_auditor"))
    both = UserFactory(email="b-both@example.org")
    both.groups.add(auditors)
    both.user_permissions.add(permission("act_as_auditor"))
    inactive = UserFactory(email="inactive@example.org", is_active=False)
    inactive.groups.add(auditors)
    other = UserFactory(email="other@example.org")
    other.groups.add(other_group)
    other.user_permissions.add(permission("view_all_audits", "audits"))
    UserFactory(email="superuser@example.org", is_superuser=True)  # not an auditor by that
    UserFactory(email="plain@example.org")

    pool = auditor_pool()
    assert [user.email for user in pool] == [
        "a-direct@example.org",
        "b-both@example.org",
        "c-group@example.org",
    ]
    assert pool.count() == 3
