"""Who reaches decisions and certificates (the public pages are in ``certification.public``).

ERNST admins reach every certificate and take decisions (``services.decision_refusal`` says who
may decide on which audit). The coordinators of an institution read its certificates and the
decisions on its audits; contributors and everyone else find nothing (404).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.permissions import is_platform_admin
from certification.models import Certificate
from institutions.models import Membership


def certificates_for(user: Any) -> QuerySet[Certificate]:
    """Every certificate for ERNST admins; an institution's for its coordinators."""
    # Across institutions on purpose: narrowed below to what the user reaches.
    certificates = Certificate.unscoped.select_related("institution")
    if not user.is_authenticated or not user.is_active:
        return certificates.none()
    if is_platform_admin(user):
        return certificates
    coordinating = Membership.objects.filter(user=user, role=Membership.Role.COORDINATOR).values(
        "institution_id"
    )
    return certificates.filter(institution_id__in=coordinating)


def certificate_or_404(user: Any, certificate_id: int) -> Certificate:
    certificate = (
        certificates_for(user)
        .select_related("audit", "decision", "catalogue_version", "superseded_by")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate
