"""Reviews made directly: team places for worlds whose audit is not at the review stage, and
dossiers in review of any size."""

import hashlib

from django.core.files.base import ContentFile
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.models import User
from audits.models import Audit, StandardAssessment
from audits.permissions import PERM_REVIEW_AUDIT
from audits.services.submission import evidence_numbers_assign
from evidence.models import EvidenceFile, EvidenceLink, EvidenceRevision
from institutions.models import Institution
from reviews.models import AuditorAssignment, AuditorRating
from tests.factories.audits import AuditFactory
from tests.factories.standards import SectionFactory, StandardFactory


def review_place_grant(
    *,
    audit: Audit,
    auditor: User,
    assigned_by: User,
    role: str = AuditorAssignment.Role.LEAD,
    state: str = AuditorAssignment.State.ACCEPTED,
) -> AuditorAssignment:
    """An auditor on the audit's team with access to it, whatever the audit's stage: what the
    team service leaves behind, without its stage rules."""
    assignment = AuditorAssignment.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        auditor=auditor,
        auditor_email=auditor.email,
        role=role,
        state=state,
        assigned_by=assigned_by,
    )
    assign_perm(PERM_REVIEW_AUDIT, auditor, audit)
    return assignment


def review_dossier_build(
    *,
    institution: Institution,
    lead: User,
    second: User | None,
    admin: User,
    standards: int,
    files_per_standard: int,
    rated_by_each: int,
) -> Audit:
    """An audit in review, made directly (no PDF rendering, no seal): ``standards`` standards of
    a fresh catalogue, ``files_per_standard`` small PDF files linked to each, a lead (and a
    second) auditor who accepted, each with a rating of the first ``rated_by_each`` standards.
    For query counts and benchmarks that grow a dossier."""
    section = SectionFactory(catalogue_version__component="training")
    version = section.catalogue_version
    items = [StandardFactory(section=section, code=f"TRA{n + 1:02d}") for n in range(standards)]
    audit = AuditFactory(
        institution=institution,
        catalogue_version=version,
        target_level="",
        status=Audit.Status.IN_REVIEW,
        submitted_at=timezone.now(),
    )
    assessments = [
        StandardAssessment.objects.create(
            institution=institution,
            audit=audit,
            standard=standard,
            self_rating="met",
            narrative=f"How we meet {standard.code}.",
        )
        for standard in items
    ]
    files: dict[int, list[EvidenceFile]] = {}
    for assessment in assessments:
        for n in range(files_per_standard):
            evidence = EvidenceFile.objects.create(institution=institution, audit=audit)
            revision = EvidenceRevision(
                institution=institution,
                evidence=evidence,
                number=1,
                original_name=f"{assessment.standard.code}-{n + 1}.pdf",
                size=len(PDF),
                sha256=hashlib.sha256(PDF).hexdigest(),
                mime_type="application/pdf",
                kind="pdf",
                uploaded_by_email="coordinator@example.org",
                confirmed_no_personal_data=True,
            )
            revision.file.save(f"{assessment.standard.code}-{n}.pdf", ContentFile(PDF), save=False)
            revision.save()
            evidence.current_revision = revision
            evidence.save(update_fields=["current_revision"])
            EvidenceLink.objects.create(
                institution=institution, evidence=evidence, assessment=assessment
            )
            files.setdefault(assessment.pk, []).append(evidence)
    evidence_numbers_assign(audit=audit)  # as submission does
    for own in files.values():
        for evidence in own:
            evidence.refresh_from_db(fields=["number"])
    members = [(lead, AuditorAssignment.Role.LEAD)]
    if second is not None:
        members.append((second, AuditorAssignment.Role.SECOND))
    for auditor, role in members:
        place = review_place_grant(audit=audit, auditor=auditor, assigned_by=admin, role=role)
        for assessment in assessments[:rated_by_each]:
            rating = AuditorRating.objects.create(
                institution=institution,
                audit=audit,
                assignment=place,
                assessment=assessment,
                rating="partially_met",
                rationale=f"{auditor.email} on {assessment.standard.code}",
            )
            rating.evidence.set(files.get(assessment.pk, [])[:2])
    return audit


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
