"""Who may ask for and download an audit's reports.

A report shows the whole dossier, so it follows the broadest evidence reach: the institution's
coordinators, the auditors assigned to the audit and ERNST admins. Contributors see only their
standards and get no report; everyone else does not see the audit at all (404).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from institutions.models import Membership
from institutions.permissions import institution_policy
from reports.models import Report


class ReportPolicy:
    def can(self, user: Any, audit: Audit) -> bool:
        if not audit_policy.can(user, AuditAction.VIEW, audit):
            return False
        return institution_policy.role(user, audit.institution_id) != Membership.Role.CONTRIBUTOR

    def reports_for(self, user: Any, audit: Audit) -> QuerySet[Report]:
        reports = Report.objects.for_institution(audit.institution_id).filter(audit=audit)
        return reports if self.can(user, audit) else reports.none()

    def get_or_404(self, user: Any, audit: Audit, report_id: int) -> Report:
        report = self.reports_for(user, audit).filter(pk=report_id).first()
        if report is None:
            raise Http404("No such report.")
        return report


report_policy = ReportPolicy()
