"""The templates' capabilities (and ``can``, which reads them) give, for every action, what the
policy's querysets give: ``audits_for`` is what lists and the API filter by."""

import pytest
from django.contrib.auth.models import AnonymousUser

from audits.permissions import AuditAction, audit_policy
from audits.services.closure import audit_close
from tests.world import ROLES, World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_capabilities_agree_with_the_policy(world: World, role: str) -> None:
    user = world.users.get(role) or AnonymousUser()
    # Audit B closed, audit A in preparation: every stage the rules tell apart.
    closed = audit_close(audit=world.audit_b, closed_by=world.users["admin"])
    for audit in (world.audit_a, closed):
        expected = {
            action: audit_policy.audits_for(user, action).filter(pk=audit.pk).exists()
            for action in AuditAction
        }
        assert audit_policy.capabilities(user, audit) == expected, (role, audit.status)
        assert {action: audit_policy.can(user, action, audit) for action in AuditAction} == expected
