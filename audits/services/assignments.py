"""Writing audits: auditor assignments and closure."""

from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from accounts.permissions import is_auditor
from auditors.models import ConflictOfInterest
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, AuditorAssignment
from audits.permissions import AuditAction, audit_policy
from rescue.errors import ActionRefusedError

REVIEW_PERM = "audits.review_audit"


def _require(user: User, action: AuditAction, audit: Audit) -> None:
    if not audit_policy.can(user, action, audit):
        raise PermissionError(f"{user} may not {action} audit {audit.pk}")


@transaction.atomic
def auditor_assign(*, audit: Audit, auditor: User, assigned_by: User) -> AuditorAssignment:
    _require(assigned_by, AuditAction.ASSIGN_AUDITORS, audit)
    audit = Audit.unscoped.select_for_update().get(pk=audit.pk)
    if audit.status == Audit.Status.CLOSED:
        raise ActionRefusedError("This audit is closed; auditors can no longer be assigned.")
    if not is_auditor(auditor):
        raise ActionRefusedError(f"{auditor.email} is not in the auditor pool.")
    conflict = ConflictOfInterest.objects.filter(
        auditor=auditor, institution_id=audit.institution_id
    ).first()
    if conflict is not None:
        raise ActionRefusedError(
            f"{auditor.email} declared a conflict of interest with {audit.institution} on "
            f"{conflict.declared_at:%d %B %Y}: {conflict.reason}"
        )
    if (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(audit=audit, auditor=auditor, ended_at__isnull=True)
        .exists()
    ):
        raise ActionRefusedError(f"{auditor.email} is already assigned to this audit.")
    assignment = AuditorAssignment(
        institution_id=audit.institution_id,
        audit=audit,
        auditor=auditor,
        auditor_email=auditor.email,
        assigned_by=assigned_by,
    )
    assignment.full_clean()
    assignment.save()
    assign_perm(REVIEW_PERM, auditor, audit)
    audit_event_record(
        audit=audit,
        actor=assigned_by,
        action=AuditEvent.Action.AUDITOR_ASSIGNED,
        object_label=auditor.email,
    )
    return assignment


def _end(assignment: AuditorAssignment, *, ended_by: User | None, reason: str) -> None:
    assignment.ended_at = timezone.now()
    assignment.ended_by = ended_by
    assignment.end_reason = reason
    assignment.save(update_fields=["ended_at", "ended_by", "end_reason"])
    remove_perm(REVIEW_PERM, assignment.auditor, assignment.audit)
    audit_event_record(
        audit=assignment.audit,
        actor=ended_by,
        action=AuditEvent.Action.AUDITOR_REMOVED,
        object_label=assignment.auditor_email,
        details={"reason": reason},
    )


@transaction.atomic
def auditor_assignment_end(
    *, assignment: AuditorAssignment, ended_by: User, reason: str = "withdrawn"
) -> None:
    _require(ended_by, AuditAction.ASSIGN_AUDITORS, assignment.audit)
    if not assignment.is_active:
        raise ActionRefusedError("This assignment has already ended.")
    _end(assignment, ended_by=ended_by, reason=reason)


def assignments_end_for_conflict(*, auditor: User, institution_id: int) -> int:
    """End an auditor's active assignments at an institution they now declare a conflict with."""
    active = AuditorAssignment.objects.for_institution(institution_id).filter(
        auditor=auditor, ended_at__isnull=True
    )
    count = 0
    for assignment in active.select_related("audit", "auditor"):
        _end(assignment, ended_by=auditor, reason="conflict of interest declared")
        count += 1
    return count


@transaction.atomic
def audit_close(*, audit: Audit, closed_by: User) -> Audit:
    """Close an audit: every auditor's access to it ends."""
    _require(closed_by, AuditAction.CLOSE, audit)
    audit = Audit.unscoped.select_for_update().get(pk=audit.pk)
    if audit.status == Audit.Status.CLOSED:
        raise ActionRefusedError("This audit is closed already.")
    audit.status = Audit.Status.CLOSED
    audit.save(update_fields=["status"])
    audit_event_record(audit=audit, actor=closed_by, action=AuditEvent.Action.CLOSED)
    for assignment in (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(audit=audit, ended_at__isnull=True)
        .select_related("audit", "auditor")
    ):
        _end(assignment, ended_by=closed_by, reason="audit closed")
    return audit
