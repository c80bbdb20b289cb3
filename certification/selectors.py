"""What the public may read of the certificates: the register, and one certificate's verification.

Anyone can find out whether a certificate is valid, suspended or withdrawn, and what it covers;
nothing else of the institution or of the audit is public. These reads cross institutions on
purpose (``Certificate.unscoped``), load only the columns that are published, and hand the pages
and the API a ``PublicCertificate``: a copy of the published facts, never the model, so that a
template or a serializer cannot reach a reason, an e-mail address or the verification code of
another certificate.

- ``register_list``: the certificates in force (valid or suspended, and not past their expiry),
  of the institutions' schemes, ordered by institution and number;
- ``certificate_by_code``: the verification behind the QR code's unguessable code;
- ``certificate_by_number``: the same verification, by the number the register shows.

The status said is what is true today: a certificate past its expiry reads as expired even before
the hourly task (``certificates_expire``) has recorded it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from certification.filters import REGISTER_SCHEMES, RegisterFilter
from certification.models import Certificate, Scheme
from standards.choices import InterventionLevel, Setting

Status = Certificate.Status

# The columns a public read loads: what is published, and what decides the status said.
PUBLISHED = (
    "number",
    "scheme",
    "level",
    "setting",
    "issued_on",
    "expires_on",
    "status",
    "status_since",
    "suspended_until",
    "institution__name",
    "institution__country",
    "holder_name",
)
# The verification code is URL-safe base64 (certification.models.verification_code); a number is
# RESCUE-INT-2026-000123. Anything else is no certificate, and is not sent to the database.
CODE_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,32}")
NUMBER_FORMAT = re.compile(r"[A-Za-z0-9-]{1,32}")


@dataclass(frozen=True)
class PublicCertificate:
    """The published facts of one certificate, its status as of today."""

    number: str
    scheme: str
    level: str
    setting: str
    holder_name: str  # a certificate of competences: the person certified ("" for institutions)
    institution_name: str  # "" for a person's certificate
    country: str  # ISO 3166 code
    country_name: str
    issued_on: date
    expires_on: date
    status: str
    status_since: date  # the day the status began (expired: the day after the last valid one)
    suspended_until: date | None  # suspended: the planned end, if one was set
    superseded_by: str | None  # superseded: the number of the certificate that replaces it

    @property
    def scheme_label(self) -> str:
        return str(Scheme(self.scheme).label)

    @property
    def level_label(self) -> str:
        return str(InterventionLevel(self.level).label) if self.level else ""

    @property
    def setting_label(self) -> str:
        return str(Setting(self.setting).label)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def valid(self) -> bool:
        return self.status == Status.ACTIVE


def public_certificate(certificate: Certificate, *, today: date | None = None) -> PublicCertificate:
    """The published facts of a certificate loaded by one of the selectors below."""
    today = today or timezone.localdate()
    status = certificate.status
    since = timezone.localdate(certificate.status_since)
    if status in Certificate.PUBLIC and certificate.expires_on < today:
        # Past its validity: expired, whether or not the hourly task has recorded it yet.
        status = Status.EXPIRED
    if status == Status.EXPIRED:
        since = certificate.expires_on + timedelta(days=1)
    superseded_by = None
    if status == Status.SUPERSEDED and certificate.superseded_by_id is not None:
        superseded_by = certificate.superseded_by.number  # type: ignore[union-attr]
    institution = certificate.institution
    return PublicCertificate(
        number=certificate.number,
        scheme=certificate.scheme,
        level=certificate.level,
        setting=certificate.setting,
        holder_name=certificate.holder_name,
        # A person's certificate publishes their name, country and validity, not where they work.
        institution_name="" if certificate.holder_name else institution.name,
        country=institution.country.code,
        country_name=institution.country_name,
        issued_on=certificate.issued_on,
        expires_on=certificate.expires_on,
        status=status,
        status_since=since,
        suspended_until=certificate.suspended_until if status == Status.SUSPENDED else None,
        superseded_by=superseded_by,
    )


def register_list(filters: Mapping[str, Any] | None = None) -> QuerySet[Certificate]:
    """The certificates in force, of every institution, with ``filters`` (the register's search
    and filters, ``certification.filters.RegisterFilter``) applied; a filter in error is left
    out. Map each row to ``public_certificate`` before showing it."""
    queryset = (
        Certificate.unscoped.filter(
            # A person's certificate of competences: only with its holder's consent.
            ~Q(scheme=Scheme.COMPETENCES) | Q(register_consent_at__isnull=False),
            status__in=Certificate.PUBLIC,
            scheme__in=REGISTER_SCHEMES,
            expires_on__gte=timezone.localdate(),
        )
        .select_related("institution")
        .only(*PUBLISHED)
        .order_by("institution__name", "number")
    )
    if filters is None:
        return queryset
    return RegisterFilter(filters, queryset=queryset).qs


def _verification_queryset() -> QuerySet[Certificate]:
    return Certificate.unscoped.select_related("institution", "superseded_by").only(
        *PUBLISHED, "superseded_by__number"
    )


def certificate_by_code(code: str) -> PublicCertificate | None:
    """The certificate whose verification code is ``code`` (None: there is none)."""
    if not CODE_FORMAT.fullmatch(code):
        return None
    certificate = _verification_queryset().filter(code=code).first()
    return public_certificate(certificate) if certificate is not None else None


def certificate_by_number(number: str) -> PublicCertificate | None:
    """The certificate numbered ``number``, in any case (None: there is none)."""
    number = number.strip().upper()
    if not NUMBER_FORMAT.fullmatch(number):
        return None
    certificate = _verification_queryset().filter(number=number).first()
    return public_certificate(certificate) if certificate is not None else None
