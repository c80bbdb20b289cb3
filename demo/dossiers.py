"""Demo dossiers: audits with self-ratings and real evidence files (generated PDFs and workbooks).

Every demo institution has an Intervention audit; the Spanish hospital's is submitted and sealed,
and it works on a Training dossier as well. Files are generated here, small and plausible, and
stored through the same services as an upload from the page.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import timedelta
from html import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from accounts.models import User
from audits.models import Audit, StandardAssessment
from audits.services.applications import audit_create
from audits.services.assessments import assessment_assignees_set, assessment_self_rate
from audits.services.submission import audit_submit
from demo.certification import SHORTFALL, final_review_demo_ensure
from demo.reviews import completed_review_demo_ensure, review_demo_ensure
from evidence.services import evidence_upload
from institutions.models import Institution, Membership
from standards.choices import Component, InterventionLevel
from standards.selectors import catalogue_version_active


@dataclass(frozen=True)
class DemoDocument:
    """One evidence file, supporting the standards of the listed sections."""

    filename: str
    title: str
    sections: tuple[str, ...]
    paragraphs: tuple[str, ...] = ()
    age_days: int = 300


INTERVENTION_DOCUMENTS = (
    DemoDocument(
        "second-victim-support-policy.pdf",
        "Second victim support policy",
        ("POL",),
        (
            (
                "The board commits the institution to support every worker involved in an adverse "
                "event, without blame, and names the programme lead."
            ),
            "The policy is reviewed every two years by the patient safety committee.",
        ),
        age_days=420,
    ),
    DemoDocument(
        "programme-design-and-budget.pdf",
        "Programme design and resources",
        ("DES",),
        (
            (
                "Three-tier model: self-care and local support, trained peer supporters, "
                "referral to specialised care. Protected time: two hours a month for each "
                "peer supporter."
            ),
        ),
        age_days=390,
    ),
    DemoDocument(
        "awareness-campaign-report.pdf",
        "Awareness campaign report",
        ("AWR",),
        (
            (
                "Induction sessions for all new staff, intranet page, posters in every ward, and a "
                "yearly reminder from the medical and nursing directors."
            ),
        ),
        age_days=200,
    ),
    DemoDocument(
        "activation-procedure.pdf",
        "Activation procedure",
        ("ACC", "SUP"),
        (
            (
                "Any worker, manager or colleague can activate support by telephone or through the "
                "intranet form, 24 hours a day. First contact within 24 hours of the request."
            ),
            "Support sessions follow the RISE-based protocol; nothing said is recorded.",
        ),
        age_days=330,
    ),
    DemoDocument(
        "peer-supporter-register.xlsx",
        "Peer supporter register (training and supervision)",
        ("PSP",),
        age_days=60,
    ),
    DemoDocument(
        "open-disclosure-guideline.pdf",
        "Open disclosure with patients and relatives",
        ("PAT",),
        (
            (
                "The guideline links open disclosure to staff support: clinicians who disclose an "
                "adverse event are offered peer support on the same day."
            ),
        ),
        age_days=500,
    ),
    DemoDocument(
        "activation-indicators.xlsx",
        "Programme indicators, aggregated by quarter",
        ("EVA", "ACC"),
        age_days=30,
    ),
)

TRAINING_DOCUMENTS = (
    DemoDocument(
        "peer-supporter-curriculum.pdf",
        "Peer supporter curriculum",
        ("AIM", "CUR"),
        (
            (
                "Sixteen hours in four modules: second victim phenomenon, psychological first aid, "
                "active listening practice, self-care and referral."
            ),
        ),
        age_days=250,
    ),
    DemoDocument(
        "training-records.xlsx",
        "Training records, aggregated by cohort",
        ("TRP", "ASM"),
        age_days=40,
    ),
    DemoDocument(
        "training-evaluation-2026.pdf",
        "Training evaluation and refresher plan",
        ("QUA",),
        (
            (
                "Participants rate each module; trainers review the results every year and plan "
                "the refresher sessions."
            ),
        ),
        age_days=90,
    ),
)


@functools.cache
def _pdf(document: DemoDocument, institution_name: str) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, needed only when seeding

    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in document.paragraphs)
    html = (
        "<style>@page { size: A4; margin: 2cm } body { font-family: sans-serif; } "
        "h1 { font-size: 18pt } .meta { color: #555 }</style>"
        f"<h1>{escape(document.title)}</h1>"
        f"<p class='meta'>{escape(institution_name)} · approved "
        f"{timezone.localdate() - timedelta(days=document.age_days):%d %B %Y}</p>{paragraphs}"
    )
    return HTML(string=html).write_pdf()


def _xlsx(document: DemoDocument, institution: Institution) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has one sheet
    sheet.title = "Data"
    sheet.append([document.title, institution.name])
    if "indicators" in document.filename:
        sheet.append(["Quarter", "Activations", "First contact within 24 h", "Referred"])
        for quarter, activations in (("Q1", 9), ("Q2", 12), ("Q3", 7), ("Q4", 11)):
            sheet.append([quarter, activations, activations - 1, 1])
    else:
        sheet.append(["Cohort", "Trained", "Completed supervision", "Hours"])
        for cohort, trained in (("2024-A", 8), ("2024-B", 10), ("2025-A", 9)):
            sheet.append([cohort, trained, trained - 1, 16])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def demo_file(document: DemoDocument, institution: Institution) -> SimpleUploadedFile:
    if document.filename.endswith(".xlsx"):
        content = _xlsx(document, institution)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, mime = _pdf(document, institution.name), "application/pdf"
    return SimpleUploadedFile(document.filename, content, mime)


@dataclass(frozen=True)
class DemoDossier:
    institution: str
    component: str
    target_level: str
    documents: tuple[DemoDocument, ...]
    rated: int | None  # how many standards carry a self-rating (None: all)
    submit: bool = False
    # Once submitted: "blind" (two auditors at work), "complete" (the draft report released),
    # "final" (the final report awaits the decision) or "decided" (certified).
    review: str = "blind"


def _rate(assessment: StandardAssessment, user: User, document: DemoDocument | None) -> None:
    standard = assessment.standard
    if document is None:
        assessment_self_rate(
            assessment=assessment,
            user=user,
            self_rating=StandardAssessment.Rating.PARTIALLY_MET,
            narrative=f"{standard.title}: in place on some units; the evidence is being gathered.",
        )
        return
    rating = (
        StandardAssessment.Rating.PARTIALLY_MET
        if standard.order % 7 == 0
        else StandardAssessment.Rating.MET
    )
    assessment_self_rate(
        assessment=assessment,
        user=user,
        self_rating=rating,
        narrative=f"Described in the {document.title.lower()}; see the attached file.",
    )


def dossier_ensure(spec: DemoDossier, admin: User) -> Audit | None:
    """Create the demo dossier unless the institution already has an audit of the component."""
    institution = Institution.objects.get(name=spec.institution)
    if Audit.objects.for_institution(institution).filter(component=spec.component).exists():
        return None
    if catalogue_version_active(component=spec.component) is None:
        return None  # no catalogue loaded: nothing to audit against
    memberships = Membership.objects.filter(institution=institution).select_related("user")
    coordinator = next(m.user for m in memberships if m.role == Membership.Role.COORDINATOR)
    contributor = next(m.user for m in memberships if m.role == Membership.Role.CONTRIBUTOR)
    audit = audit_create(
        institution=institution,
        user=coordinator,
        component=spec.component,
        setting=institution.setting,
        target_level=spec.target_level,
    )
    assessments = list(
        StandardAssessment.objects.for_institution(institution)
        .filter(audit=audit)
        .select_related("standard__section", "audit__catalogue_version")
        .order_by("standard__order")
    )
    by_section: dict[str, list[StandardAssessment]] = {}
    for assessment in assessments:
        by_section.setdefault(assessment.standard.section.code, []).append(assessment)
    documented: dict[int, DemoDocument] = {}
    for document in spec.documents:
        supported = [a for code in document.sections for a in by_section.get(code, [])]
        if not supported:
            continue
        evidence_upload(
            audit=audit,
            user=coordinator,
            uploaded=demo_file(document, institution),
            assessments=supported,
            confirmed_no_personal_data=True,
            effective_date=timezone.localdate() - timedelta(days=document.age_days),
        )
        for assessment in supported:
            documented.setdefault(assessment.pk, document)
    rated = assessments if spec.rated is None else assessments[: spec.rated]
    for assessment in rated:
        _rate(assessment, coordinator, documented.get(assessment.pk))
    for assessment in assessments[:3]:
        assessment_assignees_set(assessment=assessment, user=coordinator, assignees=[contributor])
    if spec.submit:
        audit = audit_submit(audit=audit, user=coordinator)
        _review_ensure(spec, audit, admin)
    return audit


def _review_ensure(spec: DemoDossier, audit: Audit, admin: User) -> None:
    if spec.review == "complete":
        completed_review_demo_ensure(audit=audit, admin=admin)
    elif spec.review == "final":  # awaiting the decision: one minor nonconformity, planned
        final_review_demo_ensure(
            audit=audit,
            admin=admin,
            lead_email="auditor1@rescue.example",
            shortfall=SHORTFALL,
            decide=False,
        )
    elif spec.review == "decided":  # every standard met, certified by the ERNST admin
        final_review_demo_ensure(
            audit=audit,
            admin=admin,
            lead_email="auditor2@rescue.example",
            shortfall=None,
            decide=True,
        )
    else:
        review_demo_ensure(audit=audit, admin=admin)


DEMO_DOSSIERS = (
    DemoDossier(
        "Hospital Universitario del Mediterráneo",
        Component.INTERVENTION,
        InterventionLevel.EXECUTION,
        INTERVENTION_DOCUMENTS,
        rated=None,
        submit=True,
    ),
    DemoDossier(
        "Hospital Universitario del Mediterráneo",
        Component.TRAINING,
        "",
        TRAINING_DOCUMENTS,
        rated=None,
        submit=True,
        review="final",
    ),
    DemoDossier(
        "Gezondheidscentrum De Linde",
        Component.INTERVENTION,
        InterventionLevel.DESIGN,
        INTERVENTION_DOCUMENTS[:3],
        rated=8,
    ),
    DemoDossier(
        "Gezondheidscentrum De Linde",
        Component.TRAINING,
        "",
        TRAINING_DOCUMENTS,
        rated=None,
        submit=True,
        review="complete",
    ),
    DemoDossier(
        "Pflegeheim Am Lindenhof",
        Component.INTERVENTION,
        InterventionLevel.DESIGN,
        INTERVENTION_DOCUMENTS[:2],
        rated=3,
    ),
    DemoDossier(
        "Pflegeheim Am Lindenhof",
        Component.TRAINING,
        "",
        TRAINING_DOCUMENTS,
        rated=None,
        submit=True,
        review="decided",
    ),
)
