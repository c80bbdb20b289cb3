"""Who reaches an audit's review, and which auditor ratings they see.

ERNST admins reach every review and see every rating. An auditor reaches the review of an audit
while they hold a place on its team (the django-guardian ``review_audit`` permission, kept in step
with the assignment); a declined, withdrawn or never-assigned auditor gets a 404. Members of the
institution see the audit but no rating, rationale or note: the review pages answer them 403.

The blind rule: until every member of a two-auditor team has marked their review complete (the
consolidation has started), an auditor sees their own ratings only.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.permissions import PERM_ASSIGN_AUDITOR
from audits.models import Audit, AuditUserObjectPermission
from audits.permissions import AuditAction, audit_policy
from institutions.models import Membership
from reviews.models import (
    AuditorAssignment,
    AuditorRating,
    ConsolidatedRating,
    EvidenceRequest,
    ReviewReport,
)

State = AuditorAssignment.State


@dataclass(frozen=True)
class ReviewAccess:
    audit: Audit
    assignment: AuditorAssignment | None  # the user's place on the team; None for an ERNST admin
    is_admin: bool

    @property
    def is_lead(self) -> bool:
        return self.assignment is not None and self.assignment.is_lead

    @property
    def has_accepted(self) -> bool:
        return self.assignment is not None and self.assignment.state == State.ACCEPTED

    @property
    def can_rate(self) -> bool:
        return (
            self.has_accepted
            and self.assignment is not None
            and self.assignment.completed_at is None
            and self.audit.status == Audit.Status.IN_REVIEW
        )


def team_active(audit: Audit) -> QuerySet[AuditorAssignment]:
    return AuditorAssignment.objects.for_institution(audit.institution_id).filter(
        audit=audit, ended_at__isnull=True
    )


def blind_lifted(audit: Audit) -> bool:
    """Every member has completed and the consolidation has started (or is over)."""
    return (
        ConsolidatedRating.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .exists()
    )


class ReviewPolicy:
    def access_or_404(self, user: Any, audit_id: int) -> ReviewAccess:
        if user.is_authenticated and user.has_perm(PERM_ASSIGN_AUDITOR):
            audit = audit_policy.get_or_404(user, AuditAction.VIEW, audit_id)
            return ReviewAccess(audit=audit, assignment=None, is_admin=True)
        # One query: the user's place on the team of an audit not closed, and the object
        # permission that goes with it (the two are kept in step; both must hold).
        holds_permission = AuditUserObjectPermission.objects.filter(
            content_object_id=OuterRef("audit_id"),
            user_id=OuterRef("auditor_id"),
            permission__codename="review_audit",
        )
        assignment = (
            # Across institutions on purpose: the user's own place, found by its audit's id.
            AuditorAssignment.unscoped.filter(
                audit_id=audit_id, auditor_id=user.pk, ended_at__isnull=True
            )
            .exclude(audit__status=Audit.Status.CLOSED)
            .filter(Exists(holds_permission))
            .select_related("audit__institution", "audit__catalogue_version")
            .defer("audit__manifest")  # the sealed manifest is read only to verify it
            .first()
            if user.is_authenticated and user.is_active
            else None
        )
        if assignment is None:
            # Members of the institution see the audit and are told who reviews it (403);
            # anyone else finds nothing (404).
            audit_policy.get_or_404(user, AuditAction.REVIEW, audit_id)
            raise Http404("No such audit.")
        return ReviewAccess(audit=assignment.audit, assignment=assignment, is_admin=False)

    def own_place_or_404(self, user: Any, assignment_id: int) -> AuditorAssignment:
        """The user's own place on a team (to answer an invitation); anyone else's is 404."""
        place = (
            # Across institutions on purpose: the user's own place, wherever the audit is.
            AuditorAssignment.unscoped.filter(
                pk=assignment_id, auditor_id=user.pk, ended_at__isnull=True
            )
            .select_related("audit__institution", "audit__catalogue_version")
            .first()
        )
        if place is None:
            raise Http404("No such review.")
        return place

    def ratings_visible(
        self, access: ReviewAccess, *, lifted: bool | None = None
    ) -> QuerySet[AuditorRating]:
        """The auditor ratings of the audit that this user may read. ``lifted`` is
        ``blind_lifted(audit)`` when the caller has read the consolidation already."""
        audit = access.audit
        ratings = AuditorRating.objects.for_institution(audit.institution_id).filter(audit=audit)
        if access.is_admin:
            return ratings
        if access.assignment is None:
            return ratings.none()
        if blind_lifted(audit) if lifted is None else lifted:
            return ratings.filter(assignment__in=team_active(audit).values("pk"))
        return ratings.filter(assignment=access.assignment)


def rate_refusal(access: ReviewAccess) -> str:
    """Why this user may not rate (the 403's message)."""
    if access.is_admin or access.assignment is None:
        return _("ERNST administrators read the review; the assigned auditors rate.")
    if not access.has_accepted:
        return _("Accept the review on My reviews before you rate its standards.")
    if access.assignment.completed_at is not None:
        return _("You marked your review complete: its ratings no longer change.")
    return _("The audit is %(stage)s: ratings are given while it is in review.") % {
        "stage": access.audit.get_status_display().lower()
    }


def consolidation_require(access: ReviewAccess) -> None:
    """403, saying why, unless this user may see the consolidation (pages and API alike)."""
    if not (access.is_admin or access.has_accepted):
        raise PermissionDenied(_("Accept the review on My reviews first."))
    if not blind_lifted(access.audit):
        raise PermissionDenied(
            _(
                "The consolidation starts once every auditor on the team has marked their review "
                "complete; until then each auditor sees their own ratings only."
            )
        )


review_policy = ReviewPolicy()


def evidence_requests_for(user: Any, audit: Audit) -> QuerySet[EvidenceRequest]:
    """The evidence requests of an audit the user reaches (the caller has checked that the user
    sees the audit): all of them for its review team, ERNST and the institution's coordinators;
    a contributor, those on a standard assigned to them; nobody else any."""
    requests = EvidenceRequest.objects.for_institution(audit.institution_id).filter(audit=audit)
    capabilities = audit_policy.capabilities(user, audit)
    if not capabilities[AuditAction.VIEW]:
        return requests.none()
    role = audit_policy.dossier_role(user, audit)
    if role == Membership.Role.CONTRIBUTOR:
        return requests.filter(assessments__assignees=user).distinct()
    return requests


def evidence_request_or_404(user: Any, audit: Audit, request_id: int) -> EvidenceRequest:
    request = (
        evidence_requests_for(user, audit)
        .filter(pk=request_id)
        .prefetch_related("assessments__standard", "answers__files__current_revision")
        .first()
    )
    if request is None:
        raise Http404("No such evidence request.")
    request.audit = audit
    return request


@dataclass(frozen=True)
class OutcomeAccess:
    """Who reads the released outcome of a review, and what they may do with it."""

    audit: Audit
    report: ReviewReport
    is_coordinator: bool


def outcome_access_or_404(user: Any, audit_id: int) -> OutcomeAccess:
    """The released review outcome (consolidated ratings, rationales, findings, plans, the reply
    thread) for the institution's coordinators; the review team and ERNST read it too. Before
    the release, and for contributors, a 403 that says why; anyone who does not see the audit,
    a 404."""
    from reviews.services.report import review_report_of  # noqa: PLC0415 - services use this

    audit = audit_policy.get_or_404(user, AuditAction.VIEW, audit_id)
    role = audit_policy.dossier_role(user, audit)
    if role == Membership.Role.CONTRIBUTOR:
        raise PermissionDenied(_("The review's outcome goes to the institution's coordinators."))
    report = review_report_of(audit)
    if not report.is_released:
        raise PermissionDenied(
            _(
                "The review's outcome reaches the institution when the lead auditor releases the "
                "draft report."
            )
        )
    return OutcomeAccess(
        audit=audit, report=report, is_coordinator=role == Membership.Role.COORDINATOR
    )


def outcome_visible(user: Any, audit: Audit) -> bool:
    """Whether the user reads the audit's review outcome (a member of the institution: only once
    the draft is released; a coordinator only)."""
    from reviews.services.report import review_report_of  # noqa: PLC0415

    role = audit_policy.dossier_role(user, audit)
    if role is None:
        return audit_policy.can(user, AuditAction.VIEW, audit)
    return role == Membership.Role.COORDINATOR and review_report_of(audit).is_released
