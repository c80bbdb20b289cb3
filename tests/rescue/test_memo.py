"""Access answers are remembered within one request, and only there; a change to a membership or
to a review grant forgets them, so a page that changes access and then renders sees the change."""

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm, remove_perm

from audits.permissions import PERM_REVIEW_AUDIT, AuditAction, audit_policy
from institutions.models import Membership
from institutions.permissions import institution_policy
from rescue.memo import RequestMemoMiddleware, memoized
from tests.world import World

pytestmark = pytest.mark.django_db


def in_request(work):  # type: ignore[no-untyped-def]
    """Run ``work`` as a view inside the memo middleware; return what it returned."""
    seen = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["result"] = work()
        return HttpResponse()

    RequestMemoMiddleware(view)(HttpRequest())
    return seen["result"]


def test_outside_a_request_every_question_is_asked_again(world: World) -> None:
    user, institution = world.users["coordinator_a"], world.institution_a
    with CaptureQueriesContext(connection) as queries:
        assert institution_policy.role(user, institution.pk) == Membership.Role.COORDINATOR
        assert institution_policy.role(user, institution.pk) == Membership.Role.COORDINATOR
    assert len(queries) == 2


def test_within_a_request_a_role_is_read_once_and_forgotten_when_it_changes(world: World) -> None:
    user, institution = world.users["contributor_a"], world.institution_a

    def work() -> tuple[list[str | None], int]:
        with CaptureQueriesContext(connection) as queries:
            first = institution_policy.role(user, institution.pk)
            again = institution_policy.role(user, institution.pk)
        membership = Membership.objects.get(user=user, institution=institution)
        membership.role = Membership.Role.COORDINATOR
        membership.save()
        after = institution_policy.role(user, institution.pk)
        return [first, again, after], len(queries)

    roles, queries = in_request(work)
    assert roles == [
        Membership.Role.CONTRIBUTOR,
        Membership.Role.CONTRIBUTOR,
        Membership.Role.COORDINATOR,
    ]
    assert queries == 1


def test_within_a_request_a_withdrawn_grant_is_seen_at_once(world: World) -> None:
    auditor, audit = world.users["auditor_unassigned"], world.audit_b

    def work() -> list[bool]:
        before = audit_policy.can(auditor, AuditAction.VIEW, audit)
        assign_perm(PERM_REVIEW_AUDIT, auditor, audit)
        granted = audit_policy.can(auditor, AuditAction.VIEW, audit)
        remove_perm(PERM_REVIEW_AUDIT, auditor, audit)
        withdrawn = audit_policy.can(auditor, AuditAction.VIEW, audit)
        return [before, granted, withdrawn]

    assert in_request(work) == [False, True, False]


def test_each_request_starts_with_nothing_remembered() -> None:
    calls = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert in_request(lambda: (memoized("k", compute), memoized("k", compute))) == (1, 1)
    assert in_request(lambda: memoized("k", compute)) == 2
    assert memoized("k", compute) == 3  # outside a request: computed every time
