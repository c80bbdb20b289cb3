"""Findings: a nonconformity for each standard the team consolidated as partially met or not met,
graded major or minor by the lead auditor, and the observations the lead adds on any standard.

Findings are made when the review completes and worked on while it is complete (before the draft
report goes to the institution). Each change carries a version: a change based on an older one
is refused with the current finding (409), as for ratings.
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
from reviews.models import AuditorAssignment, ConsolidatedRating, Finding
from reviews.rules import required_text

MAX_STATEMENT = 5000
SHORT = ("partially_met", "not_met")


class FindingConflictError(ActionRefusedError):
    """The finding changed since the version the change was based on (409)."""

    def __init__(self, current: Finding) -> None:
        self.current = current
        super().__init__(
            _(
                "This finding was changed elsewhere (now version %(version)s). Your text is kept "
                "below: compare, then save again."
            )
            % {"version": current.version}
        )


def findings_from_consolidation(*, audit: Audit) -> int:
    """A nonconformity, not graded yet, for each standard consolidated as partially met or not
    met that has none (run when the review completes; running it again adds nothing)."""
    scope = audit.institution_id
    have = set(
        Finding.objects.for_institution(scope)
        .filter(audit=audit, kind=Finding.Kind.NONCONFORMITY)
        .values_list("assessment_id", flat=True)
    )
    short = (
        ConsolidatedRating.objects.for_institution(scope)
        .filter(audit=audit, rating__in=SHORT)
        .exclude(assessment_id__in=have)
    )
    made = Finding.objects.bulk_create(
        Finding(
            institution_id=scope,
            audit=audit,
            assessment_id=consolidated.assessment_id,
            kind=Finding.Kind.NONCONFORMITY,
            statement=consolidated.rationale,
        )
        for consolidated in short
    )
    return len(made)


def _lead_locked(audit_id: int, user: User) -> Audit:
    """The audit under its row lock, if the user leads its team and the review is complete."""
    audit = audit_locked(audit_id)
    lead = (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(audit=audit, ended_at__isnull=True, role=AuditorAssignment.Role.LEAD)
        .first()
    )
    if lead is None or lead.auditor_id != user.pk:
        raise ActionForbiddenError(
            _("Only the lead auditor grades findings and adds observations.")
        )
    if audit.status != Audit.Status.REVIEW_COMPLETE:
        raise ActionRefusedError(
            _("The audit is %(stage)s: findings are worked on once the review is complete.")
            % {"stage": audit.get_status_display().lower()}
        )
    return audit


def _statement_required(statement: str) -> str:
    return required_text(
        statement,
        missing=_("State what the finding is and the evidence for it."),
        limit=MAX_STATEMENT,
    )


@transaction.atomic
def finding_grade(
    *, finding: Finding, user: User, grade: str, statement: str, base_version: int
) -> Finding:
    """The lead auditor grades a nonconformity (major or minor) and states it; on an
    observation, only the statement changes."""
    audit = _lead_locked(finding.audit_id, user)
    statement = _statement_required(statement)
    if finding.kind == Finding.Kind.NONCONFORMITY and grade not in Finding.Grade.values:
        raise ActionRefusedError(_("Grade the nonconformity: major or minor."))
    if finding.kind == Finding.Kind.OBSERVATION and grade:
        raise ActionRefusedError(_("An observation is not graded."))
    now = timezone.now()
    changed = (
        Finding.objects.for_institution(audit.institution_id)
        .filter(pk=finding.pk, version=base_version)
        .update(
            grade=grade,
            statement=statement,
            graded_by=user,
            graded_by_email=user.email,
            graded_at=now,
            version=F("version") + 1,
        )
    )
    current = (
        Finding.objects.for_institution(audit.institution_id)
        .select_related("assessment__standard")
        .get(pk=finding.pk)
    )
    if not changed:
        raise FindingConflictError(current)
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.FINDING_GRADED,
        object_label=f"{current.assessment.standard.code}: {current.label}",
        assessments=[current.assessment],
        review_only=True,
        details={"finding": current.pk, "grade": grade, "version": current.version},
    )
    return current


@transaction.atomic
def observation_add(
    *, audit: Audit, assessment: StandardAssessment, user: User, statement: str
) -> Finding:
    """The lead auditor records an opportunity for improvement on a standard."""
    audit = _lead_locked(audit.pk, user)
    if assessment.audit_id != audit.pk:
        raise ActionRefusedError(_("That standard is not part of this audit."))
    finding = Finding.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        assessment=assessment,
        kind=Finding.Kind.OBSERVATION,
        statement=_statement_required(statement),
        graded_by=user,
        graded_by_email=user.email,
        graded_at=timezone.now(),
    )
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.OBSERVATION_ADDED,
        object_label=assessment.standard.code,
        assessments=[assessment],
        review_only=True,
        details={"finding": finding.pk},
    )
    return finding
