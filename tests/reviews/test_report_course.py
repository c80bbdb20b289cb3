"""The audit report's course in its services: recommendation, release, the reply window (time
frozen), answers that change a rating or a finding, the final report; corrective-action plans
and actions with their evidence chained to the seal. Every step out of order is refused."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from audits.models import AuditEvent
from audits.services.submission import manifest_verify
from reports.models import Report
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.models import (
    ConsolidatedRating,
    CorrectiveAction,
    CorrectiveActionPlan,
    EvidenceRequestAnswer,
    Finding,
    ReportComment,
    ReviewReport,
)
from reviews.services.findings import finding_grade
from reviews.services.plans import action_done, action_verify, plan_decide, plan_submit
from reviews.services.report import (
    RecommendationConflictError,
    recommendation_set,
    release_blockers,
    replies_done,
    report_comment_add,
    report_comment_answer,
    report_finalise,
    report_release,
    review_report_of,
)
from tests.audits.support import pdf_upload
from tests.reviews.conftest import Review

pytestmark = pytest.mark.django_db


def graded(review: Review, **ratings: str) -> list[Finding]:
    """A single-auditor review, rated met but for ``ratings``, completed and every finding
    graded minor."""
    review.form_team(second=False)
    review.rate_all(review.lead, "met", **ratings)
    review.complete(review.lead)
    findings = list(
        Finding.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit)
        .select_related("assessment__standard")
        .order_by("assessment__standard__order")
    )
    for finding in findings:
        finding_grade(
            finding=finding,
            user=review.lead,
            grade="minor",
            statement=f"Short on {finding.assessment.standard.code}",
            base_version=finding.version,
        )
    return findings


def recommend(review: Review, version: int | None = None) -> ReviewReport:
    return recommendation_set(
        audit=review.audit,
        user=review.lead,
        recommendation="conditions",
        level="",
        reason="Two minor gaps, plans expected",
        base_version=version,
    )


def released(review: Review, **ratings: str) -> list[Finding]:
    findings = graded(review, **ratings)
    recommend(review)
    report_release(audit=review.reload(), user=review.lead)
    review.reload()
    return findings


def test_release_waits_for_grades_and_a_recommendation(review: Review) -> None:
    code = review.codes[2]
    review.form_team(second=False)
    review.rate_all(review.lead, "met", **{code: "not_met"})
    review.complete(review.lead)
    report = review_report_of(review.audit)
    assert release_blockers(review.audit, report) == [
        "A nonconformity is not graded yet.",
        "The lead auditor's recommendation is not recorded yet.",
    ]
    with pytest.raises(ActionRefusedError, match="cannot be released yet"):
        report_release(audit=review.audit, user=review.lead)
    assert review.reload().status == "review_complete"


def test_only_the_lead_recommends_and_releases_and_a_stale_recommendation_is_refused(
    review: Review,
) -> None:
    graded(review, **{review.codes[2]: "not_met"})
    with pytest.raises(ActionForbiddenError):
        recommendation_set(
            audit=review.audit,
            user=review.admin,
            recommendation="certify",
            level="",
            reason="x",
            base_version=None,
        )
    first = recommend(review)
    assert first.version == 2
    with pytest.raises(RecommendationConflictError) as stale:
        recommend(review, version=1)
    assert stale.value.current.version == 2
    with pytest.raises(ActionRefusedError, match="A level goes only"):
        recommendation_set(
            audit=review.audit,
            user=review.lead,
            recommendation="certify",
            level="design",
            reason="x",
            base_version=None,
        )
    with pytest.raises(ActionForbiddenError):
        report_release(audit=review.audit, user=review.world.users["coordinator_a"])
    report = report_release(audit=review.reload(), user=review.lead)
    assert report.stage == "released"
    assert review.reload().status == "draft_released"
    assert report.reply_until - report.released_at == timedelta(days=14)
    # The draft is queued on the reports pipeline as the audit report.
    assert (
        Report.objects.for_institution(review.audit.institution_id)
        .filter(audit=review.audit, kind=Report.Kind.AUDIT)
        .exists()
    )
    event = AuditEvent.objects.for_institution(review.audit.institution_id).get(
        audit=review.audit, action=AuditEvent.Action.REPORT_RELEASED
    )
    assert not event.review_only  # the institution is told
    with pytest.raises(ActionRefusedError, match="released already"):
        report_release(audit=review.audit, user=review.lead)


@override_settings(REVIEW_REPLY_WINDOW_DAYS=3)
def test_the_reply_window_closes_on_time(review: Review) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [finding] = released(review, **{review.codes[2]: "partially_met"})
    coordinator = review.world.users["coordinator_a"]
    with time_machine.travel(start + timedelta(days=3) - timedelta(seconds=1), tick=False):
        report_comment_add(
            audit=review.audit, user=coordinator, text="We have a rota", finding_id=finding.pk
        )
        with pytest.raises(ActionRefusedError, match="reply window is open"):
            report_finalise(audit=review.audit, user=review.lead)
    with time_machine.travel(start + timedelta(days=3), tick=False):
        with pytest.raises(ActionRefusedError, match="The reply window closed on"):
            report_comment_add(audit=review.audit, user=coordinator, text="One more")
        with pytest.raises(ActionRefusedError, match="1 comments of the institution"):
            report_finalise(audit=review.audit, user=review.lead)
        [comment] = ReportComment.objects.for_institution(review.audit.institution_id).filter(
            audit=review.audit
        )
        report_comment_answer(
            comment=comment, user=review.lead, outcome="maintained", answer="No rota was shown"
        )
        final = report_finalise(audit=review.audit, user=review.lead)
    assert final.stage == "final"
    assert review.reload().status == "final_report"


def test_an_accepted_comment_changes_the_rating_and_withdraws_the_finding(review: Review) -> None:
    first, second = review.codes[2], review.codes[3]
    findings = released(review, **{first: "partially_met", second: "not_met"})
    coordinator = review.world.users["coordinator_a"]
    scope = review.audit.institution_id
    on_first = report_comment_add(
        audit=review.audit, user=coordinator, text="See E3", finding_id=findings[0].pk
    )
    on_second = report_comment_add(
        audit=review.audit, user=coordinator, text="Too harsh", finding_id=findings[1].pk
    )
    general = report_comment_add(audit=review.audit, user=coordinator, text="Thank you")
    with pytest.raises(ActionForbiddenError):
        report_comment_add(audit=review.audit, user=review.lead, text="x")
    with pytest.raises(ActionRefusedError, match="An accepted comment changes the finding"):
        report_comment_answer(comment=on_first, user=review.lead, outcome="accepted", answer="ok")
    report_comment_answer(
        comment=on_first, user=review.lead, outcome="accepted", answer="E3 shows it", rating="met"
    )
    report_comment_answer(
        comment=on_second,
        user=review.lead,
        outcome="accepted",
        answer="Partly shown",
        rating="partially_met",
    )
    with pytest.raises(ActionRefusedError, match="Only an accepted comment on a finding"):
        report_comment_answer(
            comment=general, user=review.lead, outcome="maintained", answer="x", rating="met"
        )
    report_comment_answer(comment=general, user=review.lead, outcome="accepted", answer="Noted")
    with pytest.raises(ActionRefusedError, match="answered already"):
        report_comment_answer(comment=general, user=review.lead, outcome="maintained", answer="x")
    ratings = dict(
        ConsolidatedRating.objects.for_institution(scope)
        .filter(audit=review.audit)
        .values_list("assessment__standard__code", "rating")
    )
    assert (ratings[first], ratings[second]) == ("met", "partially_met")
    findings = [Finding.objects.for_institution(scope).get(pk=f.pk) for f in findings]
    assert findings[0].withdrawn_at is not None
    assert findings[1].withdrawn_at is None
    on_first.refresh_from_db()
    assert on_first.changes == {"rating": ["partially_met", "met"], "withdrawn": True}
    replies_done(audit=review.audit, user=coordinator)
    with pytest.raises(ActionRefusedError, match="no more comments"):
        report_comment_add(audit=review.audit, user=coordinator, text="late")
    report_finalise(audit=review.audit, user=review.lead)
    assert review.reload().status == "final_report"


def test_a_plan_is_returned_then_accepted_and_its_action_done_and_verified(
    review: Review,
) -> None:
    code = review.codes[2]
    coordinator = review.world.users["coordinator_a"]
    [finding] = graded(review, **{code: "not_met"})
    tomorrow = timezone.localdate() + timedelta(days=1)
    actions = [{"description": "Set up a rota", "owner": "Head of nursing", "due_on": tomorrow}]
    with pytest.raises(ActionRefusedError, match="once the draft report is released"):
        plan_submit(finding=finding, user=coordinator, cause="No rota", actions=actions)
    recommend(review)
    report_release(audit=review.reload(), user=review.lead)
    with pytest.raises(ActionRefusedError, match="at least one action"):
        plan_submit(finding=finding, user=coordinator, cause="No rota", actions=[{}])
    plan = plan_submit(finding=finding, user=coordinator, cause="No rota", actions=actions)
    with pytest.raises(ActionForbiddenError):
        plan_decide(plan=plan, user=review.world.users["coordinator_a"], accept=True)
    with pytest.raises(ActionRefusedError, match="what the plan lacks"):
        plan_decide(plan=plan, user=review.lead, accept=False)
    plan_decide(plan=plan, user=review.lead, accept=False, reason="Who covers nights?")
    with pytest.raises(ActionRefusedError, match="once their plan is accepted"):
        action_done(
            action=plan.actions.get(),
            user=coordinator,
            note="Done",
            uploads=[pdf_upload("rota.pdf", "Rota")[0]],
            confirmed_no_personal_data=True,
        )
    actions.append({"description": "Night cover", "owner": "On-call lead", "due_on": tomorrow})
    plan = plan_submit(finding=finding, user=coordinator, cause="No rota", actions=actions)
    assert plan.version == 2
    assert plan.actions.count() == 2
    plan_decide(plan=plan, user=review.lead, accept=True)
    action = CorrectiveAction.objects.for_institution(plan.institution_id).get(
        plan=plan, position=1
    )
    with pytest.raises(ActionRefusedError, match="Add the evidence"):
        action_done(
            action=action,
            user=coordinator,
            note="Done",
            uploads=[],
            confirmed_no_personal_data=True,
        )
    action_done(
        action=action,
        user=coordinator,
        note="Rota in place since May",
        uploads=[pdf_upload("rota.pdf", "Rota")[0]],
        confirmed_no_personal_data=True,
    )
    assert manifest_verify(audit=review.reload()) == []  # the addendum chains to the seal
    with pytest.raises(ActionForbiddenError):
        action_verify(action=action, user=coordinator, close=True)
    action_verify(action=action, user=review.lead, close=False, reason="Nights not covered")
    action.refresh_from_db()
    assert (action.state, action.verification_reason) == ("open", "Nights not covered")
    action_done(
        action=action,
        user=coordinator,
        note="Nights covered too",
        uploads=[pdf_upload("rota-2.pdf", "Rota")[0]],
        confirmed_no_personal_data=True,
    )
    action_verify(action=action, user=review.lead, close=True)
    action.refresh_from_db()
    assert action.state == "closed"
    assert manifest_verify(audit=review.reload()) == []
    plan = CorrectiveActionPlan.objects.for_institution(plan.institution_id).get(pk=plan.pk)
    with pytest.raises(ActionRefusedError, match="has been accepted"):
        plan_submit(finding=finding, user=coordinator, cause="x", actions=actions)


def test_a_changed_action_addendum_is_reported(review: Review) -> None:
    code = review.codes[2]
    coordinator = review.world.users["coordinator_a"]
    [finding] = released(review, **{code: "not_met"})
    due = timezone.localdate() + timedelta(days=3)
    plan = plan_submit(
        finding=finding,
        user=coordinator,
        cause="No rota",
        actions=[{"description": "Rota", "owner": "Head", "due_on": due}],
    )
    plan_decide(plan=plan, user=review.lead, accept=True)
    action_done(
        action=plan.actions.get(),
        user=coordinator,
        note="Rota in place",
        uploads=[pdf_upload("rota.pdf", "Rota")[0]],
        confirmed_no_personal_data=True,
    )
    audit = review.reload()
    assert manifest_verify(audit=audit) == []
    addendum = EvidenceRequestAnswer.objects.for_institution(audit.institution_id).get(
        audit=audit, action__isnull=False
    )
    assert addendum.addendum["corrective_action"] == plan.actions.get().pk
    addendum.addendum["comment"] = "Rota in place since 2020"
    addendum.save(update_fields=["addendum"])
    assert manifest_verify(audit=audit) == ["addendum 1: does not match its digest"]


def test_a_pending_preview_is_replaced_at_the_release_and_its_request_stays_private(
    review: Review,
) -> None:
    from reports.services import report_request  # noqa: PLC0415

    graded(review, **{review.codes[2]: "not_met"})
    recommend(review)
    preview = report_request(audit=review.reload(), user=review.lead, kind=Report.Kind.AUDIT)
    scope = review.audit.institution_id
    asked = AuditEvent.objects.for_institution(scope).get(
        audit=review.audit, action=AuditEvent.Action.REPORT_REQUESTED
    )
    assert asked.review_only  # the institution does not learn of a team preview
    report_release(audit=review.reload(), user=review.lead)
    reports = list(
        Report.objects.for_institution(scope)
        .filter(audit=review.audit, kind=Report.Kind.AUDIT)
        .order_by("version")
        .values_list("pk", "version", "status")
    )
    assert reports == [(preview.report.pk, 1, "failed"), (reports[1][0], 2, "queued")]
    draft = (
        AuditEvent.objects.for_institution(scope)
        .filter(audit=review.audit, action=AuditEvent.Action.REPORT_REQUESTED)
        .order_by("-pk")[0]
    )
    assert not draft.review_only
