import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from accounts.roles import AUDITORS, ERNST_ADMINS, PLATFORM_GROUP_PERMISSIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_command_creates_the_groups_with_exactly_their_permissions() -> None:
    call_command("platform_roles", verbosity=0)
    for name, perms in PLATFORM_GROUP_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(perms)


def test_it_names_admins_and_auditors_and_is_safe_to_run_again() -> None:
    admin = UserFactory(email="ana@ernst.example", is_staff=False)
    auditor = UserFactory(email="bruno@audit.example")

    for _ in range(2):
        call_command("platform_roles", admin=["ANA@ernst.example"], auditor=[auditor.email])

    admin.refresh_from_db()
    assert list(admin.groups.values_list("name", flat=True)) == [ERNST_ADMINS]
    assert admin.is_staff
    assert admin.has_perm("audits.view_all_audits")
    assert list(auditor.groups.values_list("name", flat=True)) == [AUDITORS]
    assert not auditor.has_perm("audits.view_all_audits")


def test_an_unknown_account_changes_nothing() -> None:
    known = UserFactory(email="ana@ernst.example")
    with pytest.raises(CommandError, match=re.escape("No account for: nobody@example.org")):
        call_command("platform_roles", admin=[known.email, "nobody@example.org"])
    assert not known.groups.exists()
