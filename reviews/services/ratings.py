"""An auditor rating the standards of a dossier, and marking their review complete.

Every rating carries a version. A save names the version it was based on (0 for a first rating);
if the rating has moved on since (another tab, another device), the save is refused with the
current rating and changes nothing. The check and the write are one conditional UPDATE (or one
INSERT under the unique constraint), so of two saves based on the same version exactly one wins.
"""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services.seal import audit_locked
from evidence.models import EvidenceFile
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.models import AuditorAssignment, AuditorRating
from reviews.rules import rating_errors
from reviews.services.consolidation import consolidation_start_if_ready

MAX_RATIONALE = 20000
MAX_NOTES = 20000


class RatingConflictError(ActionRefusedError):
    """The rating changed since the version the save was based on (HTTP 409)."""

    def __init__(self, current: AuditorRating | None) -> None:
        self.current = current
        super().__init__(
            _(
                "This rating was changed elsewhere (now version %(version)s) after you opened "
                "it. Your text is kept below: compare, then save again."
            )
            % {"version": current.version if current else 0}
        )


def _require_rating_open(assignment: AuditorAssignment, user: User, audit: Audit) -> None:
    if assignment.auditor_id != user.pk or not assignment.is_active:
        raise ActionForbiddenError(_("Only the auditors on this audit's team rate it."))
    if assignment.state != AuditorAssignment.State.ACCEPTED:
        raise ActionRefusedError(_("Accept the review before you rate its standards."))
    if assignment.completed_at is not None:
        raise ActionRefusedError(
            _("You marked your review complete on %(date)s: its ratings no longer change.")
            % {"date": f"{timezone.localtime(assignment.completed_at):%d %B %Y}"}
        )
    if audit.status != Audit.Status.IN_REVIEW:
        raise ActionRefusedError(
            _("The audit is %(stage)s: ratings are given while it is in review.")
            % {"stage": audit.get_status_display().lower()}
        )


def rating_validate(
    *, audit: Audit, rating: str, rationale: str, evidence: Sequence[EvidenceFile]
) -> dict[str, str]:
    """Field → message for what a save would refuse (the form shows them beside the fields)."""
    errors = rating_errors(rating=rating, rationale=rationale)
    if len(rationale) > MAX_RATIONALE:
        errors["rationale"] = _("Keep the rationale under %(n)s characters.") % {"n": MAX_RATIONALE}
    if any(f.audit_id != audit.pk or f.deleted_at is not None for f in evidence):
        errors["evidence"] = _("Cite files of this dossier only.")
    return errors


@transaction.atomic
def rating_save(
    *,
    assignment: AuditorAssignment,
    assessment: StandardAssessment,
    user: User,
    rating: str,
    rationale: str = "",
    notes: str = "",
    evidence: Sequence[EvidenceFile] = (),
    base_version: int,
) -> AuditorRating:
    audit = assignment.audit
    if assessment.audit_id != audit.pk:
        raise ActionRefusedError(_("This standard is not part of this audit."))
    _require_rating_open(assignment, user, audit)
    if errors := rating_validate(
        audit=audit, rating=rating, rationale=rationale, evidence=evidence
    ):
        raise ActionRefusedError(" ".join(errors.values()))
    ratings = AuditorRating.objects.for_institution(audit.institution_id)
    values = {"rating": rating, "rationale": rationale.strip(), "notes": notes.strip()}
    if base_version == 0:
        saved = AuditorRating(
            institution_id=audit.institution_id,
            audit=audit,
            assignment=assignment,
            assessment=assessment,
            **values,
        )
        try:
            with transaction.atomic():
                saved.save()
        except IntegrityError:  # someone (another tab) rated it first
            raise RatingConflictError(
                ratings.filter(assignment=assignment, assessment=assessment).first()
            ) from None
    else:
        updated = ratings.filter(
            assignment=assignment, assessment=assessment, version=base_version
        ).update(version=F("version") + 1, updated_at=timezone.now(), **values)
        current = ratings.filter(assignment=assignment, assessment=assessment).first()
        if not updated or current is None:
            raise RatingConflictError(current)
        saved = current
    saved.evidence.set(evidence)
    # No history event per save: the rating's version and time are its record, and the
    # audit's history is read by the institution, which sees nothing of the review.
    return saved


@transaction.atomic
def review_complete(*, assignment: AuditorAssignment, user: User) -> AuditorAssignment:
    """The auditor is done: every standard rated. Their ratings are fixed from now on; once the
    whole team is done, the consolidation starts."""
    audit = audit_locked(assignment.audit_id)
    assignment = (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .select_for_update()
        .get(pk=assignment.pk)
    )
    assignment.audit = audit
    _require_rating_open(assignment, user, audit)
    rated = set(
        AuditorRating.objects.for_institution(audit.institution_id)
        .filter(assignment=assignment)
        .values_list("assessment_id", flat=True)
    )
    unrated = [
        code
        for pk, code in StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .order_by("standard__order")
        .values_list("pk", "standard__code")
        if pk not in rated
    ]
    if unrated:
        raise ActionRefusedError(
            _("Rate every standard first. Not rated yet: %(codes)s.")
            % {"codes": ", ".join(unrated)}
        )
    assignment.completed_at = timezone.now()
    assignment.save(update_fields=["completed_at"])
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.REVIEW_COMPLETED,
        review_only=True,
        object_label=assignment.auditor_email,
        details={"role": assignment.role},
    )
    consolidation_start_if_ready(audit=audit)
    return assignment
