"""Writing evidence: upload, replace, link, delete, review personal-data flags."""

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.permissions import AssessmentAction, assessment_policy, audit_policy
from audits.services.seal import DossierSealedError, audit_lock_open
from evidence.inspection import FileRefusedError, Inspection, inspect_file
from evidence.models import EvidenceFile, EvidenceLink, EvidenceRevision
from evidence.permissions import EvidenceAction, evidence_policy
from evidence.personal_data import scan_file
from institutions.models import Membership
from rescue.errors import ActionForbiddenError, ActionRefusedError

CONFIDENTIALITY_REQUIRED = (
    "Confirm that the file is about the programme and holds no patient data and no content of "
    "support sessions."
)


class EvidenceRefusedError(ActionRefusedError):
    """A file was refused; the message names it."""


@contextmanager
def _local_path(uploaded: UploadedFile) -> Iterator[Path]:
    """The upload on local disk (it already is, with the streaming handler)."""
    if hasattr(uploaded, "temporary_file_path"):
        yield Path(uploaded.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=".upload") as spool:
        for chunk in uploaded.chunks():
            spool.write(chunk)
        spool.flush()
        uploaded.seek(0)
        yield Path(spool.name)


def _sha256(uploaded: UploadedFile) -> str:
    digest = getattr(uploaded, "sha256", None)
    if digest:
        return digest
    hasher = hashlib.sha256()
    for chunk in uploaded.chunks():
        hasher.update(chunk)
    uploaded.seek(0)
    return hasher.hexdigest()


@dataclass(frozen=True)
class CheckedUpload:
    """An upload the evidence checks accepted, not stored yet: its type read from its content,
    and what the personal-data scan found (as stored on a revision)."""

    uploaded: UploadedFile
    inspection: Inspection
    sha256: str
    findings: list[dict[str, Any]]


def upload_check(uploaded: UploadedFile) -> CheckedUpload:
    """The checks every stored file passes (evidence, appeal files): the type from the content
    (``inspect_file``, which refuses what is not allowed, naming the file) and the personal-data
    scan."""
    with _local_path(uploaded) as path:
        try:
            inspection = inspect_file(
                filename=uploaded.name or "file", path=path, size=uploaded.size or 0
            )
        except FileRefusedError as exc:
            raise EvidenceRefusedError(str(exc)) from None
        findings = scan_file(path=path, kind_code=inspection.kind.code)
    return CheckedUpload(
        uploaded=uploaded,
        inspection=inspection,
        sha256=_sha256(uploaded),
        findings=[
            {
                "category": f.category,
                "label": f.label,
                "count": f.count,
                "examples": list(f.examples),
            }
            for f in findings
        ],
    )


def _new_revision(
    *, evidence: EvidenceFile, uploaded: UploadedFile, user: User, confirmed: bool
) -> EvidenceRevision:
    name = uploaded.name or "file"
    if not confirmed:
        raise EvidenceRefusedError(f"{name}: {CONFIDENTIALITY_REQUIRED}")
    checked = upload_check(uploaded)
    inspection = checked.inspection
    number = (evidence.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    revision = EvidenceRevision(
        institution_id=evidence.institution_id,
        evidence=evidence,
        number=number,
        original_name=inspection.filename,
        size=uploaded.size or 0,
        sha256=checked.sha256,
        mime_type=inspection.mime_type,
        kind=inspection.kind.code,
        uploaded_by=user,
        uploaded_by_email=user.email,
        confirmed_no_personal_data=confirmed,
        personal_data_findings=checked.findings,
    )
    revision.file.save(inspection.filename, uploaded, save=False)
    # The file is stored before the row: if the row fails, the transaction leaves an orphan
    # object in storage (harmless, unreachable), never a row without its file.
    revision.full_clean()
    revision.save()
    evidence.current_revision = revision
    evidence.save(update_fields=["current_revision"])
    return revision


def _lock_or_discard(audit: Audit, revision: EvidenceRevision) -> None:
    """Take the seal lock once the file is stored; a dossier sealed meanwhile refuses it, and the
    stored file goes too (the transaction takes the rows back)."""
    try:
        audit_lock_open(audit=audit)
    except DossierSealedError:
        revision.file.delete(save=False)
        raise


@transaction.atomic
def evidence_upload(
    *,
    audit: Audit,
    user: User,
    uploaded: UploadedFile,
    assessments: list[StandardAssessment],
    confirmed_no_personal_data: bool,
    effective_date: date | None = None,
) -> EvidenceFile:
    """Store one file as evidence for one or more standards of the audit."""
    if not assessments:
        raise EvidenceRefusedError(f"{uploaded.name}: choose the standard(s) it supports.")
    wanted = {assessment.pk for assessment in assessments}
    editable = assessment_policy.assessments_for(user, AssessmentAction.EDIT, audit)
    if editable.filter(pk__in=wanted).count() != len(wanted):  # one query for every standard
        raise PermissionError(f"{user} may not add evidence to these standards of {audit.pk}")
    evidence = EvidenceFile.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        effective_date=effective_date,
        created_by=user,
    )
    revision = _new_revision(
        evidence=evidence, uploaded=uploaded, user=user, confirmed=confirmed_no_personal_data
    )
    _lock_or_discard(audit, revision)
    EvidenceLink.objects.bulk_create(
        EvidenceLink(
            institution_id=audit.institution_id,
            evidence=evidence,
            assessment=assessment,
            linked_by=user,
        )
        for assessment in assessments
    )
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.UPLOADED,
        object_label=revision.original_name,
        details={
            "sha256": revision.sha256,
            "size": revision.size,
            "standards": [a.standard.code for a in assessments],
            "flagged": bool(revision.personal_data_findings),
        },
        assessments=assessments,
    )
    return evidence


@dataclass
class UploadOutcome:
    stored: list[EvidenceFile] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (file name, message)


def evidence_upload_many(
    *,
    audit: Audit,
    user: User,
    files: list[UploadedFile],
    assessments: list[StandardAssessment],
    confirmed_no_personal_data: bool,
    effective_date: date | None = None,
) -> UploadOutcome:
    """Each file in its own transaction: a refused file leaves the others stored."""
    outcome = UploadOutcome()
    for uploaded in files:
        try:
            outcome.stored.append(
                evidence_upload(
                    audit=audit,
                    user=user,
                    uploaded=uploaded,
                    assessments=assessments,
                    confirmed_no_personal_data=confirmed_no_personal_data,
                    effective_date=effective_date,
                )
            )
        except ActionRefusedError as exc:
            outcome.refused.append((uploaded.name or "", exc.message))
    return outcome


def _supported(evidence: EvidenceFile) -> list[StandardAssessment]:
    """The standards a file supports, for the history of what is done to it."""
    return [link.assessment for link in evidence.links.select_related("assessment")]


def _require_change(user: User, evidence: EvidenceFile, *, lock: bool = True) -> None:
    """Refuse unless the user may change the file; with ``lock``, also take the seal lock."""
    audit = evidence.audit
    if audit.is_sealed:
        raise DossierSealedError
    if (
        not evidence_policy.files_for(user, EvidenceAction.CHANGE, audit)
        .filter(pk=evidence.pk)
        .exists()
    ):
        raise PermissionError(f"{user} may not change {evidence}")
    if lock:
        audit_lock_open(audit=audit)


@transaction.atomic
def evidence_replace(
    *, evidence: EvidenceFile, user: User, uploaded: UploadedFile, confirmed_no_personal_data: bool
) -> EvidenceRevision:
    _require_change(user, evidence, lock=False)  # locked once the new file is stored
    # One replacement at a time per file: revision numbers are the last one plus one.
    locked = (
        EvidenceFile.objects.for_institution(evidence.institution_id)
        .select_for_update(of=("self",))
        .select_related("current_revision")
        .get(pk=evidence.pk)
    )
    previous = locked.current_revision
    revision = _new_revision(
        evidence=locked, uploaded=uploaded, user=user, confirmed=confirmed_no_personal_data
    )
    _lock_or_discard(evidence.audit, revision)
    evidence.current_revision = revision  # the caller's instance shows the new version too
    audit_event_record(
        audit=evidence.audit,
        actor=user,
        action=AuditEvent.Action.REPLACED,
        object_label=revision.original_name,
        details={
            "previous": previous.original_name if previous else "",
            "previous_sha256": previous.sha256 if previous else "",
            "sha256": revision.sha256,
            "revision": revision.number,
        },
        assessments=_supported(evidence),
    )
    return revision


@transaction.atomic
def evidence_links_set(
    *, evidence: EvidenceFile, user: User, assessments: list[StandardAssessment]
) -> None:
    """Make the file support exactly these standards (among those the user may edit)."""
    _require_change(user, evidence)
    editable = assessment_policy.assessments_for(user, AssessmentAction.EDIT, evidence.audit)
    editable_ids = set(editable.values_list("pk", flat=True))
    if any(a.pk not in editable_ids for a in assessments):
        raise PermissionError(f"{user} may not link evidence to these standards")
    if not assessments:
        raise ActionRefusedError("A file must support at least one standard; delete it instead.")
    current = {
        link.assessment_id: link for link in evidence.links.select_related("assessment__standard")
    }
    wanted = {a.pk: a for a in assessments}
    for assessment_id, link in current.items():
        if assessment_id in editable_ids and assessment_id not in wanted:
            link.delete()
            audit_event_record(
                audit=evidence.audit,
                actor=user,
                action=AuditEvent.Action.UNLINKED,
                object_label=f"{evidence} → {link.assessment.standard.code}",
                assessments=[link.assessment],
            )
    for assessment_id, assessment in wanted.items():
        if assessment_id not in current:
            EvidenceLink.objects.create(
                institution_id=evidence.institution_id,
                evidence=evidence,
                assessment=assessment,
                linked_by=user,
            )
            audit_event_record(
                audit=evidence.audit,
                actor=user,
                action=AuditEvent.Action.LINKED,
                object_label=f"{evidence} → {assessment.standard.code}",
                assessments=[assessment],
            )


@transaction.atomic
def evidence_link_add(
    *, evidence: EvidenceFile, user: User, assessment: StandardAssessment
) -> EvidenceLink:
    """Let a file already in the dossier support one more standard (no second upload)."""
    _require_change(user, evidence)
    if assessment.audit_id != evidence.audit_id or not assessment_policy.can(
        user, AssessmentAction.EDIT, assessment
    ):
        raise PermissionError(f"{user} may not link evidence to {assessment}")
    link, created = EvidenceLink.objects.for_institution(evidence.institution_id).get_or_create(
        evidence=evidence,
        assessment=assessment,
        defaults={"institution_id": evidence.institution_id, "linked_by": user},
    )
    if created:
        audit_event_record(
            audit=evidence.audit,
            actor=user,
            action=AuditEvent.Action.LINKED,
            object_label=f"{evidence} → {assessment.standard.code}",
            assessments=[assessment],
        )
    return link


@transaction.atomic
def evidence_effective_date_set(
    *, evidence: EvidenceFile, user: User, effective_date: date | None
) -> None:
    """When the document took effect (None: not given); the look-back window is checked
    against it."""
    _require_change(user, evidence)
    if effective_date == evidence.effective_date:
        return
    previous = evidence.effective_date
    evidence.effective_date = effective_date
    evidence.save(update_fields=["effective_date"])
    audit_event_record(
        audit=evidence.audit,
        actor=user,
        action=AuditEvent.Action.DATED,
        object_label=f"{evidence}: {effective_date.isoformat() if effective_date else 'no date'}",
        details={
            "previous": previous.isoformat() if previous else None,
            "effective_date": effective_date.isoformat() if effective_date else None,
        },
        assessments=_supported(evidence),
    )


@transaction.atomic
def evidence_delete(*, evidence: EvidenceFile, user: User) -> None:
    """Soft delete: the file leaves the dossier; the record and the history stay."""
    _require_change(user, evidence)
    updated = (
        EvidenceFile.objects.for_institution(evidence.institution_id)
        .filter(pk=evidence.pk, deleted_at__isnull=True)
        .update(deleted_at=timezone.now(), deleted_by=user)
    )
    if updated:
        audit_event_record(
            audit=evidence.audit,
            actor=user,
            action=AuditEvent.Action.DELETED,
            object_label=str(evidence),
            details={
                "sha256": evidence.current_revision.sha256 if evidence.current_revision else ""
            },
            assessments=_supported(evidence),
        )


@transaction.atomic
def evidence_flag_review(*, evidence: EvidenceFile, user: User) -> None:
    """A coordinator has checked a flagged file and keeps it."""
    _require_change(user, evidence)
    if audit_policy.dossier_role(user, evidence.audit) != Membership.Role.COORDINATOR:
        raise ActionForbiddenError("Only a coordinator can clear a personal-data flag.")
    revision = evidence.current_revision
    if revision is None or not revision.is_flagged:
        raise ActionRefusedError("This file is not flagged.")
    revision.personal_data_reviewed_at = timezone.now()
    revision.personal_data_reviewed_by = user
    revision.save(update_fields=["personal_data_reviewed_at", "personal_data_reviewed_by"])
    audit_event_record(
        audit=evidence.audit,
        actor=user,
        action=AuditEvent.Action.FLAG_REVIEWED,
        object_label=revision.original_name,
        details={"findings": [f["label"] for f in revision.personal_data_findings]},
        assessments=_supported(evidence),
    )


def evidence_addendum_store(
    *,
    audit: Audit,
    user: User,
    uploaded: UploadedFile,
    assessments: list[StandardAssessment],
    confirmed_no_personal_data: bool,
    number: int,
) -> EvidenceFile:
    """Store one file added to a sealed dossier by an answer to an evidence request, with its
    E-number. The same checks as any upload (content, size, personal data); a file in which
    personal data is found is refused, since nobody reviews flags once the dossier is sealed.
    The caller holds the audit's row lock and checks who may answer."""
    evidence = EvidenceFile.objects.create(
        institution_id=audit.institution_id, audit=audit, created_by=user, number=number
    )
    revision = _new_revision(
        evidence=evidence, uploaded=uploaded, user=user, confirmed=confirmed_no_personal_data
    )
    if revision.is_flagged:
        revision.file.delete(save=False)
        labels = ", ".join(f["label"].lower() for f in revision.personal_data_findings)
        raise EvidenceRefusedError(
            f"{revision.original_name}: it may contain personal data ({labels}). Remove it and "
            "upload the file again."
        )
    EvidenceLink.objects.bulk_create(
        EvidenceLink(
            institution_id=audit.institution_id,
            evidence=evidence,
            assessment=assessment,
            linked_by=user,
        )
        for assessment in assessments
    )
    return evidence


# --- A renewal: files carried forward ------------------------------------------------------------


@dataclass(frozen=True)
class CarriedForward:
    carried: int
    outside_window: int  # live files of the last audit dated before the new look-back window


def evidence_carry_forward(
    *,
    source: Audit,
    audit: Audit,
    user: User,
    since: date,
    assessments: dict[str, StandardAssessment],
) -> CarriedForward:
    """Carry the last audit's live files that are still inside the look-back window (effective
    date, else upload date, on or after ``since``) into a renewal's new dossier, each linked to
    the same standards (by code, in ``assessments``) and marked to be confirmed.

    The new file's first version is the stored file itself (same storage key, same SHA-256): a
    stored file is never deleted once its row exists, so both dossiers can keep it. The caller
    holds the new audit, just created and unsealed, in its transaction."""
    scope = source.institution_id
    links: dict[int, list[str]] = {}
    for evidence_id, code in (
        EvidenceLink.objects.for_institution(scope)
        .filter(evidence__audit=source, evidence__deleted_at__isnull=True)
        .values_list("evidence_id", "assessment__standard__code")
    ):
        if code in assessments:
            links.setdefault(evidence_id, []).append(code)
    sources = list(
        EvidenceFile.objects.for_institution(scope)
        .filter(pk__in=links, current_revision__isnull=False)
        .select_related("current_revision")
        .order_by("pk")
    )
    inside = [
        f
        for f in sources
        if (f.effective_date or timezone.localdate(f.current.uploaded_at)) >= since
    ]
    carried = EvidenceFile.objects.bulk_create(
        EvidenceFile(
            institution_id=audit.institution_id,
            audit=audit,
            effective_date=old.effective_date,
            created_by=user,
            carried_from=old,
        )
        for old in inside
    )
    revisions = EvidenceRevision.objects.bulk_create(
        EvidenceRevision(
            institution_id=audit.institution_id,
            evidence=new,
            number=1,
            file=old.current.file.name,
            original_name=old.current.original_name,
            size=old.current.size,
            sha256=old.current.sha256,
            mime_type=old.current.mime_type,
            kind=old.current.kind,
            uploaded_by=old.current.uploaded_by,
            uploaded_by_email=old.current.uploaded_by_email,
            confirmed_no_personal_data=old.current.confirmed_no_personal_data,
            personal_data_findings=old.current.personal_data_findings,
            personal_data_reviewed_at=old.current.personal_data_reviewed_at,
            personal_data_reviewed_by=old.current.personal_data_reviewed_by,
        )
        for new, old in zip(carried, inside, strict=True)
    )
    for new, revision in zip(carried, revisions, strict=True):
        new.current_revision = revision
    EvidenceFile.objects.for_institution(audit.institution_id).bulk_update(
        carried, ["current_revision"]
    )
    EvidenceLink.objects.bulk_create(
        EvidenceLink(
            institution_id=audit.institution_id,
            evidence=new,
            assessment=assessments[code],
            linked_by=user,
        )
        for new, old in zip(carried, inside, strict=True)
        for code in links[old.pk]
    )
    return CarriedForward(carried=len(carried), outside_window=len(sources) - len(inside))


@transaction.atomic
def evidence_carried_confirm(*, files: list[EvidenceFile], user: User) -> int:
    """A coordinator or contributor who may change the files confirms that files carried forward
    by a renewal still hold; the number confirmed (files already confirmed are skipped)."""
    for evidence in files:
        _require_change(user, evidence)
    pending = [f for f in files if f.to_confirm]
    if not pending:
        raise ActionRefusedError(_("No carried-forward file is waiting to be confirmed here."))
    now = timezone.now()
    EvidenceFile.objects.for_institution(pending[0].institution_id).filter(
        pk__in=[f.pk for f in pending], carried_confirmed_at__isnull=True
    ).update(carried_confirmed_at=now, carried_confirmed_by=user)
    assessments = {a.pk: a for f in pending for a in _supported(f)}
    audit_event_record(
        audit=pending[0].audit,
        actor=user,
        action=AuditEvent.Action.CARRIED_CONFIRMED,
        object_label=", ".join(f.current.original_name for f in pending)[:300],
        details={"files": [f.pk for f in pending]},
        assessments=list(assessments.values()),
    )
    return len(pending)
