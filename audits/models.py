"""Audits: an institution's application for certification of one component.

An audit is pinned to the catalogue version that was active when it started; the catalogue
version cannot be deleted or changed in place while audits use it.
"""

from django.conf import settings
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

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


class AuditorAssignment(TenantOwnedModel):
    """An external auditor assigned to an audit by an ERNST admin.

    While the assignment is active the auditor holds the ``review_audit`` object permission on
    the audit; withdrawing the assignment or closing the audit removes it.
    """

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="assignments")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_assignments"
    )
    auditor_email = models.EmailField(help_text="Kept for the record if the account goes.")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "auditor"],
                condition=models.Q(ended_at__isnull=True),
                name="assignment_one_active_per_auditor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auditor_email} on {self.audit}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


# django-guardian object permissions on audits, with direct foreign keys (no generic relation,
# so rows go away with the audit and joins stay indexed).
class AuditUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Audit, on_delete=models.CASCADE)


class AuditGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Audit, on_delete=models.CASCADE)
