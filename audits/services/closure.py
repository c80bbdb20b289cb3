"""Closing an audit: every auditor's access to it ends."""

from django.db import transaction

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent
from audits.permissions import AuditAction, audit_policy
from rescue.errors import ActionRefusedError
from reviews.services.team import assignments_end_for_closure


@transaction.atomic
def audit_close(*, audit: Audit, closed_by: User) -> Audit:
    if not audit_policy.can(closed_by, AuditAction.CLOSE, audit):
        raise PermissionError(f"{closed_by} may not close audit {audit.pk}")
    audit = Audit.unscoped.select_for_update().get(pk=audit.pk)
    if audit.status == Audit.Status.CLOSED:
        raise ActionRefusedError("This audit is closed already.")
    audit.status = Audit.Status.CLOSED
    audit.save(update_fields=["status"])
    audit_event_record(audit=audit, actor=closed_by, action=AuditEvent.Action.CLOSED)
    assignments_end_for_closure(audit=audit, closed_by=closed_by)
    return audit
