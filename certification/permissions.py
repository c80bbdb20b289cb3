"""Who reaches decisions and certificates (the public pages are in ``certification.public``).

ERNST admins reach every certificate and take decisions (``services.decision_refusal`` says who
may decide on which audit). The coordinators of an institution read its certificates and the
decisions on its audits; contributors and everyone else find nothing (404).

Appeals follow the same reach: every one for ERNST admins, an institution's for its coordinators
(``certification.appeals`` says who lodges and who may handle which).
"""

import operator
from functools import reduce
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.permissions import is_platform_admin
from certification.models import Appeal, AppealFile, Certificate
from institutions.models import Membership
from rescue.queries import any_of


def _coordinating(user: Any) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(user=user, role=Membership.Role.COORDINATOR).values(
        "institution_id"
    )


def _ways(user: Any) -> list[Q] | None:
    """The ways ``user`` reaches certificates: None for every one (ERNST admins), no way at all
    for someone signed out; an institution's for its coordinators, a person's for that person."""
    if not user.is_authenticated or not user.is_active:
        return []
    if is_platform_admin(user):
        return None
    return [Q(institution_id__in=_coordinating(user), holder__isnull=True), Q(holder=user)]


def certificates_for(user: Any) -> QuerySet[Certificate]:
    """Every certificate for ERNST admins; an institution's for its coordinators; a person's
    certificate of competences for that person only (it is theirs, wherever they work)."""
    # Across institutions on purpose: narrowed below to what the user reaches.
    certificates = Certificate.unscoped.select_related("institution")
    ways = _ways(user)
    if ways is None:
        return certificates
    if not ways:
        return certificates.none()
    return any_of(certificates, *(Certificate.unscoped.filter(way).values("pk") for way in ways))


def certificate_or_404(user: Any, certificate_id: int) -> Certificate:
    # One certificate, read by its key, then held to the same ways as ``certificates_for``.
    ways = _ways(user)
    certificates = Certificate.unscoped.select_related(
        "institution", "audit", "decision", "catalogue_version", "superseded_by"
    ).filter(pk=certificate_id)
    if ways == []:
        raise Http404("No such certificate.")
    if ways is not None:
        certificates = certificates.filter(reduce(operator.or_, ways))
    certificate = certificates.first()
    if certificate is None:
        raise Http404("No such certificate.")
    return certificate


def appeals_for(user: Any) -> QuerySet[Appeal]:
    """Every appeal for ERNST admins; an institution's for its coordinators; an applicant's for
    the applicant."""
    # Across institutions on purpose: narrowed below to what the user reaches.
    appeals = Appeal.unscoped.select_related("institution", "decision__audit")
    if not user.is_authenticated or not user.is_active:
        return appeals.none()
    if is_platform_admin(user):
        return appeals
    return appeals.filter(
        Q(institution_id__in=_coordinating(user), decision__audit__applicant__isnull=True)
        | Q(decision__audit__applicant=user)
    )


def appeal_or_404(user: Any, appeal_id: int) -> Appeal:
    appeal = (
        appeals_for(user)
        .select_related("decision__audit__catalogue_version", "decision__audit__institution")
        .prefetch_related("files", "decision__certificates")
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None:
        raise Http404("No such appeal.")
    return appeal


def appeal_file_or_404(user: Any, appeal_id: int, file_id: int) -> AppealFile:
    """A file of an appeal the user reaches (its institution's coordinators, ERNST admins)."""
    appeal = appeal_or_404(user, appeal_id)
    found = (
        AppealFile.objects.for_institution(appeal.institution_id)
        .filter(appeal=appeal, pk=file_id)
        .first()
    )
    if found is None:
        raise Http404("No such file.")
    return found
