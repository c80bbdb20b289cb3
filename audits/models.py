"""Audits: an institution's application for certification of one component.

An audit is pinned to the catalogue version that was active when it started; the catalogue
version cannot be deleted or changed in place while audits use it.
"""

from django.conf import settings
from django.db import models

from institutions.tenancy import TenantOwnedModel
from standards.choices import InterventionLevel, Setting
from standards.models import CatalogueVersion


class Audit(TenantOwnedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "In preparation"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        DECIDED = "decided", "Decided"
        CLOSED = "closed", "Closed"

    catalogue_version = models.ForeignKey(
        CatalogueVersion, on_delete=models.PROTECT, related_name="audits"
    )
    setting = models.CharField(max_length=16, choices=Setting.choices)
    target_level = models.CharField(
        max_length=16,
        choices=InterventionLevel.choices,
        blank=True,
        help_text="RESCUE-Intervention level applied for; empty for other components.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-created_at"]
        permissions = [
            ("review_audit", "Review and score this audit (assigned auditor)"),
            ("assign_auditor", "Assign auditors to audits (ERNST admin)"),
            ("view_all_audits", "See every institution's audits (ERNST admin)"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} — {self.catalogue_version}"
