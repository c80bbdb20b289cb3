"""Appeals against a certification decision.

    lodged ──take──▶ in handling ──decide──▶ decided (upheld, or changed)

- ``appeal_refusal`` / ``appeal_lodge``: a coordinator of the institution appeals within
  ``settings.APPEAL_WINDOW_DAYS`` of the decision, once per decision, with a statement and files.
  The files pass the evidence upload checks (type from the content, the size limit of the
  streaming upload handler, the personal-data scan): the same functions, called here.
- ``appeal_handling_refusal`` / ``appeal_take``: an ERNST admin who was not on the audit's team,
  did not take the decision and is no member of the institution takes the appeal up.
- ``appeal_decide``: the one who took it up upholds the decision or changes it, with the reason.
  A changed outcome is checked as the decision's is (``decision_outcome_check``) and recorded on
  the appeal; the decision stays as it was taken. The decision's live certificates (active or
  suspended) follow the new outcome: a certifying outcome without one issues it, another level
  withdraws it and issues the new one, the same level changes its conditions in place, and not
  certifying withdraws it; RESCUE Mastery follows through ``certificate_issue`` and ``_move``.

Every step takes the audit's row lock first (as the decision does), then the appeal's, and is an
``AuditEvent`` of the audit; every certificate change is a ``CertificateEvent`` naming the appeal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_platform_admin
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent
from audits.permissions import audit_policy
from audits.services.seal import audit_locked
from certification.models import Appeal, AppealFile, Certificate, CertificateEvent, Decision
from certification.services import (
    MAX_TEXT,
    _event,
    _move,
    certificate_issue_for,
    decision_outcome_check,
    took_part,
)

# The upload pipeline's checks (type from content, personal-data scan): reused, not copied.
from evidence.services import CheckedUpload, upload_check
from institutions.models import Membership
from institutions.permissions import institution_policy
from reports.models import Report
from reports.services import report_request
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.rules import required_text

logger = logging.getLogger(__name__)

State = Appeal.State
Outcome = Decision.Outcome
Status = Certificate.Status
LIVE = (Status.ACTIVE, Status.SUSPENDED)
MAX_FILES = 10


# --- Lodging --------------------------------------------------------------------------------


def appeal_deadline(decision: Decision) -> datetime:
    """The last moment the institution may appeal the decision."""
    return decision.decided_at + timedelta(days=settings.APPEAL_WINDOW_DAYS)


def appeal_of(decision: Decision) -> Appeal | None:
    return (
        Appeal.objects.for_institution(decision.institution_id)
        .filter(decision=decision)
        .prefetch_related("files")
        .first()
    )


def appeal_refusal(user: User, decision: Decision) -> ActionRefusedError | None:
    """Why this user may not appeal this decision now (None: they may): an
    ``ActionForbiddenError`` when it is not theirs to appeal, an ``ActionRefusedError`` when the
    decision is appealed already or the time to appeal is over."""
    if audit_policy.dossier_role(user, decision.audit) != Membership.Role.COORDINATOR:
        if decision.audit.is_application:
            return ActionForbiddenError(
                _("The applicant appeals the decision on their application.")
            )
        return ActionForbiddenError(_("The institution's coordinators appeal its decisions."))
    if Appeal.objects.for_institution(decision.institution_id).filter(decision=decision).exists():
        return ActionRefusedError(_("This decision is appealed already: one appeal per decision."))
    deadline = appeal_deadline(decision)
    if timezone.now() > deadline:
        return ActionRefusedError(
            _("The time to appeal ended on %(date)s (%(days)s days after the decision).")
            % {
                "date": f"{timezone.localtime(deadline):%d %B %Y}",
                "days": settings.APPEAL_WINDOW_DAYS,
            }
        )
    return None


def _files_store(appeal: Appeal, checked: list[CheckedUpload], user: User) -> list[AppealFile]:
    """Store the files (each checked already) under the appeal; a failure takes back the files
    stored before it, and the transaction the rows."""
    stored: list[AppealFile] = []
    try:
        for item in checked:
            row = AppealFile(
                institution_id=appeal.institution_id,
                appeal=appeal,
                original_name=item.inspection.filename,
                size=item.uploaded.size or 0,
                sha256=item.sha256,
                mime_type=item.inspection.mime_type,
                kind=item.inspection.kind.code,
                confirmed_no_personal_data=True,
                personal_data_findings=item.findings,
                uploaded_by=user,
                uploaded_by_email=user.email,
            )
            row.file.save(item.inspection.filename, item.uploaded, save=False)
            stored.append(row)
            row.full_clean()
            row.save()
    except Exception:
        for row in stored:
            row.file.delete(save=False)
        raise
    return stored


@transaction.atomic
def appeal_lodge(
    *,
    decision: Decision,
    user: User,
    statement: str,
    uploads: list[UploadedFile],
    confirmed_no_personal_data: bool,
) -> Appeal:
    """A coordinator appeals the decision with a statement and files (each through the evidence
    upload checks; one refused refuses the appeal, naming it)."""
    audit_locked(decision.audit_id)  # one step on the audit at a time: no second appeal
    decision = Decision.objects.for_institution(decision.institution_id).get(pk=decision.pk)
    if refusal := appeal_refusal(user, decision):
        raise refusal
    statement = required_text(
        statement, missing=_("Say why you appeal the decision."), limit=MAX_TEXT
    )
    if len(uploads) > MAX_FILES:
        raise ActionRefusedError(_("At most %(max)s files per appeal.") % {"max": MAX_FILES})
    if uploads and not confirmed_no_personal_data:
        raise ActionRefusedError(
            _(
                "Confirm that the files are about the programme and hold no patient data and "
                "nothing said in support sessions."
            )
        )
    checked = [upload_check(uploaded) for uploaded in uploads]  # all checked before any is kept
    appeal = Appeal(
        institution_id=decision.institution_id,
        decision=decision,
        statement=statement,
        lodged_by=user,
        lodged_by_email=user.email,
    )
    appeal.full_clean()
    appeal.save()
    files = _files_store(appeal, checked, user)
    audit_event_record(
        audit=decision.audit,
        actor=user,
        action=AuditEvent.Action.APPEAL_LODGED,
        object_label=decision.label,
        details={
            "appeal": appeal.pk,
            "decision": decision.pk,
            "files": [{"name": f.original_name, "sha256": f.sha256} for f in files],
            "flagged": [f.original_name for f in files if f.is_flagged],
        },
    )
    return appeal


# --- Handling ---------------------------------------------------------------------------------


def _decided_it(user: User, decision: Decision) -> bool:
    if decision.decided_by_id is not None:
        return decision.decided_by_id == user.pk
    return decision.decided_by_email.lower() == user.email.lower()  # the decider's account gone


def appeal_handling_refusal(user: User, appeal: Appeal) -> str | None:
    """Why this user may not handle this appeal (None: they may): an ERNST admin who took no
    part in the audit nor in the decision, no member of the institution, and, once it is taken
    up, the one who took it."""
    decision = appeal.decision
    audit = decision.audit
    if not is_platform_admin(user):
        return _("Only ERNST administrators handle appeals.")
    if took_part(user, audit):
        return _(
            "You were on this audit's review team: an appeal is handled by someone who took no "
            "part in the audit."
        )
    if _decided_it(user, decision):
        return _("You took the decision appealed: someone who took no part in it handles it.")
    if institution_policy.role(user, audit.institution_id) is not None:
        return _("You are a member of this institution: someone impartial handles its appeal.")
    if appeal.state != State.LODGED and appeal.handler_id not in (None, user.pk):
        return _("%(handler)s has taken this appeal up and decides it.") % {
            "handler": appeal.handler_email
        }
    return None


def _appeal_locked(appeal: Appeal) -> Appeal:
    """The appeal under its row lock (the caller holds the audit's first), with its decision."""
    return (
        Appeal.objects.for_institution(appeal.institution_id)
        .select_for_update(of=("self",))
        .select_related("decision__audit__institution", "decision__audit__catalogue_version")
        .get(pk=appeal.pk)
    )


@transaction.atomic
def appeal_take(*, appeal: Appeal, user: User) -> Appeal:
    """An eligible ERNST admin takes the appeal up: from now on they handle it."""
    audit_locked(appeal.decision.audit_id)
    appeal = _appeal_locked(appeal)
    if refusal := appeal_handling_refusal(user, appeal):
        raise ActionForbiddenError(refusal)
    # Waiting, or taken by someone whose account is gone since.
    if appeal.state != State.LODGED and appeal.handler_id is not None:
        raise ActionRefusedError(
            _("The appeal is %(state)s.") % {"state": appeal.state_label.lower()}
        )
    appeal.state = State.IN_HANDLING
    appeal.handler, appeal.handler_email, appeal.taken_at = user, user.email, timezone.now()
    appeal.save(update_fields=["state", "handler", "handler_email", "taken_at"])
    audit_event_record(
        audit=appeal.decision.audit,
        actor=user,
        action=AuditEvent.Action.APPEAL_TAKEN,
        object_label=appeal.decision.label,
        details={"appeal": appeal.pk, "handler": user.email},
    )
    return appeal


@dataclass
class CertificatesFollowed:
    """What a changed outcome did to the decision's certificates (their numbers)."""

    issued: list[Certificate]
    withdrawn: list[str]
    changed: list[str]

    def as_details(self) -> dict[str, list[str]]:
        return {
            "issued": [c.number for c in self.issued],
            "withdrawn": self.withdrawn,
            "changed": self.changed,
        }


def _certificates_follow(appeal: Appeal, audit: Audit, user: User) -> CertificatesFollowed:
    """The decision's live certificates follow the appeal's new outcome (see the module)."""
    decision = appeal.decision
    ground = _("Appeal no. %(appeal)s against the decision of %(date)s: %(reason)s") % {
        "appeal": appeal.pk,
        "date": f"{timezone.localtime(decision.decided_at):%d %B %Y}",
        "reason": appeal.reason,
    }
    live = list(
        Certificate.objects.for_institution(audit.institution_id)
        .select_for_update()
        .filter(decision=decision, status__in=LIVE)
        .order_by("pk")
    )
    certifies = appeal.new_outcome != Outcome.DO_NOT_CERTIFY
    keep = [c for c in live if certifies and c.level == appeal.new_level]
    followed = CertificatesFollowed(issued=[], withdrawn=[], changed=[])
    for certificate in live:
        if certificate not in keep:
            _move(
                certificate,
                Status.WITHDRAWN,
                CertificateEvent.Action.APPEAL_WITHDRAWN,
                user=user,
                reason=ground,
            )
            followed.withdrawn.append(certificate.number)
    for certificate in keep:  # the same scope: only its conditions can differ
        due = appeal.new_conditions_due_on
        if certificate.conditions_due_on == due:
            continue
        certificate.conditions_due_on = due
        certificate.save(update_fields=["conditions_due_on"])
        change = (
            _("Conditions to close by %(date)s.") % {"date": due.isoformat()}
            if due
            else _("No conditions any more.")
        )
        _event(
            certificate,
            CertificateEvent.Action.APPEAL_CHANGED,
            from_status=certificate.status,
            user=user,
            reason=f"{change} {ground}",
        )
        followed.changed.append(certificate.number)
    if certifies and not keep:
        followed.issued.append(
            certificate_issue_for(
                decision,
                level=appeal.new_level,
                conditions_due_on=appeal.new_conditions_due_on,
                user=user,
                reason=ground,
            )
        )
    return followed


def _documents_queue(audit: Audit, certificates: list[Certificate], user: User) -> None:
    """The PDF of each certificate issued on appeal, on the reports pipeline; the appeal stands
    whatever happens to them (one that cannot be queued now is asked for again later)."""
    for certificate in certificates:
        try:
            report_request(
                audit=audit, user=user, kind=Report.Kind.CERTIFICATE, certificate=certificate
            )
        except (ActionRefusedError, PermissionError) as refused:
            logger.warning("certificate %s: its PDF was not queued: %s", certificate.pk, refused)


@transaction.atomic
def appeal_decide(
    *,
    appeal: Appeal,
    user: User,
    outcome: str,
    reason: str,
    new_outcome: str = "",
    new_level: str = "",
    new_conditions_due_on: date | None = None,
) -> Appeal:
    """The admin who took the appeal up upholds the decision or changes it, with the reason;
    the certificates follow a changed outcome."""
    audit = audit_locked(appeal.decision.audit_id)
    appeal = _appeal_locked(appeal)
    if refusal := appeal_handling_refusal(user, appeal):
        raise ActionForbiddenError(refusal)
    if appeal.state == State.LODGED:
        raise ActionRefusedError(_("Take the appeal up first: then you handle and decide it."))
    if appeal.state == State.DECIDED:
        raise ActionRefusedError(_("The appeal is decided already."))
    if appeal.handler_id is None:
        raise ActionRefusedError(_("Take the appeal up first: then you handle and decide it."))
    if outcome not in Appeal.Outcome.values:
        raise ActionRefusedError(_("Choose: uphold the decision, or change it."))
    appeal.reason = required_text(
        reason, missing=_("Give the reasons for the appeal's outcome."), limit=MAX_TEXT
    )
    decision = appeal.decision
    followed = None
    if outcome == Appeal.Outcome.CHANGED:
        level, due = decision_outcome_check(
            audit, outcome=new_outcome, level=new_level, conditions_due_on=new_conditions_due_on
        )
        if (new_outcome, level, due) == (
            decision.outcome,
            decision.level,
            decision.conditions_due_on,
        ):
            raise ActionRefusedError(
                _("That is the decision appealed (%(decision)s): uphold it instead.")
                % {"decision": decision.label}
            )
        appeal.new_outcome, appeal.new_level, appeal.new_conditions_due_on = new_outcome, level, due
    appeal.outcome, appeal.state, appeal.decided_at = outcome, State.DECIDED, timezone.now()
    appeal.full_clean()
    appeal.save()
    if outcome == Appeal.Outcome.CHANGED:
        followed = _certificates_follow(appeal, audit, user)
        _documents_queue(audit, followed.issued, user)
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.APPEAL_CHANGED
        if followed is not None
        else AuditEvent.Action.APPEAL_UPHELD,
        object_label=f"{decision.label} → {appeal.new_label}" if followed else decision.label,
        details={
            "appeal": appeal.pk,
            "decision": decision.pk,
            "from": {"outcome": decision.outcome, "level": decision.level},
            **(
                {
                    "to": {"outcome": appeal.new_outcome, "level": appeal.new_level},
                    "certificates": followed.as_details(),
                }
                if followed
                else {}
            ),
        },
    )
    return appeal
