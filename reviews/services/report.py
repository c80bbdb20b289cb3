"""The audit report's course: the lead's recommendation, the release of the draft, the
institution's right of reply, and the final report.

    review complete ──release──▶ draft released ──finalise──▶ final report (awaiting decision)
                                 (reply window)

- **Recommendation** (lead, until the final report): certify at a level, certify on conditions
  or do not certify, with the grounds. Versioned: a change based on an older version is refused
  with the current one (409).
- **Release** (lead, review complete): every nonconformity graded, a recommendation recorded and
  no evidence request pending. From then on the institution's coordinators see the consolidated
  ratings, rationales and findings, never the notes nor the auditors' originals, and the reply
  window opens for ``settings.REVIEW_REPLY_WINDOW_DAYS``.
- **Replies** (coordinators, while the window is open): a comment on a finding or on the report
  as a whole. The lead answers each: *accepted* (the rating or the finding changes, with the
  reason) or *maintained* (why). A coordinator may declare there are no more comments.
- **Final report** (lead): once the window has closed or the coordinator is done, and every
  comment is answered. The audit then awaits the certification decision.

Every step is checked, recorded in the history and refused out of order with a message (400).
The draft and the final report are rendered as the *audit report* on the reports pipeline.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent
from audits.permissions import audit_policy
from audits.services.seal import audit_locked
from institutions.models import Membership
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.models import (
    AuditorAssignment,
    ConsolidatedRating,
    EvidenceRequest,
    Finding,
    ReportComment,
    ReviewReport,
)
from reviews.rules import required_text
from standards.choices import Component, InterventionLevel

logger = logging.getLogger(__name__)

Stage = ReviewReport.Stage
Recommendation = ReviewReport.Recommendation
MAX_TEXT = 5000
LEVEL_ORDER = [level.value for level in InterventionLevel]
PENDING_REQUESTS = (EvidenceRequest.State.OPEN, EvidenceRequest.State.ANSWERED)


class RecommendationConflictError(ActionRefusedError):
    """The recommendation changed since the version the change was based on (409)."""

    def __init__(self, current: ReviewReport) -> None:
        self.current = current
        super().__init__(
            _(
                "The recommendation was changed elsewhere (now version %(version)s). Your text "
                "is kept below: compare, then save again."
            )
            % {"version": current.version}
        )


def review_report_of(audit: Audit) -> ReviewReport:
    """The audit's report course, unsaved (in preparation) until its first step."""
    existing = (
        ReviewReport.objects.for_institution(audit.institution_id).filter(audit=audit).first()
    )
    return existing or ReviewReport(institution_id=audit.institution_id, audit=audit)


def _locked(audit: Audit) -> ReviewReport:
    """The report course under a row lock (made on its first step). The caller holds the
    audit's lock, so two first steps cannot both make one."""
    report, _made = (
        ReviewReport.objects.for_institution(audit.institution_id)
        .select_for_update()
        .get_or_create(audit=audit, defaults={"institution_id": audit.institution_id})
    )
    report.audit = audit
    return report


def lead_required(audit: Audit, user: User, message: str) -> None:
    is_lead = (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(
            audit=audit,
            auditor=user,
            ended_at__isnull=True,
            role=AuditorAssignment.Role.LEAD,
            state=AuditorAssignment.State.ACCEPTED,
        )
        .exists()
    )
    if not is_lead:
        raise ActionForbiddenError(message)


def coordinator_required(audit: Audit, user: User, message: str) -> None:
    if audit_policy.dossier_role(user, audit) != Membership.Role.COORDINATOR:
        raise ActionForbiddenError(message)


def _stage_refusal(audit: Audit, doing: str) -> ActionRefusedError:
    return ActionRefusedError(
        _("The audit is %(stage)s: %(doing)s")
        % {"stage": audit.get_status_display().lower(), "doing": doing}
    )


def _record(
    audit: Audit, user: User, action: str, label: str, report: ReviewReport, **details: object
) -> None:
    audit_event_record(
        audit=audit,
        actor=user,
        action=action,
        object_label=label,
        review_only=not report.is_released,
        details={key: value for key, value in details.items() if value not in (None, "")},
    )


def level_choices(audit: Audit) -> list[tuple[str, str]]:
    """The levels a recommendation may name: up to the level applied for (Intervention)."""
    if audit.component != Component.INTERVENTION:
        return []
    top = LEVEL_ORDER.index(audit.target_level) if audit.target_level in LEVEL_ORDER else 2
    return [(value, str(InterventionLevel(value).label)) for value in LEVEL_ORDER[: top + 1]]


@transaction.atomic
def recommendation_set(
    *,
    audit: Audit,
    user: User,
    recommendation: str,
    level: str,
    reason: str,
    base_version: int | None,
) -> ReviewReport:
    """The lead records (or changes, until the final report) the recommendation."""
    audit = audit_locked(audit.pk)
    lead_required(audit, user, _("Only the lead auditor makes the recommendation."))
    if audit.status not in (Audit.Status.REVIEW_COMPLETE, Audit.Status.DRAFT_RELEASED):
        raise _stage_refusal(
            audit,
            _("the recommendation is made once the review is complete, until the final report."),
        )
    report = _locked(audit)
    if base_version is not None and base_version != report.version:
        raise RecommendationConflictError(report)
    if recommendation not in Recommendation.values:
        raise ActionRefusedError(
            _("Choose a recommendation: certify, certify on conditions or do not certify.")
        )
    levels = [value for value, _label in level_choices(audit)]
    if recommendation == Recommendation.DO_NOT_CERTIFY or not levels:
        if level:
            raise ActionRefusedError(_("A level goes only with a recommendation to certify."))
    elif level not in levels:
        raise ActionRefusedError(
            _("Choose the level to certify at: %(levels)s.")
            % {"levels": ", ".join(str(InterventionLevel(v).label) for v in levels)}
        )
    report.recommendation = recommendation
    report.recommended_level = level
    report.recommendation_reason = required_text(
        reason, missing=_("Give the grounds for the recommendation."), limit=MAX_TEXT
    )
    report.recommended_by_email = user.email
    report.recommended_at = timezone.now()
    report.version += 1
    report.save()
    _record(
        audit,
        user,
        AuditEvent.Action.RECOMMENDATION_SET,
        report.recommendation_label,
        report,
        recommendation=recommendation,
        level=level,
    )
    return report


def release_blockers(audit: Audit, report: ReviewReport) -> list[str]:
    """What stands between the review and the release of its draft report (empty: ready)."""
    scope = audit.institution_id
    blockers = []
    if audit.status != Audit.Status.REVIEW_COMPLETE:
        blockers.append(
            _("The draft has been released already.")
            if report.is_released
            else _("The review is not complete.")
        )
        return blockers
    ungraded = (
        Finding.objects.for_institution(scope)
        .filter(audit=audit, kind=Finding.Kind.NONCONFORMITY, grade="", withdrawn_at__isnull=True)
        .count()
    )
    if ungraded:
        blockers.append(
            _("%(count)s nonconformities are not graded yet.") % {"count": ungraded}
            if ungraded > 1
            else _("A nonconformity is not graded yet.")
        )
    if not report.recommendation:
        blockers.append(_("The lead auditor's recommendation is not recorded yet."))
    pending = (
        EvidenceRequest.objects.for_institution(scope)
        .filter(audit=audit, state__in=PENDING_REQUESTS)
        .count()
    )
    if pending:
        blockers.append(
            _("%(count)s evidence requests are still open or to check.") % {"count": pending}
        )
    return blockers


@transaction.atomic
def report_release(*, audit: Audit, user: User) -> ReviewReport:
    """The lead releases the draft report to the institution; the reply window opens."""
    audit = audit_locked(audit.pk)
    lead_required(audit, user, _("Only the lead auditor releases the draft report."))
    report = _locked(audit)
    if blockers := release_blockers(audit, report):
        raise ActionRefusedError(
            _("The draft cannot be released yet: %(blockers)s") % {"blockers": " ".join(blockers)}
        )
    now = timezone.now()
    report.stage = Stage.RELEASED
    report.released_at = now
    report.released_by_email = user.email
    report.reply_until = now + timedelta(days=settings.REVIEW_REPLY_WINDOW_DAYS)
    report.save()
    audit.status = Audit.Status.DRAFT_RELEASED
    audit.save(update_fields=["status"])
    _record(
        audit,
        user,
        AuditEvent.Action.REPORT_RELEASED,
        _("Comments until %(date)s")
        % {"date": f"{timezone.localtime(report.reply_until):%Y-%m-%d}"},
        report,
        reply_until=report.reply_until.isoformat(),
    )
    _render(audit, user)
    return report


def _render(audit: Audit, user: User) -> None:
    """Queue the audit report as it now stands (the draft at the release, the final report at
    the end). A version still pending is replaced: it may have read the stage before."""
    from reports.models import Report  # noqa: PLC0415 - reports build on reviews
    from reports.services import report_request  # noqa: PLC0415

    try:
        with transaction.atomic():
            report_request(audit=audit, user=user, kind=Report.Kind.AUDIT, supersede=True)
    except ActionRefusedError as exc:
        logger.info("audit %s: the audit report was not queued (%s)", audit.pk, exc.message)


def _finding_of(audit: Audit, finding_id: int | None) -> Finding | None:
    if finding_id is None:
        return None
    finding = (
        Finding.objects.for_institution(audit.institution_id)
        .filter(audit=audit, pk=finding_id)
        .select_related("assessment__standard")
        .first()
    )
    if finding is None:
        raise ActionRefusedError(_("That finding is not part of this audit."))
    return finding


@transaction.atomic
def report_comment_add(
    *, audit: Audit, user: User, text: str, finding_id: int | None = None
) -> ReportComment:
    """A coordinator comments on a finding, or on the report as a whole, while the window is
    open."""
    audit = audit_locked(audit.pk)
    coordinator_required(
        audit, user, _("The institution's coordinators comment on the draft report.")
    )
    report = _locked(audit)
    if not report.reply_open:
        raise ActionRefusedError(_reply_closed(report))
    finding = _finding_of(audit, finding_id)
    if finding is not None and finding.withdrawn_at is not None:
        raise ActionRefusedError(_("This finding has been withdrawn."))
    comment = ReportComment.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        finding=finding,
        text=required_text(text, missing=_("Write your comment."), limit=MAX_TEXT),
        author=user,
        author_email=user.email,
    )
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.REPORT_COMMENTED,
        object_label=finding.assessment.standard.code if finding else _("The report as a whole"),
        assessments=[finding.assessment] if finding else [],
        details={"comment": comment.pk},
    )
    return comment


def _reply_closed(report: ReviewReport) -> str:
    if report.stage == Stage.PREPARING:
        return _("The draft report has not been released yet.")
    if report.stage == Stage.FINAL:
        return _("The final report has been issued: the reply is over.")
    if report.replies_done_at is not None:
        return _("The institution declared it has no more comments.")
    return _("The reply window closed on %(date)s.") % {
        "date": f"{timezone.localtime(report.reply_until):%Y-%m-%d %H:%M}"
    }


@transaction.atomic
def report_comment_answer(
    *,
    comment: ReportComment,
    user: User,
    outcome: str,
    answer: str,
    rating: str = "",
    grade: str = "",
    withdraw: bool = False,
) -> ReportComment:
    """The lead answers a comment. *Maintained*: why. *Accepted*: why, and on a finding what
    changes (the standard's consolidated rating, the grade, or the finding withdrawn; a rating
    of met or not applicable withdraws the nonconformity)."""
    audit = audit_locked(comment.audit_id)
    lead_required(audit, user, _("Only the lead auditor answers the institution's comments."))
    report = _locked(audit)
    if report.stage != Stage.RELEASED:
        raise ActionRefusedError(_reply_closed(report))
    comment = (
        ReportComment.objects.for_institution(audit.institution_id)
        .select_for_update(of=("self",))
        .select_related("finding__assessment__standard")
        .get(pk=comment.pk)
    )
    if comment.outcome:
        raise ActionRefusedError(_("This comment has been answered already."))
    if outcome not in ReportComment.Outcome.values:
        raise ActionRefusedError(_("Answer with accepted or maintained."))
    answer = required_text(
        answer,
        missing=_("Say why the comment is accepted or why the finding is maintained."),
        limit=MAX_TEXT,
    )
    changes: dict[str, list[str] | bool] = {}
    if outcome == ReportComment.Outcome.ACCEPTED and comment.finding is not None:
        changes = _apply_changes(
            comment.finding, user, rating=rating, grade=grade, withdraw=withdraw
        )
    elif rating or grade or withdraw:
        raise ActionRefusedError(
            _("Only an accepted comment on a finding changes a rating or a finding.")
        )
    comment.outcome, comment.answer, comment.changes = outcome, answer, changes
    comment.answered_by_email = user.email
    comment.answered_at = timezone.now()
    comment.save()
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.COMMENT_ANSWERED,
        object_label=f"{comment.outcome_label}: "
        + (comment.finding.assessment.standard.code if comment.finding else _("the report")),
        assessments=[comment.finding.assessment] if comment.finding else [],
        details={"comment": comment.pk, "outcome": outcome, "changes": changes},
    )
    return comment


def _apply_changes(
    finding: Finding, user: User, *, rating: str, grade: str, withdraw: bool
) -> dict[str, list[str] | bool]:
    from audits.models import StandardAssessment  # noqa: PLC0415

    scope = finding.institution_id
    changes: dict[str, list[str] | bool] = {}
    if rating:
        if rating not in StandardAssessment.Rating.values:
            raise ActionRefusedError(_("Choose met, partially met, not met or not applicable."))
        consolidated = (
            ConsolidatedRating.objects.for_institution(scope)
            .select_for_update()
            .get(assessment_id=finding.assessment_id)
        )
        if consolidated.rating != rating:
            changes["rating"] = [consolidated.rating, rating]
            ConsolidatedRating.objects.for_institution(scope).filter(pk=consolidated.pk).update(
                rating=rating, version=F("version") + 1
            )
            if rating in (StandardAssessment.Rating.MET, StandardAssessment.Rating.NOT_APPLICABLE):
                withdraw = True
    if grade:
        if finding.kind != Finding.Kind.NONCONFORMITY or grade not in Finding.Grade.values:
            raise ActionRefusedError(_("Grade the nonconformity: major or minor."))
        if grade != finding.grade:
            changes["grade"] = [finding.grade, grade]
            finding.grade = grade
    if withdraw:
        changes["withdrawn"] = True
        finding.withdrawn_at = timezone.now()
    if not changes:
        raise ActionRefusedError(
            _(
                "An accepted comment changes the finding: a new rating, a new grade, or the "
                "finding withdrawn. To keep it as it is, answer maintained."
            )
        )
    finding.graded_by, finding.graded_by_email = user, user.email
    finding.version += 1
    finding.save()
    return changes


@transaction.atomic
def replies_done(*, audit: Audit, user: User) -> ReviewReport:
    """A coordinator declares the institution has no more comments: the window closes."""
    audit = audit_locked(audit.pk)
    coordinator_required(
        audit, user, _("The institution's coordinators speak for it on the draft report.")
    )
    report = _locked(audit)
    if not report.reply_open:
        raise ActionRefusedError(_reply_closed(report))
    report.replies_done_at = timezone.now()
    report.replies_done_by_email = user.email
    report.save(update_fields=["replies_done_at", "replies_done_by_email"])
    _record(audit, user, AuditEvent.Action.REPLIES_DONE, _("The reply is over"), report)
    return report


def finalise_blockers(audit: Audit, report: ReviewReport) -> list[str]:
    """What stands between the released draft and the final report (empty: ready)."""
    if report.stage != Stage.RELEASED:
        return [
            _("The draft report has not been released yet.")
            if report.stage == Stage.PREPARING
            else _("The final report has been issued already.")
        ]
    blockers = []
    if report.reply_open:
        blockers.append(
            _(
                "The reply window is open until %(date)s, unless the institution declares it "
                "has no more comments."
            )
            % {"date": f"{timezone.localtime(report.reply_until):%Y-%m-%d %H:%M}"}
        )
    unanswered = (
        ReportComment.objects.for_institution(audit.institution_id)
        .filter(audit=audit, outcome="")
        .count()
    )
    if unanswered:
        blockers.append(
            _("%(count)s comments of the institution are not answered yet.") % {"count": unanswered}
        )
    ungraded = (
        Finding.objects.for_institution(audit.institution_id)
        .filter(audit=audit, kind=Finding.Kind.NONCONFORMITY, grade="", withdrawn_at__isnull=True)
        .exists()
    )
    if ungraded:
        blockers.append(_("A nonconformity is not graded."))
    return blockers


@transaction.atomic
def report_finalise(*, audit: Audit, user: User) -> ReviewReport:
    """The lead issues the final report (with the reply thread): the audit awaits the decision."""
    audit = audit_locked(audit.pk)
    lead_required(audit, user, _("Only the lead auditor issues the final report."))
    report = _locked(audit)
    if blockers := finalise_blockers(audit, report):
        raise ActionRefusedError(
            _("The final report cannot be issued yet: %(blockers)s")
            % {"blockers": " ".join(blockers)}
        )
    report.stage = Stage.FINAL
    report.finalised_at = timezone.now()
    report.finalised_by_email = user.email
    report.save()
    audit.status = Audit.Status.FINAL_REPORT
    audit.save(update_fields=["status"])
    _record(audit, user, AuditEvent.Action.REPORT_FINALISED, report.recommendation_label, report)
    _render(audit, user)
    return report
