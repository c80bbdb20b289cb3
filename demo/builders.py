"""A complete Intervention dossier, built through the services: for the benchmarks and tests.

Every standard gets its evidence files (small CSV files of indicators) and a "met" self-rating;
the dossier is then submitted and sealed unless asked otherwise.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from audits.models import Audit, PriorCertificationConfirmation, StandardAssessment
from audits.services.applications import audit_create
from audits.services.assessments import assessment_self_rate
from audits.services.submission import audit_submit
from evidence.services import evidence_upload
from institutions.models import Institution


def complete_dossier(
    *,
    institution: Institution,
    coordinator: User,
    level: str = "execution",
    files_per_standard: int = 1,
    narrative_sentences: int = 1,
    submit: bool = True,
) -> Audit:
    if level == "comprehensive":  # needs an Execution certification first
        PriorCertificationConfirmation.objects.create(
            institution=institution, confirmed_by_email="admin@example.org", reason="RESCUE-I-1"
        )
    audit = audit_create(
        institution=institution,
        user=coordinator,
        component="intervention",
        setting=institution.setting,
        target_level=level,
    )
    assessments = (
        StandardAssessment.objects.for_institution(institution)
        .filter(audit=audit)
        .select_related("standard", "audit__catalogue_version")
    )
    for assessment in assessments:
        standard = assessment.standard
        code = standard.code
        for number in range(1, files_per_standard + 1):
            evidence_upload(
                audit=audit,
                user=coordinator,
                uploaded=SimpleUploadedFile(
                    f"{code.lower()}-evidence-{number}.csv",
                    f"quarter,indicator,value\n2025-Q{number % 4 + 1},{code},{number}\n".encode(),
                    "text/csv",
                ),
                assessments=[assessment],
                confirmed_no_personal_data=True,
            )
        sentence = (
            f"{standard.title}: described in the programme documents, approved by the board, "
            "reviewed every year by the patient safety committee. "
        )
        assessment_self_rate(
            assessment=assessment,
            user=coordinator,
            self_rating=StandardAssessment.Rating.MET,
            narrative=sentence * narrative_sentences,
        )
    return audit_submit(audit=audit, user=coordinator) if submit else audit
