"""Recording business events in an audit's history."""

from typing import Any

from accounts.models import User
from audits.models import Audit, AuditEvent


def audit_event_record(
    *,
    audit: Audit,
    actor: User | None,
    action: str,
    object_label: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        audit_label=f"{audit.get_component_display()} audit {audit.pk} of {audit.institution}",
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        object_label=object_label[:300],
        details=details or {},
    )
