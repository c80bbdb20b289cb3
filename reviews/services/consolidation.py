"""From the auditors' ratings to the team's: agreements consolidate by themselves, the lead
auditor decides each divergence with a reason. The auditors' own ratings are never changed.

The review is complete (audit status ``review_complete``) when every standard has a
consolidated rating.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services.seal import audit_locked
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.models import AuditorAssignment, AuditorRating, ConsolidatedRating
from reviews.rules import rating_errors
from reviews.services.findings import findings_from_consolidation

State = AuditorAssignment.State
Source = ConsolidatedRating.Source


class ConsolidationConflictError(ActionRefusedError):
    """The consolidated rating changed since the version the decision was based on (409)."""

    def __init__(self, current: ConsolidatedRating | None) -> None:
        self.current = current
        super().__init__(
            _(
                "This consolidated rating was changed elsewhere (now version %(version)s). Your "
                "text is kept below: compare, then save again."
            )
            % {"version": current.version if current else 0}
        )


def consolidation_start_if_ready(*, audit: Audit) -> bool:
    """Start the consolidation once every member of the team (with its lead) has completed.

    Called, under the audit's row lock, whenever a member completes, declines or leaves."""
    if audit.status != Audit.Status.IN_REVIEW:
        return False
    scope = audit.institution_id
    if ConsolidatedRating.objects.for_institution(scope).filter(audit=audit).exists():
        return False
    team = list(
        AuditorAssignment.objects.for_institution(scope).filter(audit=audit, ended_at__isnull=True)
    )
    lead = next((a for a in team if a.is_lead), None)
    if lead is None or any(a.state != State.ACCEPTED or a.completed_at is None for a in team):
        return False
    by_member: dict[int, dict[int, AuditorRating]] = {a.pk: {} for a in team}
    for rating in AuditorRating.objects.for_institution(scope).filter(assignment__in=team):
        by_member[rating.assignment_id][rating.assessment_id] = rating
    assessments = StandardAssessment.objects.for_institution(scope).filter(audit=audit)
    others = [a for a in team if a.pk != lead.pk]
    rows, divergent = [], 0
    for assessment in assessments:
        mine = by_member[lead.pk][assessment.pk]
        theirs = [by_member[a.pk][assessment.pk] for a in others]
        if not theirs:
            source, rating, rationale = Source.SINGLE, mine.rating, mine.rationale
        elif all(t.rating == mine.rating for t in theirs):
            source, rating, rationale = Source.AGREED, mine.rating, mine.rationale
        else:
            source, rating, rationale = Source.LEAD, "", ""
            divergent += 1
        rows.append(
            ConsolidatedRating(
                institution_id=scope,
                audit=audit,
                assessment=assessment,
                rating=rating,
                rationale=rationale,
                source=source,
            )
        )
    ConsolidatedRating.objects.bulk_create(rows)
    audit_event_record(
        audit=audit,
        actor=None,
        action=AuditEvent.Action.RATINGS_CONSOLIDATED,
        review_only=True,
        details={"standards": len(rows), "divergences": divergent, "auditors": len(team)},
    )
    if divergent == 0:
        _review_complete(audit)
    return True


def _review_complete(audit: Audit) -> None:
    """Every standard has the team's rating: the review is complete and each standard
    consolidated as partially met or not met becomes a nonconformity to grade."""
    audit.status = Audit.Status.REVIEW_COMPLETE
    audit.save(update_fields=["status"])
    findings_from_consolidation(audit=audit)


@transaction.atomic
def divergence_decide(
    *,
    consolidated: ConsolidatedRating,
    user: User,
    rating: str,
    rationale: str,
    reason: str,
    base_version: int,
) -> ConsolidatedRating:
    """The lead auditor sets the team's rating of a standard the auditors rated differently."""
    audit = audit_locked(consolidated.audit_id)
    scope = audit.institution_id
    lead = (
        AuditorAssignment.objects.for_institution(scope)
        .filter(audit=audit, ended_at__isnull=True, role=AuditorAssignment.Role.LEAD)
        .first()
    )
    if lead is None or lead.auditor_id != user.pk:
        raise ActionForbiddenError(_("Only the lead auditor decides the divergences."))
    if audit.status != Audit.Status.IN_REVIEW:
        raise ActionRefusedError(
            _("The audit is %(stage)s: the consolidation is over.")
            % {"stage": audit.get_status_display().lower()}
        )
    if consolidated.source != Source.LEAD:
        raise ActionRefusedError(_("The auditors agree on this standard: nothing to decide."))
    errors = list(rating_errors(rating=rating, rationale=rationale).values())
    if not reason.strip():
        errors.append(_("Say why you chose this rating over the other auditor's."))
    if errors:
        raise ActionRefusedError(" ".join(errors))
    rows = ConsolidatedRating.objects.for_institution(scope).filter(pk=consolidated.pk)
    updated = rows.filter(version=base_version).update(
        rating=rating,
        rationale=rationale.strip(),
        reason=reason.strip(),
        decided_by=user,
        decided_by_email=user.email,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    current = rows.select_related("assessment__standard").first()
    if not updated or current is None:
        raise ConsolidationConflictError(current)
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.CONSOLIDATION_DECIDED,
        review_only=True,
        object_label=current.assessment.standard.code,
    )
    if (
        not ConsolidatedRating.objects.for_institution(scope)
        .filter(audit=audit, rating="")
        .exists()
    ):
        _review_complete(audit)
    return current
