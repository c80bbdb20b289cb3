"""Shared helpers for the evidence HTTP tests: upload payloads, page messages, snapshots.

The bad inputs are listed once here and used by the page, JSON and API tests, so every entry
point refuses the same files for the same reasons.
"""

import hashlib
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse

from audits.models import Audit, AuditEvent, StandardAssessment
from evidence import inspection
from evidence.models import EvidenceFile, EvidenceLink, EvidenceRevision
from evidence.services import evidence_upload
from tests.evidence import samples
from tests.world import World

SEALED = "The dossier is submitted and can no longer be changed."
ONE_KB = "1.0\u00a0KB"  # a 1024-byte limit as filesizeformat writes it (non-breaking space)

# An e-mail address and a mobile number: stored, but flagged for review.
PERSONAL_TEXT = "Peer support lead: ana.garcia@hospital.example, mobile +34 612 345 678."


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    """A file as a browser sends it; the declared type is ignored by the server."""
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@dataclass(frozen=True)
class BadFile:
    id: str
    name: str
    build: Callable[[], bytes]
    reason: str

    @property
    def message(self) -> str:
        """What the user is told: the (sanitised) file name and why it was refused."""
        return f"{self.name}: {self.reason}"


BAD_FILES = [
    BadFile("windows-executable", "setup.exe", samples.pe_bytes, inspection.REASON_PROGRAM),
    BadFile("elf-named-pdf", "report.pdf", samples.elf_bytes, inspection.REASON_PROGRAM),
    BadFile("script-named-txt", "notes.txt", samples.shell_script_bytes, inspection.REASON_PROGRAM),
    BadFile("html-page", "policy.html", samples.html_bytes, inspection.REASON_HTML_NAME),
    BadFile("html-named-txt", "policy.txt", samples.html_bytes, inspection.REASON_HTML),
    BadFile("svg", "logo.svg", samples.svg_bytes, inspection.REASON_SVG),
    BadFile("svg-named-png", "logo.png", samples.svg_bytes, inspection.REASON_SVG),
    BadFile("zip-archive", "evidence.zip", samples.zip_bytes, inspection.REASON_ARCHIVE),
    BadFile("zip-named-pdf", "minutes.pdf", samples.zip_bytes, inspection.REASON_ARCHIVE),
    BadFile(
        "docm",
        "procedure.docm",
        lambda: samples.docx_bytes(vba_project=True, macro_content_type=True),
        inspection.REASON_MACRO,
    ),
    BadFile("xlsm", "rota.xlsm", samples.xlsx_bytes, inspection.REASON_MACRO),
    BadFile(
        "macros-named-docx",
        "procedure.docx",
        lambda: samples.docx_bytes(vba_project=True),
        inspection.REASON_MACRO,
    ),
    BadFile("empty", "empty.pdf", lambda: b"", inspection.REASON_EMPTY),
    BadFile(
        "pdf-named-docx",
        "policy.docx",
        samples.pdf_bytes,
        "its name ends in .docx but its content is a PDF document",
    ),
]

# One good file of every accepted kind: (name sent, content, kind code, recorded type).
GOOD_FILES: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("Policy.pdf", samples.pdf_bytes, "pdf", "application/pdf"),
    (
        "Procedure.docx",
        samples.docx_bytes,
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "Rota.xlsx",
        lambda: samples.xlsx_bytes([["Week", "Supporter"], [1, "On call team"]]),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "Training.pptx",
        samples.pptx_bytes,
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("Procedure.odt", samples.odt_bytes, "odt", "application/vnd.oasis.opendocument.text"),
    ("Indicators.ods", samples.ods_bytes, "ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("Poster.png", samples.png_bytes, "png", "image/png"),
    ("Photo.jpg", samples.jpeg_bytes, "jpeg", "image/jpeg"),
    ("Sessions.csv", samples.csv_bytes, "csv", "text/csv"),
    ("Notes.txt", samples.txt_bytes, "txt", "text/plain"),
]


# --- URLs -----------------------------------------------------------------------------------------


def upload_url(world: World) -> str:
    return reverse("audits:evidence_upload", args=[world.audit_a.pk])


def api_url(world: World) -> str:
    return f"/api/v1/audits/{world.audit_a.pk}/evidence/"


def standard_url(world: World, assessment: StandardAssessment | None = None) -> str:
    code = (assessment or world.assessment_a).standard.code
    return reverse("audits:standard", args=[world.audit_a.pk, code])


def file_url(action: str, world: World, evidence: EvidenceFile) -> str:
    return reverse(f"audits:{action}", args=[world.audit_a.pk, evidence.pk])


# --- Reading responses ----------------------------------------------------------------------------

_MESSAGE = re.compile(r'<li class="message message-(\w+)">(.*?)</li>', re.DOTALL)


def page_messages(response: HttpResponse, level: str = "error") -> list[str]:
    """The messages of one level shown at the top of a rendered page."""
    return [
        html.unescape(text)
        for tag, text in _MESSAGE.findall(response.content.decode())
        if tag == level
    ]


_LISTED_FILE = re.compile(r'<a href="/audits/\d+/evidence/(\d+)/download/">([^<]*)</a>')


def listed_files(response: HttpResponse) -> list[str]:
    """The names in a standard page's table of evidence files."""
    return [html.unescape(name) for _, name in _LISTED_FILE.findall(response.content.decode())]


def page_text(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def template_names(response: HttpResponse) -> list[str]:
    return [template.name for template in response.templates]


# --- State ----------------------------------------------------------------------------------------


def stored_files() -> dict[str, bytes]:
    """Every evidence file in storage (relative path → content)."""
    root = Path(settings.MEDIA_ROOT)
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in (root / "evidence").rglob("*")
        if path.is_file()
    }


def snapshot() -> dict[str, Any]:
    """Everything an evidence action may change: rows, assignees and the files in storage."""
    return {
        "files": list(EvidenceFile.unscoped.order_by("pk").values()),
        "revisions": list(EvidenceRevision.unscoped.order_by("pk").values()),
        "links": list(EvidenceLink.unscoped.order_by("pk").values()),
        "events": list(AuditEvent.unscoped.order_by("pk").values()),
        "assessments": list(StandardAssessment.unscoped.order_by("pk").values()),
        "assignees": list(
            StandardAssessment.assignees.through.objects.order_by("pk").values_list(
                "standardassessment_id", "user_id"
            )
        ),
        "storage": stored_files(),
    }


def seal(world: World) -> None:
    """The dossier submitted (straight in the database: submission itself is tested elsewhere)."""
    Audit.unscoped.filter(pk=world.audit_a.pk).update(status=Audit.Status.SUBMITTED)


def rate(world: World) -> None:
    """A saved self-assessment of the contributor's standard, which uploads must leave alone."""
    StandardAssessment.unscoped.filter(pk=world.assessment_a.pk).update(
        self_rating=StandardAssessment.Rating.MET,
        narrative="The peer support policy was approved by the board in March 2025.",
    )


def new_files(world: World) -> list[EvidenceFile]:
    """Evidence files other than the world's (rota.txt, the application's reflection.txt),
    oldest first."""
    return list(
        EvidenceFile.unscoped.exclude(pk__in=[world.evidence_a.pk, world.application_evidence.pk])
        .select_related("current_revision")
        .order_by("pk")
    )


def store(
    world: World,
    name: str,
    content: bytes | None = None,
    *,
    role: str = "coordinator_a",
    assessment: StandardAssessment | None = None,
) -> EvidenceFile:
    """A file put in the dossier through the service (setup, not what is under test)."""
    return evidence_upload(
        audit=world.audit_a,
        user=world.users[role],
        uploaded=SimpleUploadedFile(name, content or samples.txt_bytes(f"{name} contents")),
        assessments=[assessment or world.assessment_a],
        confirmed_no_personal_data=True,
    )
