"""What an institution holds now, for the steps that rest on it.

- ``execution_basis``: a Comprehensive-level Intervention audit rests on an active
  RESCUE-Intervention certificate at the Execution level or above, issued here; for a certificate
  issued before RESCUE Audit existed, an ERNST admin's ``PriorCertificationConfirmation`` stands in
  for it until the date it was valid until.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import PriorCertificationConfirmation
from certification.models import Certificate, Scheme
from standards.choices import InterventionLevel

EXECUTION_OR_ABOVE = (InterventionLevel.EXECUTION, InterventionLevel.COMPREHENSIVE)


@dataclass(frozen=True)
class ExecutionBasis:
    """What a Comprehensive application rests on: a certificate of the product, or the admin's
    record of one from before."""

    certificate: Certificate | None
    confirmation: PriorCertificationConfirmation | None

    @property
    def label(self) -> str:
        if self.certificate is not None:
            return _("%(number)s (%(level)s, valid until %(date)s)") % {
                "number": self.certificate.number,
                "level": self.certificate.level_label,
                "date": self.certificate.expires_on.isoformat(),
            }
        email = self.confirmation.confirmed_by_email if self.confirmation else ""
        return _("an Execution certificate issued before RESCUE Audit, confirmed by %(email)s") % {
            "email": email
        }


def execution_basis(institution_id: int, today: date | None = None) -> ExecutionBasis | None:
    """The active Execution-or-above Intervention certificate the institution holds (the latest),
    else a confirmation of a pre-product one still valid, else None."""
    today = today or timezone.localdate()
    certificate = (
        Certificate.objects.for_institution(institution_id)
        .filter(
            scheme=Scheme.INTERVENTION,
            level__in=EXECUTION_OR_ABOVE,
            status=Certificate.Status.ACTIVE,
            expires_on__gte=today,
        )
        .order_by("-issued_on", "-pk")
        .first()
    )
    if certificate is not None:
        return ExecutionBasis(certificate, None)
    confirmation = (
        PriorCertificationConfirmation.objects.for_institution(institution_id)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-confirmed_at")
        .first()
    )
    if confirmation is not None:
        return ExecutionBasis(None, confirmation)
    return None
