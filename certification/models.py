"""The certification decision and the certificates it issues.

An ERNST admin who took no part in the audit decides on an audit with a final report: certify at
a level, certify on conditions (open minor nonconformities with accepted plans, closed by a date),
or do not certify. The rule evaluation's proposal is recorded with the decision; a decision that
departs from it carries the reason.

A certificate has a number without gaps or duplicates per scheme and year
(``RESCUE-INT-2026-000123``), an unguessable code for its public verification page, the scope
(institution, scheme, level, setting, catalogue version), its dates and a status. Every change of
status is a ``CertificateEvent``: who, when, why.

The institution may appeal a decision once (``Appeal``, with the statement's ``AppealFile``s);
an appeal that changes the decision records the new outcome beside it (certification/appeals.py).
"""

import secrets
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audits.models import Audit
from institutions.tenancy import TenantOwnedModel
from rescue.choices import ChoiceLabels
from standards.choices import InterventionLevel, Setting
from standards.models import CatalogueVersion


def verification_code() -> str:
    """The code the QR code carries: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


class Decision(TenantOwnedModel):
    class Outcome(models.TextChoices):
        CERTIFY = "certify", _("Certify")
        CONDITIONS = "conditions", _("Certify on conditions")
        DO_NOT_CERTIFY = "do_not_certify", _("Do not certify")

    audit = models.OneToOneField(Audit, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    level = models.CharField(
        max_length=16,
        choices=InterventionLevel.choices,
        blank=True,
        help_text="RESCUE-Intervention: the level certified; empty otherwise.",
    )
    conditions_due_on = models.DateField(
        null=True, blank=True, help_text="On conditions: the day the open nonconformities close."
    )
    reason = models.TextField(help_text="The grounds of the decision.")
    proposed_outcome = models.CharField(max_length=16, choices=Outcome.choices)
    proposed_level = models.CharField(max_length=16, choices=InterventionLevel.choices, blank=True)
    proposal = models.CharField(
        max_length=300, help_text="The rule evaluation's proposal, as read."
    )
    recommendation = models.CharField(
        max_length=300, blank=True, help_text="The lead auditor's recommendation, as read."
    )
    departure_reason = models.TextField(
        blank=True, help_text="Why the decision departs from the rule evaluation's proposal."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by_email = models.EmailField()
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="conditions", conditions_due_on__isnull=False)
                | (~Q(outcome="conditions") & Q(conditions_due_on__isnull=True)),
                name="decision_conditions_have_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Decision on audit {self.audit_id}: {self.outcome}"

    @property
    def departs(self) -> bool:
        """Whether the decision is not what the rule evaluation proposed (conditions count as
        certifying)."""
        certifies = self.outcome != self.Outcome.DO_NOT_CERTIFY
        proposed = self.proposed_outcome != self.Outcome.DO_NOT_CERTIFY
        return certifies != proposed or (certifies and self.level != self.proposed_level)

    @property
    def label(self) -> str:
        label = str(self.Outcome(self.outcome).label)
        if self.level and self.outcome != self.Outcome.DO_NOT_CERTIFY:
            return f"{label}: {InterventionLevel(self.level).label}"
        return label


class Scheme(models.TextChoices):
    """What a certificate certifies."""

    INTERVENTION = "intervention", _("RESCUE-Intervention")
    TRAINING = "training", _("RESCUE-Training")
    MASTERY = "mastery", _("RESCUE Mastery")
    COMPETENCES = "competences", _("RESCUE-Supporters' Competences")


SCHEME_CODES = {
    Scheme.INTERVENTION: "INT",
    Scheme.TRAINING: "TRA",
    Scheme.MASTERY: "MAS",
    Scheme.COMPETENCES: "COM",
}


class CertificateSequence(ChoiceLabels, models.Model):
    """The last number given per scheme and year; read under a row lock in the transaction that
    issues the certificate, so numbers have no gaps and no duplicates."""

    prefix = models.CharField(max_length=16, unique=True, help_text="e.g. INT-2026")
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class Certificate(TenantOwnedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded")

    PUBLIC = (Status.ACTIVE, Status.SUSPENDED)  # what the public register lists

    number = models.CharField(max_length=32, unique=True)
    code = models.CharField(max_length=32, unique=True, default=verification_code)
    scheme = models.CharField(max_length=16, choices=Scheme.choices)
    audit = models.ForeignKey(
        Audit, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    level = models.CharField(max_length=16, choices=InterventionLevel.choices, blank=True)
    setting = models.CharField(max_length=16, choices=Setting.choices)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates_held",
        help_text="A certificate of competences: the person certified, whose it is wherever "
        "they work (the institution is the one they applied through).",
    )
    holder_name = models.CharField(
        max_length=300, blank=True, help_text="The holder's name as certified, copied at issue."
    )
    register_consent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A certificate of competences: when its holder agreed to be listed in the "
        "public register (name, country, validity); never listed without it.",
    )
    catalogue_version = models.ForeignKey(
        CatalogueVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_since = models.DateTimeField()
    suspended_until = models.DateField(
        null=True, blank=True, help_text="A suspension's planned end (the admin reinstates)."
    )
    status_reason = models.TextField(blank=True)
    conditions_due_on = models.DateField(
        null=True, blank=True, help_text="Issued on conditions: the day they must be closed."
    )
    superseded_by = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supersedes"
    )
    based_on = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="derived",
        help_text="Mastery: the two certificates it rests on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-issued_on", "-pk"]
        indexes = [
            # The certificates' list, newest first: ERNST's page is read off the index, not sorted
            # out of every certificate (6,000: 4.8-8.4 to 0.2 ms, bench/seed_scale.py --scale 2).
            models.Index(fields=["-issued_on", "-id"], name="certificate_newest_first"),
            models.Index(fields=["status", "expires_on"]),
            models.Index(fields=["institution", "scheme", "status"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status_label(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def scheme_label(self) -> str:
        return str(Scheme(self.scheme).label)

    @property
    def level_label(self) -> str:
        return str(InterventionLevel(self.level).label) if self.level else ""

    @property
    def is_public(self) -> bool:
        return self.status in self.PUBLIC

    def documents_audit(self) -> Audit | None:
        """The audit the certificate's PDFs are filed under (the reports pipeline is the
        audit's): the one it was issued on; for RESCUE Mastery, which no audit issues, that of
        its latest base issued on one (None for certificates from no audit)."""
        if self.audit_id is not None:
            return self.audit
        if self.scheme != Scheme.MASTERY:
            return None
        base = (
            self.based_on.filter(audit__isnull=False)
            .select_related("audit__institution")
            .order_by("-issued_on", "-pk")
            .first()
        )
        return base.audit if base is not None else None


class Renewal(TenantOwnedModel):
    """A renewal audit started from a certificate, pre-filled from the audit it was issued on;
    the certificate its decision issues supersedes this one."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="renewals")
    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="renewal")
    copied = models.PositiveIntegerField(default=0, help_text="Self-assessments copied as drafts.")
    carried = models.PositiveIntegerField(default=0, help_text="Files carried forward.")
    outside_window = models.PositiveIntegerField(
        default=0, help_text="Files of the last audit left behind: before the look-back window."
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Renewal of {self.certificate_id} by audit {self.audit_id}"


class CertificateEvent(TenantOwnedModel):
    """One change in a certificate's life: who, when, why. Names are copied so the record
    survives deletions."""

    class Action(models.TextChoices):
        ISSUED = "issued", _("Issued")
        SUSPENDED = "suspended", _("Suspended")
        AUTO_SUSPENDED = "auto_suspended", _("Suspended: a condition was not met in time")
        REINSTATED = "reinstated", _("Reinstated")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded")
        LAPSED = "lapsed", _("Lapsed with the certificates it rests on")
        APPEAL_WITHDRAWN = "appeal_withdrawn", _("Withdrawn on appeal")
        APPEAL_CHANGED = "appeal_changed", _("Changed on appeal")
        LISTED = "listed", _("Listed in the public register with the holder's consent")
        UNLISTED = "unlisted", _("Taken off the public register by the holder")

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=Certificate.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Certificate.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.EmailField(blank=True, help_text="Empty for the periodic tasks.")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.action}"


# --- Appeals ----------------------------------------------------------------------------------


def appeal_file_path(instance: "AppealFile", filename: str) -> str:
    """A random name under the institution and the appeal: never the uploader's name."""
    suffix = PurePosixPath(filename).suffix.lower()
    folder = f"appeals/{instance.institution_id}/{instance.appeal_id}"
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


class Appeal(TenantOwnedModel):
    """The institution's appeal against a certification decision: lodged by a coordinator with
    a statement (and files) within ``settings.APPEAL_WINDOW_DAYS`` of the decision, taken up by
    an ERNST admin who took part neither in the audit nor in the decision, and decided with a
    reason: the decision upheld, or changed (the new outcome recorded here; the decision itself
    stays as it was taken, and its certificates follow the new outcome). Names are copied so the
    record survives deletions."""

    class State(models.TextChoices):
        LODGED = "lodged", _("Lodged, waiting for an ERNST administrator")
        IN_HANDLING = "in_handling", _("In handling")
        DECIDED = "decided", _("Decided")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Decision upheld")
        CHANGED = "changed", _("Decision changed")

    OPEN = (State.LODGED, State.IN_HANDLING)

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="appeal")
    state = models.CharField(max_length=12, choices=State.choices, default=State.LODGED)
    statement = models.TextField(help_text="The institution's grounds for appealing.")
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    lodged_by_email = models.EmailField()
    lodged_at = models.DateTimeField(auto_now_add=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The ERNST admin who took the appeal up and decides it.",
    )
    handler_email = models.EmailField(blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, blank=True)
    new_outcome = models.CharField(
        max_length=16,
        choices=Decision.Outcome.choices,
        blank=True,
        help_text="Changed: the decision's outcome on appeal.",
    )
    new_level = models.CharField(
        max_length=16,
        choices=InterventionLevel.choices,
        blank=True,
        help_text="Changed, certifying a RESCUE-Intervention audit: the level certified.",
    )
    new_conditions_due_on = models.DateField(
        null=True, blank=True, help_text="Changed to certify on conditions: their date."
    )
    reason = models.TextField(blank=True, help_text="The grounds of the appeal's outcome.")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["-lodged_at", "-pk"]
        indexes = [models.Index(fields=["state", "lodged_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="lodged", taken_at__isnull=True, outcome="")
                | Q(state="in_handling", taken_at__isnull=False, outcome="")
                | (
                    Q(state="decided", taken_at__isnull=False, decided_at__isnull=False)
                    & ~Q(outcome="")
                    & ~Q(reason="")
                ),
                name="appeal_state_consistent",
            ),
            models.CheckConstraint(
                condition=(Q(outcome="changed") & ~Q(new_outcome=""))
                | (~Q(outcome="changed") & Q(new_outcome="", new_level="")),
                name="appeal_change_has_an_outcome",
            ),
            models.CheckConstraint(
                condition=Q(new_outcome="conditions", new_conditions_due_on__isnull=False)
                | (~Q(new_outcome="conditions") & Q(new_conditions_due_on__isnull=True)),
                name="appeal_conditions_have_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal against decision {self.decision_id}: {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN

    @property
    def state_label(self) -> str:
        return str(self.State(self.state).label)

    @property
    def outcome_label(self) -> str:
        return str(self.Outcome(self.outcome).label) if self.outcome else ""

    @property
    def new_label(self) -> str:
        """Changed: the new outcome as a decision's label reads ("Certify: Execution")."""
        if not self.new_outcome:
            return ""
        return Decision(outcome=self.new_outcome, level=self.new_level).label


class AppealFile(TenantOwnedModel):
    """A file of an appeal's statement, accepted by the evidence upload checks (content, size,
    personal data); stored privately, downloaded after the permission check."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=appeal_file_path, max_length=255)
    original_name = models.CharField(max_length=160, help_text="The uploader's name, sanitised.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    mime_type = models.CharField(max_length=120)
    kind = models.CharField(max_length=8)
    confirmed_no_personal_data = models.BooleanField(default=False)
    personal_data_findings = models.JSONField(
        default=list, blank=True, help_text="What the personal-data scan found (masked)."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_by_email = models.EmailField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantOwnedModel.Meta):
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_flagged(self) -> bool:
        return bool(self.personal_data_findings)

    @property
    def finding_labels(self) -> list[str]:
        return [str(finding["label"]) for finding in self.personal_data_findings]
