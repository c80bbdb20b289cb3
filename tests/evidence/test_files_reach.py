"""Which files a person may see and change, read from their reach without a query of the
standards: ``files_for`` for everyone but a contributor is every live file of the audit or none,
as far as ``assessments_for`` reaches; when ``changes_every_file`` (which spares the standard page
a query) is true, ``files_for(CHANGE)`` is every live file of the audit. It is false for a
contributor, whose files are asked of the database, even when they may change them all."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import Audit, StandardAssessment
from audits.permissions import AssessmentAction, assessment_policy, audit_policy
from evidence.models import EvidenceFile
from evidence.permissions import EvidenceAction, evidence_policy
from evidence.services import evidence_upload
from institutions.models import Membership
from rescue.memo import _memo
from tests.world import ROLES, World

pytestmark = pytest.mark.django_db

ACTIONS = {EvidenceAction.VIEW: AssessmentAction.VIEW, EvidenceAction.CHANGE: AssessmentAction.EDIT}


def dossiers(world: World) -> list[Audit]:
    return list(
        Audit.unscoped.select_related("catalogue_version").filter(
            pk__in=[world.audit_a.pk, world.audit_b.pk, world.application_a.pk]
        )
    )


def live(audit: Audit) -> set[int]:
    return set(
        EvidenceFile.unscoped.filter(audit=audit, deleted_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


def check(world: World) -> int:
    if not live(world.audit_b):
        evidence_upload(
            audit=world.audit_b,
            user=world.users["coordinator_b"],
            uploaded=SimpleUploadedFile("rota.txt", b"Peer supporter rota.", "text/plain"),
            assessments=list(StandardAssessment.unscoped.filter(audit=world.audit_b)),
            confirmed_no_personal_data=True,
        )
    checked = 0
    for role in ROLES:
        user = world.users.get(role) or AnonymousUser()
        for audit in dossiers(world):
            assert live(audit), audit.pk  # every dossier of the world has a file
            for action, assessment_action in ACTIONS.items():
                got = set(
                    evidence_policy.files_for(user, action, audit).values_list("pk", flat=True)
                )
                if audit_policy.dossier_role(user, audit) != Membership.Role.CONTRIBUTOR:
                    reached = assessment_policy.assessments_for(user, assessment_action, audit)
                    sealed = action == EvidenceAction.CHANGE and audit.is_sealed
                    expected = live(audit) if reached.exists() and not sealed else set()
                    assert got == expected, (role, audit.pk, action)
                if action == EvidenceAction.CHANGE:
                    every = evidence_policy.changes_every_file(user, audit)
                    if every:
                        assert got == live(audit), (role, audit.pk)
                    elif audit_policy.dossier_role(user, audit) != Membership.Role.CONTRIBUTOR:
                        assert got == set(), (role, audit.pk)
                checked += 1
    return checked


def test_files_follow_the_reach_on_open_audits(world: World) -> None:
    assert check(world) == len(ROLES) * 3 * 2


def test_files_follow_the_reach_on_sealed_audits(world: World) -> None:
    Audit.unscoped.filter(pk__in=[world.audit_a.pk, world.application_a.pk]).update(
        status=Audit.Status.IN_REVIEW
    )
    assert check(world) == len(ROLES) * 3 * 2
    assert not evidence_policy.changes_every_file(world.users["coordinator_a"], dossiers(world)[0])


def test_a_coordinator_changes_every_file_and_a_contributor_does_not(world: World) -> None:
    audit = Audit.unscoped.select_related("catalogue_version").get(pk=world.audit_a.pk)
    assert evidence_policy.changes_every_file(world.users["coordinator_a"], audit)
    assert not evidence_policy.changes_every_file(world.users["contributor_a"], audit)
    assert not evidence_policy.changes_every_file(world.users["auditor_assigned"], audit)
    assert not evidence_policy.changes_every_file(world.users["admin"], audit)


def test_the_answer_asks_nothing_once_the_role_is_known(world: World) -> None:
    audit = Audit.unscoped.select_related("catalogue_version").get(pk=world.audit_a.pk)
    user = world.users["coordinator_a"]
    token = _memo.set({})  # as inside a request: the role is read once
    try:
        audit_policy.dossier_role(user, audit)
        with CaptureQueriesContext(connection) as captured:
            assert evidence_policy.changes_every_file(user, audit)
        assert len(captured) == 0
    finally:
        _memo.reset(token)
