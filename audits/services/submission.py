"""Submitting a dossier: every gap listed, or the dossier sealed with a manifest."""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.permissions import AuditAction, audit_policy
from audits.selectors import assessment_progress_list
from evidence.models import EvidenceFile, EvidenceRevision
from rescue.errors import ActionRefusedError


@dataclass(frozen=True)
class Gap:
    standard_code: str
    standard_title: str
    problem: str


class DossierIncompleteError(ActionRefusedError):
    def __init__(self, gaps: list[Gap]) -> None:
        self.gaps = gaps
        super().__init__(f"The dossier has {len(gaps)} gap(s); it was not submitted.")


def dossier_gaps(*, audit: Audit) -> list[Gap]:
    """What stands between the dossier and submission, standard by standard."""
    gaps: list[Gap] = []
    if audit.is_application and audit.endorsed_at is None:
        gaps.append(
            Gap(
                "",
                _("Endorsement"),
                _(
                    "not endorsed yet: a coordinator of %(institution)s confirms that you are an "
                    "active peer supporter of its programme"
                )
                % {"institution": audit.institution},
            )
        )
    for item in assessment_progress_list(audit=audit):
        standard = item.assessment.standard
        gaps += [Gap(standard.code, standard.title, problem) for problem in item.problems]
    for evidence in carried_to_confirm(audit):
        gaps.append(
            Gap(
                "",
                evidence.current.original_name,
                "carried forward from the last audit: confirm it still holds, or remove it",
            )
        )
    for evidence in _flagged_files(audit):
        revision = evidence.current
        labels = ", ".join(f["label"] for f in revision.personal_data_findings)
        gaps.append(
            Gap("", revision.original_name, f"may contain personal data ({labels}): review it")
        )
    return gaps


def carried_to_confirm(audit: Audit) -> QuerySet[EvidenceFile]:
    """A renewal's files carried forward from the last audit and not confirmed yet."""
    return (
        EvidenceFile.objects.for_institution(audit.institution_id)
        .filter(
            audit=audit,
            deleted_at__isnull=True,
            carried_from__isnull=False,
            carried_confirmed_at__isnull=True,
        )
        .select_related("current_revision")
        .order_by("pk")
    )


def _flagged_files(audit: Audit) -> list[EvidenceFile]:
    files = (
        EvidenceFile.objects.for_institution(audit.institution_id)
        .filter(audit=audit, deleted_at__isnull=True)
        .select_related("current_revision")
    )
    return [f for f in files if f.current_revision and f.current_revision.is_flagged]


def evidence_numbers_assign(*, audit: Audit) -> int:
    """Give each file of the dossier its E-number (E1, E2…): the live files that support at
    least one standard, in upload order. Done once, at submission; the numbers never change
    after, so that what an auditor cites stays what the dossier report lists."""
    files = list(
        EvidenceFile.objects.for_institution(audit.institution_id)
        .filter(audit=audit, deleted_at__isnull=True, links__isnull=False)
        .distinct()
        .order_by("created_at", "pk")
    )
    for number, evidence in enumerate(files, start=1):
        evidence.number = number
    EvidenceFile.objects.for_institution(audit.institution_id).bulk_update(files, ["number"])
    return len(files)


def dossier_manifest(*, audit: Audit) -> dict[str, Any]:
    """Standard → files → SHA-256, for the current revision of every live file."""
    standards: dict[str, dict[str, Any]] = {}
    for item in assessment_progress_list(audit=audit):
        assessment = item.assessment
        standards[assessment.standard.code] = {
            "self_rating": assessment.self_rating,
            "self_assessment_sha256": self_assessment_digest(assessment),
            "files": [
                {
                    "evidence_id": evidence.pk,
                    "revision": evidence.current.number,
                    "name": evidence.current.original_name,
                    "size": evidence.current.size,
                    "sha256": evidence.current.sha256,
                }
                for evidence in item.files
            ],
        }
    return {
        "audit": audit.pk,
        "institution": audit.institution.name,
        "component": audit.component,
        "catalogue_version": audit.catalogue_version.version,
        "target_level": audit.target_level,
        "setting": audit.setting,
        "standards": standards,
    }


def canonical_digest(value: dict[str, Any]) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def manifest_digest(manifest: dict[str, Any]) -> str:
    return canonical_digest(manifest)


def self_assessment_digest(assessment: StandardAssessment) -> str:
    """The sealed words of a self-assessment: rating, narrative and justification."""
    return canonical_digest(
        {
            "self_rating": assessment.self_rating,
            "narrative": assessment.narrative,
            "justification": assessment.justification,
        }
    )


@transaction.atomic
def audit_submit(*, audit: Audit, user: User) -> Audit:
    if not audit_policy.can(user, AuditAction.SUBMIT, audit):
        if audit.is_sealed:
            raise ActionRefusedError("This dossier has been submitted already.")
        raise PermissionError(f"{user} may not submit audit {audit.pk}")
    audit = (
        Audit.objects.for_institution(audit.institution_id)
        .select_for_update(of=("self",))
        .select_related("institution", "catalogue_version")
        .get(pk=audit.pk)
    )
    if audit.is_sealed:
        raise ActionRefusedError("This dossier has been submitted already.")
    gaps = dossier_gaps(audit=audit)
    if gaps:
        raise DossierIncompleteError(gaps)
    submitted_at = timezone.now()
    evidence_numbers_assign(audit=audit)
    manifest = dossier_manifest(audit=audit)
    manifest["submitted_at"] = submitted_at.isoformat()
    manifest["submitted_by"] = user.email
    audit.manifest = manifest
    audit.manifest_digest = manifest_digest(manifest)
    audit.status = Audit.Status.SUBMITTED
    audit.submitted_at = submitted_at
    audit.submitted_by = user
    audit.save(
        update_fields=["manifest", "manifest_digest", "status", "submitted_at", "submitted_by"]
    )
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.SUBMITTED,
        object_label=f"manifest {audit.manifest_digest[:12]}",
        details={"digest": audit.manifest_digest},
    )
    return audit


def stored_sha256(revision: EvidenceRevision) -> str | None:
    """The SHA-256 of a revision's stored file, read again (None: gone from storage)."""
    hasher = hashlib.sha256()
    try:
        with revision.file.open("rb") as handle:
            for chunk in handle.chunks():
                hasher.update(chunk)
    except FileNotFoundError:
        return None
    return hasher.hexdigest()


def manifest_verify(*, audit: Audit) -> list[str]:
    """Check the sealed dossier against its manifest: the manifest against its digest, each
    self-assessment against its hash, every stored file re-hashed. The problems found (none when
    intact)."""
    problems: list[str] = []
    if not audit.manifest or manifest_digest(audit.manifest) != audit.manifest_digest:
        return ["the manifest does not match its digest"]
    sealed = audit.manifest["standards"]
    for assessment in (
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard")
    ):
        entry = sealed.get(assessment.standard.code)
        if entry is None:
            problems.append(f"{assessment.standard.code}: not in the manifest")
        elif entry.get("self_assessment_sha256") != self_assessment_digest(assessment):
            problems.append(
                f"{assessment.standard.code}: the self-assessment has changed since submission"
            )
    revisions = {
        (r.evidence_id, r.number): r
        for r in EvidenceRevision.objects.for_institution(audit.institution_id).filter(
            evidence__audit=audit
        )
    }
    for code, entry in audit.manifest["standards"].items():
        for item in entry["files"]:
            revision = revisions.get((item["evidence_id"], item["revision"]))
            if revision is None:
                problems.append(f"{code}: {item['name']} is missing")
                continue
            stored = stored_sha256(revision)
            if stored is None:  # the row is there, the stored file is not
                problems.append(f"{code}: {item['name']} is missing from storage")
            elif stored != item["sha256"]:
                problems.append(f"{code}: {item['name']} has changed since submission")
    # What was added since, by answers to evidence requests, chains to the seal.
    from reviews.services.requests import addenda_verify  # noqa: PLC0415 - reviews builds on audits

    return problems + addenda_verify(audit=audit)
