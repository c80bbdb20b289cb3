"""Who may ask for and download an audit's reports, of each kind.

The *dossier report* shows the whole dossier, so it follows the broadest evidence reach: the
institution's coordinators, the auditors assigned to the audit and ERNST admins. Contributors see
only their standards and get no report.

The *audit report* shows the review's outcome (reviews/models.py, ``ReviewReport``): the review
team (an accepted place) and ERNST admins read it; the institution's coordinators only once the
lead auditor has released the draft, and then only the audit reports asked for from the release
on (a preview the team rendered before it is never theirs). Contributors never. It is made once
the review is complete (``AUDIT_REPORT_STATUSES``, refused before by ``report_request``).

The *decision letter* (certification/models.py, ``Decision``): ERNST admins; the review team
(an accepted place, as for the audit report); the institution's coordinators once the decision
is taken. It is made once the decision is taken (refused before by ``report_request``).

The *certificate PDF* (``Certificate``): ERNST admins and the coordinators of the institution
the certificate is of; not the review team.

Contributors get none of them. Everyone else does not see the audit at all (404).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.permissions import is_platform_admin
from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from certification.models import Decision
from institutions.models import Membership
from reports.models import Report
from rescue.memo import memoized
from reviews.models import AuditorAssignment
from reviews.services.report import review_report_of

# The audit's stages from which an audit report can be made: the review is complete.
AUDIT_REPORT_STATUSES = frozenset(
    {
        Audit.Status.REVIEW_COMPLETE,
        Audit.Status.DRAFT_RELEASED,
        Audit.Status.FINAL_REPORT,
        Audit.Status.DECIDED,
        Audit.Status.CLOSED,
    }
)

# Why someone who sees the audit gets no audit report (the pages' and the API's 403).
AUDIT_REPORT_REFUSAL = _(
    "The audit report reaches the institution's coordinators when the lead auditor releases the "
    "draft; until then only the review team and ERNST read it."
)


@dataclass(frozen=True)
class AuditReportReach:
    """A user's reach over an audit's audit reports: all of them (``since`` None), or those
    asked for from ``since`` on (the institution: from the release of the draft)."""

    since: datetime | None = None


class ReportPolicy:
    def can(self, user: Any, audit: Audit, kind: str = Report.Kind.DOSSIER) -> bool:
        """Whether the user may ask for (and read) reports of ``kind`` about the audit."""
        if not audit_policy.can(user, AuditAction.VIEW, audit):
            return False
        if audit_policy.dossier_role(user, audit) == Membership.Role.CONTRIBUTOR:
            return False
        if kind == Report.Kind.DOSSIER:
            return True
        if kind == Report.Kind.AUDIT:
            return self.audit_report_reach(user, audit) is not None
        return self._reads_decision_document(user, audit, kind)

    def _reads_decision_document(self, user: Any, audit: Audit, kind: str) -> bool:
        """The decision letter and the certificate PDF (of a user who sees the audit and is no
        contributor)."""
        if kind not in (Report.Kind.DECISION, Report.Kind.CERTIFICATE):
            return False
        if is_platform_admin(user):
            return True
        role = audit_policy.dossier_role(user, audit)
        if kind == Report.Kind.CERTIFICATE:
            return role == Membership.Role.COORDINATOR
        if role is None:  # an auditor: on the review team, as for the audit report
            return self.audit_report_reach(user, audit) is not None
        return role == Membership.Role.COORDINATOR and self.decided(audit)

    @staticmethod
    def decided(audit: Audit) -> bool:
        """Whether the certification decision on the audit is taken (asked once per request)."""
        return memoized(
            ("audit-decided", audit.pk, audit.status),
            lambda: (
                Decision.objects.for_institution(audit.institution_id).filter(audit=audit).exists()
            ),
        )

    def audit_report_reach(self, user: Any, audit: Audit) -> AuditReportReach | None:
        """None when the user reads no audit report of this audit (asked once per request)."""
        if not audit_policy.can(user, AuditAction.VIEW, audit):
            return None
        key = ("audit-report-reach", user.pk, audit.pk, audit.status)
        return memoized(key, lambda: self._audit_report_reach(user, audit))

    @staticmethod
    def _audit_report_reach(user: Any, audit: Audit) -> AuditReportReach | None:
        if is_platform_admin(user):
            return AuditReportReach()
        role = audit_policy.dossier_role(user, audit)
        if role is None:  # an auditor: an accepted place on the team (the review grant is held)
            on_team = (
                AuditorAssignment.objects.for_institution(audit.institution_id)
                .filter(
                    audit=audit,
                    auditor_id=user.pk,
                    ended_at__isnull=True,
                    state=AuditorAssignment.State.ACCEPTED,
                )
                .exists()
            )
            return AuditReportReach() if on_team else None
        if role != Membership.Role.COORDINATOR or audit.status not in AUDIT_REPORT_STATUSES:
            return None
        review = review_report_of(audit)
        if not review.is_released or review.released_at is None:
            return None
        return AuditReportReach(since=review.released_at)

    @staticmethod
    def audit_report_released(audit: Audit) -> bool:
        """Whether the audit's draft report has been released to the institution."""
        return audit.status in AUDIT_REPORT_STATUSES and review_report_of(audit).is_released

    def reports_for(self, user: Any, audit: Audit) -> QuerySet[Report]:
        """The audit's reports the user may list and download, of every kind."""
        reports = Report.objects.for_institution(audit.institution_id).filter(audit=audit)
        if not self.can(user, audit):
            return reports.none()
        visible = Q(kind=Report.Kind.DOSSIER)
        reach = (
            self.audit_report_reach(user, audit) if audit.status in AUDIT_REPORT_STATUSES else None
        )
        if reach is not None:
            audit_reports = Q(kind=Report.Kind.AUDIT)
            if reach.since is not None:
                audit_reports &= Q(requested_at__gte=reach.since)
            visible |= audit_reports
        if self.can(user, audit, Report.Kind.DECISION):
            visible |= Q(kind=Report.Kind.DECISION)
        if self.can(user, audit, Report.Kind.CERTIFICATE):
            # The certificates of the audit's institution (as every one of the audit's is).
            visible |= Q(
                kind=Report.Kind.CERTIFICATE, certificate__institution_id=audit.institution_id
            )
        return reports.filter(visible)

    def get_or_404(self, user: Any, audit: Audit, report_id: int) -> Report:
        report = self.reports_for(user, audit).filter(pk=report_id).first()
        if report is None:
            raise Http404("No such report.")
        return report


report_policy = ReportPolicy()
