"""Evidence: the files an institution submits to show how it meets the standards.

An ``EvidenceFile`` is one document in one audit; each upload of it is an ``EvidenceRevision``
(the file, its SHA-256, size and detected type). A document can support several standards of the
same audit through ``EvidenceLink``. Deleting before submission is a soft delete.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models

from audits.models import Audit, StandardAssessment
from institutions.tenancy import TenantOwnedModel


def revision_storage_path(instance: "EvidenceRevision", filename: str) -> str:
    """A random name under the institution and audit: never the uploader's name."""
    suffix = PurePosixPath(filename).suffix.lower()
    folder = f"evidence/{instance.institution_id}/{instance.evidence.audit_id}"
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


class EvidenceFile(TenantOwnedModel):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="evidence_files")
    current_revision = models.ForeignKey(
        "EvidenceRevision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    effective_date = models.DateField(
        null=True, blank=True, help_text="The date the document took effect (policy approval…)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A renewal: the last audit's file this one carries forward.",
    )
    carried_confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a coordinator confirmed the carried file still holds; until then it is "
        "a gap of the dossier.",
    )
    carried_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    number = models.PositiveIntegerField(
        "E-number",
        null=True,
        blank=True,
        editable=False,
        help_text="The file's place in the sealed dossier (E1, E2…), fixed at submission: "
        "auditors cite it and the dossier report lists it.",
    )

    class Meta(TenantOwnedModel.Meta):
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["audit", "deleted_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "number"],
                condition=models.Q(number__isnull=False),
                name="evidence_unique_number",
            ),
        ]

    @property
    def to_confirm(self) -> bool:
        """Carried forward by a renewal and not yet confirmed."""
        return self.carried_from_id is not None and self.carried_confirmed_at is None

    def __str__(self) -> str:
        return self.current_revision.original_name if self.current_revision else f"file {self.pk}"

    @property
    def current(self) -> "EvidenceRevision":
        """The current revision: a stored file always has one (set in its upload's transaction)."""
        if self.current_revision is None:
            raise EvidenceRevision.DoesNotExist(f"evidence {self.pk} has no revision")
        return self.current_revision


def revision_flagged_q(prefix: str = "") -> models.Q:
    """``EvidenceRevision.is_flagged`` as a filter, for a revision reached through ``prefix``
    (for example ``"evidence__current_revision__"``)."""
    return ~models.Q(**{f"{prefix}personal_data_findings": []}) & models.Q(
        **{f"{prefix}personal_data_reviewed_at__isnull": True}
    )


class EvidenceRevision(TenantOwnedModel):
    evidence = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=revision_storage_path, max_length=255)
    original_name = models.CharField(max_length=160, help_text="The uploader's name, sanitised.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    mime_type = models.CharField(max_length=120)
    kind = models.CharField(max_length=8)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_by_email = models.EmailField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    confirmed_no_personal_data = models.BooleanField(default=False)
    personal_data_findings = models.JSONField(default=list, blank=True)
    personal_data_reviewed_at = models.DateTimeField(null=True, blank=True)
    personal_data_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(TenantOwnedModel.Meta):
        ordering = ["evidence", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "number"], name="revision_unique_number"),
        ]
        indexes = [
            # The revisions flagged for personal data and not yet reviewed, by institution: a few
            # among an institution's thousands, which the dossier's counts read
            # (audits.selectors._file_counts).
            models.Index(
                fields=["institution"], condition=revision_flagged_q(), name="revision_flagged"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (revision {self.number})"

    @property
    def is_flagged(self) -> bool:
        """Likely personal data found and not yet reviewed by a coordinator."""
        return bool(self.personal_data_findings) and self.personal_data_reviewed_at is None


class EvidenceLink(TenantOwnedModel):
    """Evidence supporting one standard's assessment (same audit)."""

    evidence = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="links")
    assessment = models.ForeignKey(
        StandardAssessment, on_delete=models.CASCADE, related_name="evidence_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwnedModel.Meta):
        constraints = [
            models.UniqueConstraint(fields=["evidence", "assessment"], name="link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} → {self.assessment_id}"
