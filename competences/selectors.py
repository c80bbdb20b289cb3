"""Reading competences applications as far as a user follows them: who applied, the stage, the
endorsement and the outcome; never a self-assessment, a narrative or a file."""

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from certification.models import Decision
from institutions.models import Institution


def with_outcome(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """The applications with their applicant, and their decision's ``outcome`` and
    ``decided_at`` once decided (None before)."""
    decisions = Decision.unscoped.filter(audit=OuterRef("pk"))
    return audits.select_related("applicant", "institution", "catalogue_version").annotate(
        outcome=Subquery(decisions.values("outcome")[:1]),
        decided_at=Subquery(decisions.values("decided_at")[:1]),
    )


def applications_followed(user: Any, institution: Institution) -> QuerySet[Audit]:
    """The institution's competences applications that the user follows (its coordinators and
    ERNST admins; an applicant their own), the latest first."""
    followed = audit_policy.audits_for(user, AuditAction.FOLLOW).filter(
        institution=institution, applicant__isnull=False
    )
    return with_outcome(followed).order_by("-created_at", "-pk")


def application_or_404(user: Any, action: AuditAction, audit_id: int) -> Audit:
    """A competences application with its outcome, if the user may do ``action`` on it (an
    institution's audit is no application: 404)."""
    audit = audit_policy.get_or_404(user, action, audit_id)
    if not audit.is_application:
        raise Http404("No such application.")
    return with_outcome(Audit.unscoped.filter(pk=audit.pk)).get()


def outcome_label(audit: Audit) -> str:
    """The decision's outcome of an application read through ``with_outcome`` ("" before)."""
    outcome = getattr(audit, "outcome", None)
    return str(Decision.Outcome(outcome).label) if outcome else ""
