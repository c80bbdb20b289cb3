"""Reports: PDFs rendered by Celery workers from the audit's data.

A ``Report`` is one request for one document (a kind, in a language). Its status moves
queued → rendering → ready (or failed). Each render attempt takes a numbered claim on the row (and
records the task holding it); only the latest claim may store the file or fail the report, so a
task delivered twice (a worker killed mid-render, a broker redelivery, a re-send by the recovery
task) still ends with exactly one file. ``input_digest`` identifies what the document shows: a
ready report whose digest matches the dossier as it is now is given back instead of a new version.
"""

import uuid

from django.conf import settings
from django.db import models

from audits.models import Audit
from institutions.tenancy import TenantOwnedModel


def report_storage_path(instance: "Report", filename: str) -> str:
    folder = f"reports/{instance.institution_id}/{instance.audit_id}"
    return f"{folder}/{instance.kind}-v{instance.version}-{uuid.uuid4().hex[:12]}.pdf"


class Report(TenantOwnedModel):
    class Kind(models.TextChoices):
        DOSSIER = "dossier", "Dossier report"
        AUDIT = "audit", "Audit report"
        DECISION = "decision", "Decision letter"
        CERTIFICATE = "certificate", "Certificate"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    certificate = models.ForeignKey(
        "certification.Certificate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        help_text="The certificate a certificate PDF is of (certificate kind only).",
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    version = models.PositiveIntegerField(help_text="1 for the first report of this kind, then 2…")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_by_email = models.EmailField()
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(
        default=0, help_text="Render attempts claimed so far (one given back is not counted)."
    )
    task_id = models.CharField(
        max_length=255, blank=True, help_text="The Celery task holding the current attempt."
    )
    file = models.FileField(upload_to=report_storage_path, max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    input_digest = models.CharField(
        max_length=64,
        blank=True,
        help_text=(
            "SHA-256 of everything the document shows (reports/dossier.py): a request for the "
            "same input gets this report back once it is ready."
        ),
    )

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "kind", "version"], name="report_unique_version"
            ),
        ]
        indexes = [models.Index(fields=["audit", "kind", "-version"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} of audit {self.audit_id}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    @property
    def filename(self) -> str:
        institution = "".join(c if c.isalnum() else "-" for c in self.audit.institution.name)
        return f"RESCUE-{self.kind}-{institution.strip('-')[:60]}-v{self.version}.pdf"
