"""Evidence requests: an auditor asks for more evidence on a sealed dossier, the institution
answers with new files and a comment, the auditor accepts or rejects the answer.

This is the only way anything is added to a sealed dossier. The seal stays as it was; each
answer is sealed as an **addendum manifest** (the request, the new files with their SHA-256,
the comment) whose digest chains to the previous one: the dossier's manifest digest for the
first answer, the previous answer's digest after. ``addenda_verify`` walks the chain.
"""

from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.permissions import audit_policy
from audits.services.seal import audit_locked
from audits.services.submission import canonical_digest, stored_sha256
from evidence.models import EvidenceFile, EvidenceRevision
from evidence.services import evidence_addendum_store
from institutions.models import Membership
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.models import AuditorAssignment, EvidenceRequest, EvidenceRequestAnswer
from reviews.rules import required_text

State = EvidenceRequest.State
REVIEWING = (Audit.Status.IN_REVIEW, Audit.Status.REVIEW_COMPLETE)
MAX_MESSAGE = 5000
MAX_FILES = 20


def _reviewing(audit: Audit) -> None:
    if audit.status not in REVIEWING:
        raise ActionRefusedError(
            _("The audit is %(stage)s: evidence is requested and answered during the review.")
            % {"stage": audit.get_status_display().lower()}
        )


def team_member_required(audit: Audit, user: User, message: str = "") -> AuditorAssignment:
    """The user's accepted place on the audit's team; 403 (``message``) without one."""
    place = (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(
            audit=audit,
            auditor=user,
            ended_at__isnull=True,
            state=AuditorAssignment.State.ACCEPTED,
        )
        .first()
    )
    if place is None:
        raise ActionForbiddenError(
            message or _("Only the auditors of the review team request evidence.")
        )
    return place


@transaction.atomic
def evidence_request_create(
    *,
    audit: Audit,
    user: User,
    assessments: list[StandardAssessment],
    message: str,
    due_on: date,
) -> EvidenceRequest:
    """An auditor of the team asks for more evidence on one or more standards."""
    audit = audit_locked(audit.pk)
    team_member_required(audit, user)
    _reviewing(audit)
    if not assessments:
        raise ActionRefusedError(_("Choose the standard(s) the request is about."))
    if any(a.audit_id != audit.pk for a in assessments):
        raise ActionRefusedError(_("A standard of another audit cannot be part of the request."))
    message = required_text(
        message, missing=_("Say what is missing and what would show it."), limit=MAX_MESSAGE
    )
    if due_on < timezone.localdate():
        raise ActionRefusedError(_("The due date is in the past."))
    request = EvidenceRequest.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        message=message,
        due_on=due_on,
        requested_by=user,
        requested_by_email=user.email,
    )
    request.assessments.set(assessments)
    codes = [a.standard.code for a in assessments]
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.EVIDENCE_REQUESTED,
        object_label=", ".join(codes),
        assessments=assessments,
        details={"request": request.pk, "due_on": due_on.isoformat()},
    )
    return request


def may_answer(user: User, request: EvidenceRequest) -> bool:
    """A coordinator of the institution, or a contributor assigned to one of its standards."""
    role = audit_policy.dossier_role(user, request.audit)
    if role == Membership.Role.COORDINATOR:
        return True
    return (
        role == Membership.Role.CONTRIBUTOR and request.assessments.filter(assignees=user).exists()
    )


@transaction.atomic
def evidence_request_answer(
    *,
    request: EvidenceRequest,
    user: User,
    uploads: list[UploadedFile],
    comment: str,
    confirmed_no_personal_data: bool,
) -> EvidenceRequestAnswer:
    """The institution answers an open request: the new files (each through the upload checks)
    join the standards asked about with the next E-numbers, and the answer is sealed as the
    next addendum of the chain."""
    audit = audit_locked(request.audit_id)
    request = (
        EvidenceRequest.objects.for_institution(audit.institution_id)
        .select_for_update(of=("self",))
        .get(pk=request.pk)
    )
    request.audit = audit
    if not may_answer(user, request):
        raise ActionForbiddenError(
            _("The coordinators answer, and the contributors assigned to its standards.")
        )
    _reviewing(audit)
    if request.state != State.OPEN:
        raise ActionRefusedError(
            _("This request is %(state)s: it takes no answer now.")
            % {"state": request.get_state_display().lower()}
        )
    comment = comment.strip()
    if not uploads and not comment:
        raise ActionRefusedError(
            _("Add the files asked for, or say in a comment why there are none.")
        )
    if len(uploads) > MAX_FILES:
        raise ActionRefusedError(_("At most %(max)s files per answer.") % {"max": MAX_FILES})
    if len(comment) > MAX_MESSAGE:
        raise ActionRefusedError(
            _("The text is too long (at most %(max)s characters).") % {"max": MAX_MESSAGE}
        )
    assessments = list(request.assessments.select_related("standard").order_by("standard__order"))
    answer = addendum_add(
        audit=audit,
        user=user,
        uploads=uploads,
        assessments=assessments,
        confirmed_no_personal_data=confirmed_no_personal_data,
        comment=comment,
        occasion={"request": request.pk, "message": request.message},
        request=request,
    )
    addendum = answer.addendum
    request.state = State.ANSWERED
    request.save(update_fields=["state"])
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.EVIDENCE_ANSWERED,
        object_label=", ".join(addendum["standards"]),
        assessments=assessments,
        details={"request": request.pk, "files": len(addendum["files"]), "digest": answer.digest},
    )
    return answer


def addendum_add(
    *,
    audit: Audit,
    user: User,
    uploads: list[UploadedFile],
    assessments: list[StandardAssessment],
    confirmed_no_personal_data: bool,
    comment: str,
    occasion: dict[str, Any],
    request: EvidenceRequest | None = None,
    action: Any = None,
) -> EvidenceRequestAnswer:
    """Add files to a sealed dossier as the next addendum of its chain: each file through the
    upload checks, joining ``assessments`` with the next E-numbers; the addendum (``occasion``:
    the request or the corrective action, the files with their SHA-256, the comment) chained to
    the previous digest. The caller holds the audit's row lock and has checked who may add."""
    numbered = (
        EvidenceFile.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .aggregate(n=Max("number"))["n"]
        or 0
    )
    files = [
        evidence_addendum_store(
            audit=audit,
            user=user,
            uploaded=uploaded,
            assessments=assessments,
            confirmed_no_personal_data=confirmed_no_personal_data,
            number=numbered + offset,
        )
        for offset, uploaded in enumerate(uploads, start=1)
    ]
    previous = addendum_head(audit)
    addendum: dict[str, Any] = {
        "audit": audit.pk,
        **occasion,
        "standards": [a.standard.code for a in assessments],
        "files": [_file_entry(evidence) for evidence in files],
        "comment": comment,
        "answered_by": user.email,
        "answered_at": timezone.now().isoformat(),
        "previous_digest": previous,
    }
    answer = EvidenceRequestAnswer.objects.create(
        institution_id=audit.institution_id,
        request=request,
        action=action,
        audit=audit,
        comment=comment,
        answered_by=user,
        answered_by_email=user.email,
        addendum=addendum,
        previous_digest=previous,
        digest=canonical_digest(addendum),
    )
    answer.files.set(files)
    return answer


def _file_entry(evidence: EvidenceFile) -> dict[str, Any]:
    revision = evidence.current
    return {
        "evidence_id": evidence.pk,
        "number": evidence.number,
        "revision": revision.number,
        "name": revision.original_name,
        "size": revision.size,
        "sha256": revision.sha256,
    }


def addendum_head(audit: Audit) -> str:
    """The digest the next addendum chains to: the last answer's, or the dossier's seal."""
    last = (
        EvidenceRequestAnswer.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .order_by("-answered_at", "-pk")
        .values_list("digest", flat=True)
        .first()
    )
    return last or audit.manifest_digest


@transaction.atomic
def evidence_request_decide(
    *,
    request: EvidenceRequest,
    user: User,
    accept: bool,
    reason: str = "",
    reopen_until: date | None = None,
) -> EvidenceRequest:
    """An auditor of the team accepts the answer; or rejects it with a reason, reopening the
    request until a new due date or (without one) closing it as unanswered. An open request
    past its due date may be closed as unanswered the same way."""
    audit = audit_locked(request.audit_id)
    team_member_required(audit, user)
    _reviewing(audit)
    request = (
        EvidenceRequest.objects.for_institution(audit.institution_id)
        .select_for_update(of=("self",))
        .get(pk=request.pk)
    )
    if accept:
        if request.state != State.ANSWERED:
            raise ActionRefusedError(_("Only an answered request is accepted."))
        request.state = State.ACCEPTED
        action = AuditEvent.Action.EVIDENCE_ACCEPTED
    else:
        if request.state not in (State.ANSWERED, State.OPEN):
            raise ActionRefusedError(
                _("This request is %(state)s already.")
                % {"state": request.get_state_display().lower()}
            )
        reason = required_text(
            reason, missing=_("Say why the answer is not enough."), limit=MAX_MESSAGE
        )
        if reopen_until is not None:
            if reopen_until < timezone.localdate():
                raise ActionRefusedError(_("The due date is in the past."))
            request.state, request.due_on = State.OPEN, reopen_until
            action = AuditEvent.Action.EVIDENCE_REOPENED
        else:
            request.state = State.UNANSWERED
            action = AuditEvent.Action.EVIDENCE_CLOSED
    request.decision_reason = reason
    request.decided_by, request.decided_by_email = user, user.email
    request.decided_at = timezone.now()
    request.save()
    audit_event_record(
        audit=audit,
        actor=user,
        action=action,
        object_label=", ".join(
            request.assessments.order_by("standard__order").values_list("standard__code", flat=True)
        ),
        assessments=list(request.assessments.all()),
        details={"request": request.pk, "reason": reason, "due_on": request.due_on.isoformat()},
    )
    return request


def addenda_verify(*, audit: Audit) -> list[str]:
    """Check the chain of addenda: each addendum against its digest, each link to the previous
    digest (the seal's for the first), every file added re-hashed. The problems found."""
    problems: list[str] = []
    previous = audit.manifest_digest
    answers = EvidenceRequestAnswer.objects.for_institution(audit.institution_id).filter(
        audit=audit
    )
    revisions = {
        (r.evidence_id, r.number): r
        for r in EvidenceRevision.objects.for_institution(audit.institution_id).filter(
            evidence__request_answers__audit=audit
        )
    }
    for position, answer in enumerate(answers.order_by("answered_at", "pk"), start=1):
        label = f"addendum {position}"
        if canonical_digest(answer.addendum) != answer.digest:
            problems.append(f"{label}: does not match its digest")
        if answer.previous_digest != previous or answer.addendum.get("previous_digest") != previous:
            problems.append(f"{label}: does not chain to the digest before it")
        previous = answer.digest
        for item in answer.addendum.get("files", []):
            revision = revisions.get((item["evidence_id"], item["revision"]))
            if revision is None:
                problems.append(f"{label}: {item['name']} is missing")
                continue
            stored = stored_sha256(revision)
            if stored is None:
                problems.append(f"{label}: {item['name']} is missing from storage")
            elif stored != item["sha256"]:
                problems.append(f"{label}: {item['name']} has changed since it was added")
    return problems
