"""Forming an audit's review team: assigning, answering, withdrawing and replacing auditors.

Every change holds the audit's row lock, records a history event and grants or removes the
django-guardian ``review_audit`` permission in the same transaction.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import User
from accounts.permissions import is_auditor
from auditors.models import AuditorProfile, ConflictOfInterest
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent
from audits.permissions import PERM_REVIEW_AUDIT, AuditAction, audit_policy
from audits.services.seal import audit_locked
from institutions.models import Membership
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.models import AuditorAssignment
from reviews.permissions import team_active
from reviews.rules import candidate_refusals
from reviews.services.consolidation import consolidation_start_if_ready

Role = AuditorAssignment.Role
State = AuditorAssignment.State
# A team is formed for a sealed dossier, and changed until the review is complete.
TEAM_OPEN = (Audit.Status.SUBMITTED, Audit.Status.IN_REVIEW)


def _require_admin(user: User, audit: Audit) -> None:
    if not audit_policy.can(user, AuditAction.ASSIGN_AUDITORS, audit):
        raise ActionForbiddenError(_("Only ERNST administrators assign and withdraw auditors."))


def _require_team_open(audit: Audit) -> None:
    if audit.status == Audit.Status.DRAFT:
        raise ActionRefusedError(
            _("The dossier is still in preparation: a review team is formed once it is submitted.")
        )
    if audit.status not in TEAM_OPEN:
        raise ActionRefusedError(
            _("The review of this audit is %(stage)s: its team can no longer change.")
            % {"stage": audit.get_status_display().lower()}
        )


def _override_needed(audit: Audit, auditor: User, override_reason: str) -> str:
    """The override reason to record ("" when none is needed); refuses a conflict of interest,
    a member of the institution, and a missing qualification without a reason."""
    profile = AuditorProfile.objects.filter(user=auditor).first()
    refusals = candidate_refusals(
        audit=audit,
        auditor_email=auditor.email,
        conflict=ConflictOfInterest.objects.filter(
            auditor=auditor, institution_id=audit.institution_id
        ).first(),
        is_member=Membership.objects.filter(
            user=auditor, institution_id=audit.institution_id
        ).exists(),
        components=profile.components if profile else [],
    )
    if blocking := [r for r in refusals if not r.overridable]:
        raise ActionRefusedError(" ".join(r.message for r in blocking))
    override_reason = override_reason.strip()
    if refusals and not override_reason:
        raise ActionRefusedError(
            " ".join(r.message for r in refusals)
            + " "
            + _("To assign them all the same, give the reason for the override.")
        )
    return override_reason if refusals else ""


def _require_free_place(active: list[AuditorAssignment], auditor: User, role: str) -> None:
    if any(a.auditor_id == auditor.pk for a in active):
        raise ActionRefusedError(
            _("%(auditor)s is already on this audit's team.") % {"auditor": auditor.email}
        )
    holder = next((a for a in active if a.role == role), None)
    if holder is not None:
        raise ActionRefusedError(
            _("%(auditor)s holds the %(role)s place: replace or withdraw them first.")
            % {"auditor": holder.auditor_email, "role": Role(role).label.lower()}
        )
    if role == Role.SECOND and not any(a.role == Role.LEAD for a in active):
        raise ActionRefusedError(_("Assign the lead auditor first."))


@transaction.atomic
def team_assign(
    *,
    audit: Audit,
    auditor: User,
    role: str,
    assigned_by: User,
    due_on: date | None = None,
    override_reason: str = "",
    replacing: AuditorAssignment | None = None,
) -> AuditorAssignment:
    """Give ``auditor`` the ``role`` on the audit's team (replacing its holder if asked)."""
    _require_admin(assigned_by, audit)
    audit = audit_locked(audit.pk)
    _require_team_open(audit)
    if not is_auditor(auditor):
        raise ActionRefusedError(
            _("%(auditor)s is not in the auditor pool.") % {"auditor": auditor.email}
        )
    if role not in Role.values:
        raise ActionRefusedError(_("Choose the lead or the second auditor's place."))
    if due_on is not None and due_on < timezone.localdate():
        raise ActionRefusedError(_("The due date is in the past."))
    override = _override_needed(audit, auditor, override_reason)
    active = list(team_active(audit).select_related("auditor"))
    if replacing is not None:
        if replacing.pk not in {a.pk for a in active}:
            raise ActionRefusedError(_("The auditor you are replacing is no longer on the team."))
        _end(replacing, ended_by=assigned_by, state=State.WITHDRAWN, reason="replaced")
        active = [a for a in active if a.pk != replacing.pk]
        role = replacing.role
    _require_free_place(active, auditor, role)
    if due_on is None:  # the team shares the due date of its first member
        due_on = next((a.due_on for a in active if a.due_on), None)
    assignment = AuditorAssignment(
        institution_id=audit.institution_id,
        audit=audit,
        auditor=auditor,
        auditor_email=auditor.email,
        role=role,
        due_on=due_on,
        qualification_override=override,
        assigned_by=assigned_by,
    )
    assignment.full_clean()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # a concurrent assignment took the place first
        raise ActionRefusedError(_("This place on the review team was just taken.")) from exc
    assign_perm(PERM_REVIEW_AUDIT, auditor, audit)
    details = {"role": role, "due_on": due_on.isoformat() if due_on else None}
    if assignment.qualification_override:
        details["qualification_override"] = assignment.qualification_override
    audit_event_record(
        audit=audit,
        actor=assigned_by,
        action=AuditEvent.Action.AUDITOR_ASSIGNED,
        object_label=auditor.email,
        details=details,
    )
    return assignment


def _own_assignment(assignment: AuditorAssignment, user: User) -> AuditorAssignment:
    locked = (
        AuditorAssignment.objects.for_institution(assignment.institution_id)
        .select_for_update()
        .select_related("audit__institution", "audit__catalogue_version")
        .get(pk=assignment.pk)
    )
    if locked.auditor_id != user.pk:
        raise ActionForbiddenError(_("Only the invited auditor answers the invitation."))
    return locked


@transaction.atomic
def assignment_accept(*, assignment: AuditorAssignment, user: User) -> AuditorAssignment:
    """The auditor takes the review on; the first acceptance puts the audit in review."""
    audit = audit_locked(assignment.audit_id)
    assignment = _own_assignment(assignment, user)
    if assignment.state != State.INVITED:
        raise ActionRefusedError(
            _("You have already answered: %(state)s.")
            % {"state": assignment.get_state_display().lower()}
        )
    _require_team_open(audit)
    assignment.state = State.ACCEPTED
    assignment.answered_at = timezone.now()
    assignment.save(update_fields=["state", "answered_at"])
    if audit.status == Audit.Status.SUBMITTED:
        audit.status = Audit.Status.IN_REVIEW
        audit.save(update_fields=["status"])
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.AUDITOR_ACCEPTED,
        review_only=True,
        object_label=assignment.auditor_email,
        details={"role": assignment.role},
    )
    return assignment


@transaction.atomic
def assignment_decline(*, assignment: AuditorAssignment, user: User, reason: str) -> None:
    """The auditor says no, with a reason: the place is free again and access ends at once."""
    audit = audit_locked(assignment.audit_id)
    assignment = _own_assignment(assignment, user)
    if assignment.state != State.INVITED:
        raise ActionRefusedError(
            _("You have already answered: %(state)s.")
            % {"state": assignment.get_state_display().lower()}
        )
    reason = reason.strip()
    if not reason:
        raise ActionRefusedError(_("Say briefly why you decline, so that ERNST can plan."))
    assignment.decline_reason = reason
    assignment.answered_at = timezone.now()
    _end(assignment, ended_by=user, state=State.DECLINED, reason="declined", record=False)
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.AUDITOR_DECLINED,
        review_only=True,
        object_label=assignment.auditor_email,
        details={"role": assignment.role, "reason": reason},
    )
    _after_team_change(audit)


def _end(
    assignment: AuditorAssignment,
    *,
    ended_by: User | None,
    state: str,
    reason: str,
    record: bool = True,
) -> None:
    assignment.state = state
    assignment.ended_at = timezone.now()
    assignment.ended_by = ended_by
    assignment.end_reason = reason
    assignment.save(
        update_fields=[
            "state",
            "ended_at",
            "ended_by",
            "end_reason",
            "decline_reason",
            "answered_at",
        ]
    )
    remove_perm(PERM_REVIEW_AUDIT, assignment.auditor, assignment.audit)
    if record:
        audit_event_record(
            audit=assignment.audit,
            actor=ended_by,
            action=AuditEvent.Action.AUDITOR_REMOVED,
            object_label=assignment.auditor_email,
            details={"reason": reason, "role": assignment.role},
        )


def _after_team_change(audit: Audit) -> None:
    # A member leaving can leave a team whose remaining members have all completed.
    consolidation_start_if_ready(audit=audit)


@transaction.atomic
def assignment_withdraw(
    *, assignment: AuditorAssignment, ended_by: User, reason: str = "withdrawn"
) -> None:
    """Take an auditor off the team: access ends at once, their ratings stay attributed."""
    _require_admin(ended_by, assignment.audit)
    audit = audit_locked(assignment.audit_id)
    assignment = (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .select_for_update()
        .select_related("audit", "auditor")
        .get(pk=assignment.pk)
    )
    if not assignment.is_active:
        raise ActionRefusedError(_("This auditor is no longer on the team."))
    _end(assignment, ended_by=ended_by, state=State.WITHDRAWN, reason=reason)
    if audit.status in TEAM_OPEN:
        _after_team_change(audit)


def assignments_end_for_conflict(*, auditor: User, institution_id: int) -> int:
    """End an auditor's places at an institution they now declare a conflict with."""
    count = 0
    for assignment in (
        AuditorAssignment.objects.for_institution(institution_id)
        .filter(auditor=auditor, ended_at__isnull=True)
        .select_related("audit", "auditor")
    ):
        _end(
            assignment,
            ended_by=auditor,
            state=State.WITHDRAWN,
            reason="conflict of interest declared",
        )
        # The rest of the team may all have completed: their consolidation starts now.
        _after_team_change(audit_locked(assignment.audit_id))
        count += 1
    return count


def assignments_end_for_closure(*, audit: Audit, closed_by: User) -> None:
    for assignment in (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(audit=audit, ended_at__isnull=True)
        .select_related("audit", "auditor")
    ):
        _end(assignment, ended_by=closed_by, state=State.WITHDRAWN, reason="audit closed")
