"""The certification decision and the certificates it issues.

An ERNST admin who took no part in the audit decides on an audit with a final report: certify at
a level, certify on conditions (open minor nonconformities with accepted plans, closed by a date),
or do not certify. The rule evaluation's proposal is recorded with the decision; a decision that
departs from it carries the reason.

A certificate has a number without gaps or duplicates per scheme and year
(``RESCUE-INT-2026-000123``), an unguessable code for its public verification page, the scope
(institution, scheme, level, setting, catalogue version), its dates and a status. Every change of
status is a ``CertificateEvent``: who, when, why.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audits.models import Audit
from institutions.tenancy import TenantOwnedModel
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


class CertificateSequence(models.Model):
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

    @property
    def action_label(self) -> str:
        return str(self.Action(self.action).label)
