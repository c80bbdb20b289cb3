"""Auditor access: granted on assignment, removed on withdrawal and closure, refused on conflict."""

import pytest
from django.urls import reverse

from auditors.models import ConflictOfInterest
from auditors.services import conflict_declare
from audits.models import Audit, AuditorAssignment
from audits.permissions import AuditAction, audit_policy
from audits.services.assignments import audit_close, auditor_assign, auditor_assignment_end
from rescue.errors import ActionRefusedError
from tests.factories import UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db


def can_view(world: World, role: str, audit: Audit) -> bool:
    user = world.users[role]
    return audit_policy.can(user, AuditAction.VIEW, audit)


def test_assignment_grants_exactly_that_audit(world: World) -> None:
    auditor = world.users["auditor_assigned"]
    assert can_view(world, "auditor_assigned", world.audit_a)
    assert not can_view(world, "auditor_assigned", world.audit_b)
    assert auditor.has_perm("audits.review_audit", world.audit_a)
    assert not auditor.has_perm("audits.review_audit", world.audit_b)
    # Object permission only: no global grant that would open every audit.
    assert not auditor.has_perm("audits.review_audit")


def test_unassigned_auditor_sees_nothing(world: World) -> None:
    client = world.client("auditor_unassigned")
    assert client.get("/api/v1/audits/").json()["results"] == []
    assert client.get(reverse("audits:detail", args=[world.audit_a.pk])).status_code == 404
    assert "Hospital A" not in client.get(reverse("home")).content.decode()


def test_withdrawal_removes_access(world: World) -> None:
    auditor_assignment_end(assignment=world.assignment_a, ended_by=world.users["admin"])
    assert not can_view(world, "auditor_assigned", world.audit_a)
    client = world.client("auditor_assigned")
    assert client.get(reverse("audits:detail", args=[world.audit_a.pk])).status_code == 404
    world.assignment_a.refresh_from_db()
    assert world.assignment_a.end_reason == "withdrawn"


def test_closing_the_audit_removes_every_auditor(world: World) -> None:
    auditor_assign(
        audit=world.audit_a,
        auditor=world.users["auditor_unassigned"],
        assigned_by=world.users["admin"],
    )
    audit_close(audit=world.audit_a, closed_by=world.users["admin"])
    for role in ("auditor_assigned", "auditor_unassigned"):
        assert not can_view(world, role, world.audit_a)
    assert (
        not AuditorAssignment.objects.for_institution(world.institution_a)
        .filter(ended_at__isnull=True)
        .exists()
    )
    with pytest.raises(ActionRefusedError, match="closed"):
        auditor_assign(
            audit=world.audit_a,
            auditor=world.users["auditor_assigned"],
            assigned_by=world.users["admin"],
        )


def test_conflict_of_interest_refuses_the_assignment_and_says_why(world: World) -> None:
    conflict_declare(
        auditor=world.users["auditor_unassigned"],
        institution=world.institution_a,
        reason="Worked there until 2024",
    )
    client = world.client("admin")
    response = client.post(
        reverse("audits:assign", args=[world.audit_a.pk]),
        {"auditor": world.users["auditor_unassigned"].pk},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "declared a conflict of interest with Hospital A" in html
    assert "Worked there until 2024" in html
    assert not can_view(world, "auditor_unassigned", world.audit_a)


def test_declaring_a_conflict_ends_a_current_assignment(world: World) -> None:
    conflict_declare(
        auditor=world.users["auditor_assigned"], institution=world.institution_a, reason="Spouse"
    )
    assert not can_view(world, "auditor_assigned", world.audit_a)
    assert ConflictOfInterest.objects.filter(auditor=world.users["auditor_assigned"]).exists()


def test_only_pool_members_can_be_assigned(world: World) -> None:
    outsider = UserFactory()
    with pytest.raises(ActionRefusedError, match="not in the auditor pool"):
        auditor_assign(audit=world.audit_a, auditor=outsider, assigned_by=world.users["admin"])


def test_double_assignment_is_refused(world: World) -> None:
    with pytest.raises(ActionRefusedError, match="already assigned"):
        auditor_assign(
            audit=world.audit_a,
            auditor=world.users["auditor_assigned"],
            assigned_by=world.users["admin"],
        )


def test_assign_form_rejects_unknown_auditor_with_400(world: World) -> None:
    response = world.client("admin").post(
        reverse("audits:assign", args=[world.audit_a.pk]), {"auditor": "999999"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
