"""Corrective actions: the institution's answer to each nonconformity, once the draft report is
released.

    plan submitted ──accept──▶ accepted ── each action: open ──done (evidence)──▶ done
          ▲  └──return (reason)──▶ returned            ▲                          │
          └──────── submitted again ◀───────┘           └──kept open (reason)──────┤
                                                                  closed ◀─verify──┘

A coordinator records the cause and the actions (what, who, by when) and submits the plan; the
lead auditor accepts it or returns it with a reason, and a returned plan is submitted again. Once
accepted, a coordinator reports each action done with its evidence: the files are an addendum to
the sealed dossier, chained like an answer to an evidence request. An auditor of the team then
closes the action, or keeps it open with a reason. Plans and actions go on after the final
report (a certificate on conditions waits for them) until the audit is closed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent
from audits.services.seal import audit_locked
from rescue.errors import ActionRefusedError
from reviews.models import CorrectiveAction, CorrectiveActionPlan, Finding
from reviews.rules import required_text
from reviews.services.report import (
    MAX_TEXT,
    coordinator_required,
    lead_required,
    review_report_of,
)
from reviews.services.requests import MAX_FILES, addendum_add, team_member_required

MAX_ACTIONS = 10
PlanState = CorrectiveActionPlan.State
ActionState = CorrectiveAction.State


def _released(audit: Audit) -> None:
    if audit.status == Audit.Status.CLOSED:
        raise ActionRefusedError(_("The audit is closed."))
    if not review_report_of(audit).is_released:
        raise ActionRefusedError(
            _("Corrective actions are planned once the draft report is released.")
        )


def _finding_locked(audit: Audit, finding: Finding) -> Finding:
    finding = (
        Finding.objects.for_institution(audit.institution_id)
        .select_for_update(of=("self",))
        .select_related("assessment__standard")
        .get(pk=finding.pk)
    )
    if finding.kind != Finding.Kind.NONCONFORMITY:
        raise ActionRefusedError(_("Observations need no corrective action."))
    if finding.withdrawn_at is not None:
        raise ActionRefusedError(_("This finding has been withdrawn."))
    return finding


def _clean_actions(actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each action's description, owner and due date, checked; at least one, at most ten."""
    cleaned = []
    today = timezone.localdate()
    for position, action in enumerate(actions, start=1):
        description = str(action.get("description") or "").strip()
        owner = str(action.get("owner") or "").strip()
        due_on = action.get("due_on")
        if not (description or owner or due_on):
            continue  # an empty row of the form
        label = _("Action %(n)s") % {"n": position}
        if not description or not owner or not isinstance(due_on, date):
            raise ActionRefusedError(
                _("%(action)s: say what will be done, who does it and by when.") % {"action": label}
            )
        if len(description) > MAX_TEXT or len(owner) > 200:
            raise ActionRefusedError(_("%(action)s: the text is too long.") % {"action": label})
        if due_on < today:
            raise ActionRefusedError(
                _("%(action)s: the due date is in the past.") % {"action": label}
            )
        cleaned.append({"description": description, "owner": owner, "due_on": due_on})
    if not cleaned:
        raise ActionRefusedError(_("List at least one action: what, who and by when."))
    if len(cleaned) > MAX_ACTIONS:
        raise ActionRefusedError(_("At most %(max)s actions per plan.") % {"max": MAX_ACTIONS})
    return cleaned


@transaction.atomic
def plan_submit(
    *, finding: Finding, user: User, cause: str, actions: list[dict[str, Any]]
) -> CorrectiveActionPlan:
    """A coordinator submits the plan for a nonconformity (again, after it was returned)."""
    audit = audit_locked(finding.audit_id)
    coordinator_required(audit, user, _("The institution's coordinators submit the plans."))
    _released(audit)
    finding = _finding_locked(audit, finding)
    cause = required_text(cause, missing=_("Say what caused the nonconformity."), limit=MAX_TEXT)
    cleaned = _clean_actions(actions)
    plan = (
        CorrectiveActionPlan.objects.for_institution(audit.institution_id)
        .select_for_update()
        .filter(finding=finding)
        .first()
    )
    now = timezone.now()
    if plan is None:
        plan = CorrectiveActionPlan(
            institution_id=audit.institution_id, audit=audit, finding=finding, version=0
        )
    elif plan.state == PlanState.ACCEPTED:
        raise ActionRefusedError(_("This plan has been accepted: its actions are reported done."))
    plan.cause = cause
    plan.state = PlanState.SUBMITTED
    plan.submitted_by_email, plan.submitted_at = user.email, now
    plan.version += 1
    plan.save()
    plan.actions.all().delete()
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            institution_id=audit.institution_id,
            audit=audit,
            plan=plan,
            position=position,
            **action,
        )
        for position, action in enumerate(cleaned, start=1)
    )
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.PLAN_SUBMITTED,
        object_label=finding.assessment.standard.code,
        assessments=[finding.assessment],
        details={"plan": plan.pk, "actions": len(cleaned), "version": plan.version},
    )
    return plan


@transaction.atomic
def plan_decide(
    *, plan: CorrectiveActionPlan, user: User, accept: bool, reason: str = ""
) -> CorrectiveActionPlan:
    """The lead accepts a submitted plan, or returns it with a reason."""
    audit = audit_locked(plan.audit_id)
    lead_required(audit, user, _("Only the lead auditor accepts or returns a plan."))
    _released(audit)
    plan = (
        CorrectiveActionPlan.objects.for_institution(audit.institution_id)
        .select_for_update(of=("self",))
        .select_related("finding__assessment__standard")
        .get(pk=plan.pk)
    )
    if plan.state != PlanState.SUBMITTED:
        raise ActionRefusedError(
            _("This plan is %(state)s: only a submitted plan is accepted or returned.")
            % {"state": plan.state_label.lower()}
        )
    if accept:
        plan.state, plan.return_reason = PlanState.ACCEPTED, ""
        action = AuditEvent.Action.PLAN_ACCEPTED
    else:
        plan.return_reason = required_text(
            reason, missing=_("Say what the plan lacks."), limit=MAX_TEXT
        )
        plan.state = PlanState.RETURNED
        action = AuditEvent.Action.PLAN_RETURNED
    plan.decided_by_email, plan.decided_at = user.email, timezone.now()
    plan.save()
    audit_event_record(
        audit=audit,
        actor=user,
        action=action,
        object_label=plan.finding.assessment.standard.code,
        assessments=[plan.finding.assessment],
        details={"plan": plan.pk, "reason": plan.return_reason},
    )
    return plan


def _action_locked(audit: Audit, action: CorrectiveAction) -> CorrectiveAction:
    return (
        CorrectiveAction.objects.for_institution(audit.institution_id)
        .select_for_update(of=("self",))
        .select_related("plan__finding__assessment__standard")
        .get(pk=action.pk)
    )


@transaction.atomic
def action_done(
    *,
    action: CorrectiveAction,
    user: User,
    note: str,
    uploads: list[UploadedFile],
    confirmed_no_personal_data: bool,
) -> CorrectiveAction:
    """A coordinator reports an action of an accepted plan done, with its evidence (sealed as
    the next addendum of the dossier's chain)."""
    audit = audit_locked(action.audit_id)
    coordinator_required(audit, user, _("The institution's coordinators report actions done."))
    _released(audit)
    action = _action_locked(audit, action)
    if action.plan.state != PlanState.ACCEPTED:
        raise ActionRefusedError(_("Actions are reported done once their plan is accepted."))
    if action.state != ActionState.OPEN:
        raise ActionRefusedError(
            _("This action is %(state)s.") % {"state": action.state_label.lower()}
        )
    note = required_text(note, missing=_("Say what was done."), limit=MAX_TEXT)
    if not uploads:
        raise ActionRefusedError(_("Add the evidence that the action is done."))
    if len(uploads) > MAX_FILES:
        raise ActionRefusedError(_("At most %(max)s files per answer.") % {"max": MAX_FILES})
    finding = action.plan.finding
    addendum_add(
        audit=audit,
        user=user,
        uploads=uploads,
        assessments=[finding.assessment],
        confirmed_no_personal_data=confirmed_no_personal_data,
        comment=note,
        occasion={
            "corrective_action": action.pk,
            "finding": finding.pk,
            "description": action.description,
        },
        action=action,
    )
    action.state, action.done_note = ActionState.DONE, note
    action.done_at, action.done_by_email = timezone.now(), user.email
    action.verification_reason = ""
    action.save()
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.ACTION_DONE,
        object_label=f"{finding.assessment.standard.code}: {action.description[:200]}",
        assessments=[finding.assessment],
        details={"action": action.pk, "files": len(uploads)},
    )
    return action


@transaction.atomic
def action_verify(
    *, action: CorrectiveAction, user: User, close: bool, reason: str = ""
) -> CorrectiveAction:
    """An auditor of the team closes an action reported done, or keeps it open with a reason."""
    audit = audit_locked(action.audit_id)
    team_member_required(audit, user, _("Only the auditors of the review team verify actions."))
    _released(audit)
    action = _action_locked(audit, action)
    if action.state != ActionState.DONE:
        raise ActionRefusedError(_("Only an action reported done is verified."))
    if close:
        action.state, action.verification_reason = ActionState.CLOSED, ""
        event = AuditEvent.Action.ACTION_VERIFIED
    else:
        action.verification_reason = required_text(
            reason, missing=_("Say why the action stays open."), limit=MAX_TEXT
        )
        action.state = ActionState.OPEN
        event = AuditEvent.Action.ACTION_KEPT_OPEN
    action.verified_at, action.verified_by_email = timezone.now(), user.email
    action.save()
    finding = action.plan.finding
    audit_event_record(
        audit=audit,
        actor=user,
        action=event,
        object_label=f"{finding.assessment.standard.code}: {action.description[:200]}",
        assessments=[finding.assessment],
        details={"action": action.pk, "reason": action.verification_reason},
    )
    return action
