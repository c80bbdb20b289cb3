"""``audit_policy.get_or_404`` reads the audit with the two answers its capabilities need (the
reader's role in the institution, whether they hold the review grant on it), written as SQL of
its own: held here to what the policy's own queries answer, and to ``audits_for`` for every
person, audit and action."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from guardian.shortcuts import assign_perm

from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from institutions.models import Membership
from institutions.permissions import institution_policy
from rescue.memo import _memo
from tests.world import ROLES, World

pytestmark = pytest.mark.django_db


def audits(world: World) -> list[Audit]:
    return [world.audit_a, world.audit_b, world.application_a, world.decided_a]


def test_the_read_answers_what_the_policy_queries_answer(world: World) -> None:
    # Someone else's grant on the audit, and a grant of another permission, are not the reader's.
    assign_perm("audits.view_audit", world.users["auditor_unassigned"], world.audit_a)
    assign_perm("audits.review_audit", world.users["auditor_unassigned"], world.audit_b)
    # Another institution's membership is not a role in this one.
    Membership.objects.create(
        institution=world.institution_b,
        user=world.users["contributor_a"],
        role=Membership.Role.COORDINATOR,
    )
    roles_seen, grants_seen = set(), set()
    for role in ROLES:
        user = world.users.get(role)
        if user is None:
            continue
        for audit in audits(world):
            token = _memo.set({})
            try:
                try:
                    read = audit_policy.get_or_404(user, AuditAction.FOLLOW, audit.pk)
                except (Http404, PermissionDenied):
                    continue
            finally:
                _memo.reset(token)
            expected_role = institution_policy.role(user, audit.institution_id)  # not remembered
            expected_grant = audit_policy._grant(user, audit.pk).exists()
            assert read.viewer_role == expected_role, (role, audit.pk)
            assert read.viewer_reviewing is expected_grant, (role, audit.pk)
            roles_seen.add(expected_role)
            grants_seen.add(expected_grant)
    # The world gives every kind of answer: a role of each kind, none, a grant and none.
    assert {None, Membership.Role.COORDINATOR, Membership.Role.CONTRIBUTOR} <= roles_seen
    assert grants_seen == {True, False}


@pytest.mark.parametrize("role", ROLES)
def test_the_read_lets_through_whom_audits_for_lets_through(world: World, role: str) -> None:
    user = world.users.get(role) or AnonymousUser()
    for audit in audits(world):
        for action in AuditAction:
            expected = audit_policy.audits_for(user, action).filter(pk=audit.pk).exists()
            token = _memo.set({})  # as inside a request: the read's answers are remembered
            try:
                try:
                    read = audit_policy.get_or_404(user, action, audit.pk)
                except (Http404, PermissionDenied):
                    read = None
            finally:
                _memo.reset(token)
            assert (read is not None) == expected, (role, audit.pk, action)
            if read is not None:
                assert read.pk == audit.pk
                assert read.institution.pk == audit.institution_id


def test_an_audit_that_does_not_exist_is_not_found(world: World) -> None:
    with pytest.raises(Http404):
        audit_policy.get_or_404(world.users["admin"], AuditAction.VIEW, 10**9)
