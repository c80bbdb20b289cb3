"""The audits a user reaches are read by one indexed path per way of reaching them (the
institutions' dossiers, the own applications, the review grants, and for following, the
applications of the institutions they coordinate), put together by their ids: each audit once,
whatever the number of ways, and no scan of every audit testing them all row by row."""

import pytest

from audits.filters import AuditListFilter
from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from institutions.models import Membership
from reviews.models import AuditorAssignment
from tests.factories import AuditFactory, MembershipFactory
from tests.factories.reviews import review_place_grant
from tests.world import World

pytestmark = pytest.mark.django_db
SECOND = AuditorAssignment.Role.SECOND


def test_an_audit_reached_in_several_ways_is_listed_once(world: World) -> None:
    """The coordinator of B who is also an auditor on A's audit and on B's own: B's audit by
    membership and by grant, A's by grant alone; never A's other audits."""
    coordinator = world.users["coordinator_b"]
    for audit in (world.audit_a, world.audit_b):
        review_place_grant(
            audit=audit, auditor=coordinator, assigned_by=world.users["admin"], role=SECOND
        )
    seen = audit_policy.audits_for(coordinator, AuditAction.VIEW)
    b_audits = set(
        Audit.unscoped.filter(institution=world.institution_b, applicant__isnull=True).values_list(
            "pk", flat=True
        )
    )
    assert sorted(seen.values_list("pk", flat=True)) == sorted({world.audit_a.pk} | b_audits)
    assert seen.count() == len({world.audit_a.pk} | b_audits)


def test_each_way_is_a_path_of_its_own(world: World) -> None:
    """The query puts the ways together with UNION ALL inside one IN: no OR between them."""
    for role in ("coordinator_a", "contributor_a", "auditor_assigned", "peer_supporter_a"):
        for action in (AuditAction.VIEW, AuditAction.FOLLOW):
            sql = str(audit_policy.audits_for(world.users[role], action).query)
            assert sql.count("UNION ALL") == (3 if action == AuditAction.FOLLOW else 2), sql
            assert " OR " not in sql, sql
            assert "DISTINCT" not in sql, sql


def test_following_adds_the_applications_of_the_institutions_coordinated(world: World) -> None:
    """A coordinator follows the applications of their institution's supporters without seeing
    them; a contributor of the same institution follows none."""
    application = Audit.unscoped.get(applicant=world.users["peer_supporter_a"])
    coordinator, contributor = world.users["coordinator_a"], world.users["contributor_a"]
    assert application in audit_policy.audits_for(coordinator, AuditAction.FOLLOW)
    assert application not in audit_policy.audits_for(coordinator, AuditAction.VIEW)
    assert application not in audit_policy.audits_for(contributor, AuditAction.FOLLOW)
    # a new institution's dossier reaches its members, once they are members, by the same path
    other = AuditFactory(catalogue_version=world.audit_a.catalogue_version)
    assert other not in audit_policy.audits_for(contributor, AuditAction.VIEW)
    MembershipFactory(
        user=contributor, institution=other.institution, role=Membership.Role.CONTRIBUTOR
    )
    assert other in audit_policy.audits_for(contributor, AuditAction.VIEW)


def test_the_audit_list_order_is_an_index() -> None:
    """The list's default order, newest first, is the order of an index of audits: a page of
    them is read off it, not sorted out of every audit of the platform."""
    listed = AuditListFilter({}, queryset=Audit.unscoped.all()).qs.query.order_by
    indexes = {tuple(index.fields) for index in Audit._meta.indexes}
    assert tuple(listed) == ("-created_at", "-pk")
    assert ("-created_at", "-id") in indexes
