"""Shared helpers for the dossier tests: reading pages, building a complete dossier, snapshots."""

import html
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from accounts.models import User
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services.applications import audit_create
from audits.services.assessments import assessment_self_rate
from audits.services.closure import audit_close
from evidence.models import EvidenceFile, EvidenceLink, EvidenceRevision
from evidence.services import evidence_upload
from institutions.models import Institution
from standards.choices import Component, InterventionLevel, Setting
from standards.models import CatalogueVersion
from tests.evidence import samples
from tests.world import World

_MESSAGE = re.compile(r'<li class="message message-(\w+)">(.*?)</li>', re.DOTALL)
_FORM_ERRORS = re.compile(r'<div class="form-errors" role="alert">(.*?)</div>', re.DOTALL)
_FIELD_ERROR = re.compile(r'<p class="field-error">(.*?)</p>', re.DOTALL)


def page_text(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def plain_text(response: HttpResponse) -> str:
    """The page's text without tags, whitespace collapsed: what a reader sees."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(text).split())


def page_messages(response: HttpResponse, level: str = "error") -> list[str]:
    """The flash messages of one level shown at the top of a rendered page."""
    return [
        html.unescape(text)
        for tag, text in _MESSAGE.findall(response.content.decode())
        if tag == level
    ]


def form_errors(response: HttpResponse) -> str:
    """The text of the form's error box (non-field errors) and of every field error."""
    content = response.content.decode()
    boxes = _FORM_ERRORS.findall(content) + _FIELD_ERROR.findall(content)
    return html.unescape(" ".join(boxes))


def active_intervention() -> CatalogueVersion:
    return CatalogueVersion.objects.get(
        component=Component.INTERVENTION, status=CatalogueVersion.Status.ACTIVE
    )


def free_institution_a(world: World) -> None:
    """Close the world's open Intervention audit of institution A so a new one can start."""
    audit_close(audit=world.audit_a, closed_by=world.users["admin"])


def start_audit(
    institution: Institution, user: User, level: str = InterventionLevel.DESIGN
) -> Audit:
    return audit_create(
        institution=institution,
        user=user,
        component=Component.INTERVENTION,
        setting=Setting.HOSPITAL,
        target_level=level,
    )


def assessments_of(audit: Audit) -> list[StandardAssessment]:
    return list(
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard")
        .order_by("standard__order")
    )


def pdf_upload(name: str, text: str) -> tuple[SimpleUploadedFile, bytes]:
    content = samples.pdf_bytes(text)
    return SimpleUploadedFile(name, content, "application/pdf"), content


def complete_dossier(
    audit: Audit, user: User, *, not_applicable: int = 0
) -> dict[str, list[tuple[EvidenceFile, bytes]]]:
    """Rate every standard; the first ``not_applicable`` ones are justified as not applicable,
    every other one is met with one small PDF of its own. Returns code → [(file, bytes)]."""
    uploads: dict[str, list[tuple[EvidenceFile, bytes]]] = {}
    for index, assessment in enumerate(assessments_of(audit)):
        code = assessment.standard.code
        if index < not_applicable:
            assessment_self_rate(
                assessment=assessment,
                user=user,
                self_rating=StandardAssessment.Rating.NOT_APPLICABLE,
                justification=f"{code} does not apply: no night shifts in this unit.",
            )
            uploads[code] = []
            continue
        assessment_self_rate(
            assessment=assessment,
            user=user,
            self_rating=StandardAssessment.Rating.MET,
            narrative=f"How we meet {code}.",
        )
        uploaded, content = pdf_upload(f"{code}-evidence.pdf", f"Evidence for {code}")
        evidence = evidence_upload(
            audit=audit,
            user=user,
            uploaded=uploaded,
            assessments=[assessment],
            confirmed_no_personal_data=True,
        )
        uploads[code] = [(evidence, content)]
    return uploads


def dossier_rows(audit: Audit) -> dict[str, Any]:
    """Every row a change to the dossier would touch, for before/after comparisons."""
    scope = audit.institution_id
    return {
        "audit": list(Audit.objects.for_institution(scope).filter(pk=audit.pk).values()),
        "assessments": list(
            StandardAssessment.objects.for_institution(scope)
            .filter(audit=audit)
            .order_by("pk")
            .values()
        ),
        "assignees": sorted(
            StandardAssessment.assignees.through.objects.filter(
                standardassessment__audit=audit
            ).values_list("standardassessment_id", "user_id")
        ),
        "files": list(
            EvidenceFile.objects.for_institution(scope).filter(audit=audit).order_by("pk").values()
        ),
        "revisions": list(
            EvidenceRevision.objects.for_institution(scope)
            .filter(evidence__audit=audit)
            .order_by("pk")
            .values()
        ),
        "links": list(
            EvidenceLink.objects.for_institution(scope)
            .filter(evidence__audit=audit)
            .order_by("pk")
            .values()
        ),
        "events": list(
            AuditEvent.objects.for_institution(scope).filter(audit=audit).order_by("pk").values()
        ),
    }
