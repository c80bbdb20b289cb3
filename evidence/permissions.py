"""Who may see and change evidence files.

Whoever may see an audit's standards sees the evidence linked to them: coordinators, assigned
auditors and ERNST admins every file; a contributor the files linked to their standards and the
files they uploaded. Changing evidence follows the assessment policy and stops at submission; a
contributor changes only the files that support their own standards and no others.
"""

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from audits.models import Audit, StandardAssessment
from audits.permissions import AssessmentAction, assessment_policy, audit_policy
from evidence.models import EvidenceFile
from institutions.models import Membership


class EvidenceAction(StrEnum):
    VIEW = "view"  # see and download
    CHANGE = "change"  # replace, delete, link, unlink, review flags


class EvidencePolicy:
    def files_for(self, user: Any, action: EvidenceAction, audit: Audit) -> QuerySet[EvidenceFile]:
        files = EvidenceFile.objects.for_institution(audit.institution_id).filter(
            audit=audit, deleted_at__isnull=True
        )
        if action == EvidenceAction.CHANGE and audit.is_sealed:
            return files.none()
        assessment_action = (
            AssessmentAction.VIEW if action == EvidenceAction.VIEW else AssessmentAction.EDIT
        )
        if audit_policy.dossier_role(user, audit) == Membership.Role.CONTRIBUTOR:
            reachable = assessment_policy.assessments_for(user, assessment_action, audit)
            if action == EvidenceAction.VIEW:
                return files.filter(
                    Q(links__assessment__in=reachable.values("pk")) | Q(created_by=user)
                ).distinct()
            # Replacing or removing a file changes every standard it supports: a contributor
            # changes only files that support none but their own standards.
            others = (
                StandardAssessment.objects.for_institution(audit.institution_id)
                .filter(audit=audit)
                .exclude(pk__in=reachable.values("pk"))
            )
            return (
                files.filter(links__assessment__in=reachable.values("pk"))
                .exclude(links__assessment__in=others.values("pk"))
                .distinct()
            )
        # Anyone else reaches every standard of the audit or none (assessment_policy._reach).
        return (
            files
            if assessment_policy.reaches_every_standard(user, audit, assessment_action)
            else files.none()
        )

    def changes_every_file(self, user: Any, audit: Audit) -> bool:
        """Whether ``files_for(user, CHANGE, audit)`` is every live file of the audit: whoever
        may edit every standard of it (a coordinator, while it is open; a contributor edits only
        their own). Answered without a query, so that a page need not ask which of its files
        the user may change."""
        return assessment_policy.reaches_every_standard(user, audit, AssessmentAction.EDIT)

    def get_or_404(
        self, user: Any, action: EvidenceAction, audit: Audit, evidence_id: int
    ) -> EvidenceFile:
        evidence = (
            self.files_for(user, action, audit)
            .select_related("current_revision")
            .filter(pk=evidence_id)
            .first()
        )
        if evidence is None:
            raise Http404("No such file.")
        return evidence


evidence_policy = EvidencePolicy()
