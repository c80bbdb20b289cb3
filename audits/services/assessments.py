"""The self-assessment of a standard, and who works on it."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import AuditEvent, StandardAssessment
from audits.permissions import AssessmentAction, assessment_policy
from audits.services.seal import DossierSealedError, audit_lock_open
from institutions.models import Membership
from rescue.errors import ActionRefusedError


def _require(user: User, action: AssessmentAction, assessment: StandardAssessment) -> None:
    if not assessment_policy.can(user, action, assessment):
        if assessment.audit.is_sealed:
            raise DossierSealedError
        raise PermissionError(f"{user} may not {action} {assessment}")
    audit_lock_open(audit=assessment.audit)


@transaction.atomic
def assessment_self_rate(
    *,
    assessment: StandardAssessment,
    user: User,
    self_rating: str,
    narrative: str = "",
    justification: str = "",
) -> StandardAssessment:
    _require(user, AssessmentAction.EDIT, assessment)
    if self_rating not in StandardAssessment.Rating.values:
        raise ActionRefusedError(_("Choose met, partially met, not met or not applicable."))
    if self_rating == StandardAssessment.Rating.NOT_APPLICABLE and assessment.audit.is_application:
        raise ActionRefusedError(
            _("Every competence applies to a peer supporter: choose met, partially met or not met.")
        )
    if self_rating == StandardAssessment.Rating.NOT_APPLICABLE and not justification.strip():
        raise ActionRefusedError(_("Say why the standard does not apply to your institution."))
    assessment.self_rating = self_rating
    assessment.narrative = narrative.strip()
    assessment.justification = justification.strip()
    assessment.copied_at = None  # a renewal's copied draft, now the coordinator's own
    assessment.updated_by = user
    assessment.full_clean()
    assessment.save()
    audit_event_record(
        audit=assessment.audit,
        actor=user,
        action=AuditEvent.Action.SELF_RATED,
        object_label=f"{assessment.standard.code} {assessment.standard.title}",
        details={"rating": self_rating},
        assessments=[assessment],
    )
    return assessment


@transaction.atomic
def assessment_assignees_set(
    *, assessment: StandardAssessment, user: User, assignees: Iterable[User]
) -> StandardAssessment:
    _require(user, AssessmentAction.ASSIGN, assessment)
    assignees = list(assignees)
    members = set(
        Membership.objects.filter(
            institution_id=assessment.institution_id,
            user__in=assignees,
            role__in=Membership.DOSSIER_ROLES,
        ).values_list("user_id", flat=True)
    )
    outsiders = [a.email for a in assignees if a.pk not in members]
    if outsiders:
        raise ActionRefusedError(
            _("Not a coordinator or contributor of the institution: %(people)s.")
            % {"people": ", ".join(outsiders)}
        )
    assessment.assignees.set(assignees)
    audit_event_record(
        audit=assessment.audit,
        actor=user,
        action=AuditEvent.Action.ASSIGNEES_CHANGED,
        object_label=assessment.standard.code,
        details={"assignees": sorted(a.email for a in assignees)},
        assessments=[assessment],
    )
    return assessment
