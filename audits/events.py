"""Recording business events in an audit's history."""

from collections.abc import Iterable
from typing import Any

from accounts.models import User
from audits.models import Audit, AuditEvent, StandardAssessment


def audit_event_record(
    *,
    audit: Audit,
    actor: User | None,
    action: str,
    object_label: str = "",
    details: dict[str, Any] | None = None,
    assessments: Iterable[StandardAssessment] = (),
    review_only: bool = False,
) -> AuditEvent:
    """One event; ``assessments`` are the standards it is about (none for the whole audit)."""
    event = AuditEvent.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        audit_label=f"{audit.get_component_display()} audit {audit.pk} of {audit.institution}",
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        object_label=object_label[:300],
        details=details or {},
        review_only=review_only,
    )
    if assessments := list(assessments):
        event.assessments.set(assessments)
    return event
