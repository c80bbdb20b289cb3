"""``assessment_policy.can`` answers what ``assessments_for`` answers, for every person, action and
standard of the test world, on an open and on a sealed audit; it asks the database only about a
contributor's standards (the others reach all of an audit's standards or none)."""

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import Audit, StandardAssessment
from audits.permissions import AssessmentAction, assessment_policy
from rescue.memo import _memo
from tests.world import ROLES, World


def everyone(world: World) -> dict:
    return {role: world.users.get(role) or AnonymousUser() for role in ROLES}


def assessments(world: World) -> list[StandardAssessment]:
    return list(
        StandardAssessment.unscoped.select_related("audit__catalogue_version").filter(
            audit__in=[world.audit_a, world.audit_b, world.application_a]
        )
    )


def agree(world: World) -> int:
    checked = 0
    for role, user in everyone(world).items():
        for assessment in assessments(world):
            for action in AssessmentAction:
                reach = assessment_policy.assessments_for(user, action, assessment.audit)
                expected = reach.filter(pk=assessment.pk).exists()
                assert assessment_policy.can(user, action, assessment) == expected, (
                    role,
                    action,
                    assessment.pk,
                )
                checked += 1
    return checked


def test_can_agrees_with_assessments_for_on_open_audits(world: World) -> None:
    assert agree(world) == len(ROLES) * len(assessments(world)) * len(AssessmentAction)


def test_can_agrees_with_assessments_for_on_sealed_audits(world: World) -> None:
    Audit.unscoped.filter(pk__in=[world.audit_a.pk, world.audit_b.pk]).update(
        status=Audit.Status.IN_REVIEW
    )
    assert agree(world) > 0


def test_only_a_contributors_standards_are_asked_of_the_database(world: World) -> None:
    assessment = StandardAssessment.unscoped.select_related("audit__catalogue_version").get(
        pk=world.assessment_a.pk
    )
    token = _memo.set({})  # as inside a request: the role is read once
    try:
        for role, queries in (("coordinator_a", 0), ("contributor_a", 1)):
            user = world.users[role]
            assessment_policy.can(user, AssessmentAction.VIEW, assessment)  # reads the role
            with CaptureQueriesContext(connection) as captured:
                assert assessment_policy.can(user, AssessmentAction.EDIT, assessment)
            assert len(captured) == queries, role
    finally:
        _memo.reset(token)
