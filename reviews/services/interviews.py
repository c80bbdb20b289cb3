"""The assessment interview of a competences application: an auditor of the review team
records it while the review is open; it appears in the audit report."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services.seal import audit_locked
from rescue.errors import ActionRefusedError
from reviews.models import AssessmentInterview
from reviews.rules import required_text
from reviews.services.requests import team_member_required

MAX_TEXT = 5000
# The review is open: the team may still interview (not once the draft report is out).
OPEN = (Audit.Status.IN_REVIEW, Audit.Status.REVIEW_COMPLETE)


def interview_refusal(audit: Audit) -> str:
    """Why no interview can be recorded on this audit now ("" when one can)."""
    if not audit.is_application:
        return _("An assessment interview is part of the review of a competences application.")
    if audit.status not in OPEN:
        return _("The audit is %(stage)s: interviews are recorded while the review is open.") % {
            "stage": audit.get_status_display().lower()
        }
    return ""


@transaction.atomic
def interview_record(
    *,
    audit: Audit,
    user: User,
    held_on: date,
    mode: str,
    participants: str,
    competences: list[StandardAssessment],
    outcome: str,
) -> AssessmentInterview:
    """An auditor who accepted a place on the team records the interview."""
    audit = audit_locked(audit.pk)
    team_member_required(audit, user, _("The auditors on the review team record its interviews."))
    if refusal := interview_refusal(audit):
        raise ActionRefusedError(refusal)
    if mode not in AssessmentInterview.Mode.values:
        raise ActionRefusedError(_("Choose how the interview was held."))
    if held_on > timezone.localdate():
        raise ActionRefusedError(_("The interview's date is in the future."))
    if audit.submitted_at and held_on < timezone.localdate(audit.submitted_at):
        raise ActionRefusedError(_("The interview's date is before the application was submitted."))
    if not competences:
        raise ActionRefusedError(_("Choose the competences the interview assessed."))
    if any(c.audit_id != audit.pk for c in competences):
        raise ActionRefusedError(_("That competence is not part of this application."))
    interview = AssessmentInterview.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        held_on=held_on,
        mode=mode,
        participants=required_text(
            participants, missing=_("Say who took part in the interview."), limit=MAX_TEXT
        ),
        outcome=required_text(outcome, missing=_("Say what the interview showed."), limit=MAX_TEXT),
        recorded_by=user,
        recorded_by_email=user.email,
    )
    interview.competences.set(competences)
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.INTERVIEW_RECORDED,
        object_label=f"{held_on:%Y-%m-%d} {interview.mode_label}",
        assessments=competences,
        review_only=True,
        details={"interview": interview.pk},
    )
    return interview
