"""The certificate PDF's content: one landscape page to frame, with a QR code to verify it.

``certificate_context`` reads the certificate the report is of (``Report.certificate``) with its
institution and catalogue version, and draws the QR code here on the server (segno, as SVG): it
encodes the absolute address of the certificate's public verification page,
``<SITE_URL>/verify/<code>/``. The page states the number and the validity only, never the live
status (active, suspended, withdrawn): that is on the verification page, which the page says.

``certificate_input`` picks every value the PDF depends on and ``certificate_input_digest`` is
its SHA-256, as for the dossier report (``reports.dossier``): a request for an unchanged
certificate gets its last ready PDF back. The digest covers what the document is (kind, language,
``CERTIFICATE_LAYOUT_VERSION``, the fingerprint of the layout files), the institution (name,
country), the certificate (number, scheme, level, setting, catalogue version, issue and expiry
dates, the date its conditions are due) and the verification address (the code and
``SITE_URL``). The status is not printed, so not in the digest: a suspension does not make a new
PDF. Left out as for the other kinds: the moment of generation and the version.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from audits.models import StandardAssessment
from certification.models import Certificate, Scheme
from reports.dossier import input_digest, iso, layout_fingerprint
from reviews.models import Rating

# Bump when this module's context or the QR code's drawing change (see reports/dossier.py).
CERTIFICATE_LAYOUT_VERSION = 4  # 3: the holder and the competences; 4: no setting on a person's
LAYOUT_TEMPLATES = ("pdf/base.html", "pdf/certificate.html")


def verification_url(certificate: Certificate) -> str:
    """The absolute address of the certificate's public verification page."""
    return f"{settings.SITE_URL.rstrip('/')}/verify/{certificate.code}/"


def qr_svg(text: str, *, label: str) -> SafeString:
    """``text`` as a QR code (error correction M, the standard quiet zone of four modules), an
    SVG sized by its container (a view box, no width or height)."""
    code = segno.make(text, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        border=4,
        dark="#000",
        title=label,
        svgclass="qr",
        lineclass=None,
        nl=False,
    )
    # segno escapes the title; the rest is its own drawing.
    return mark_safe(out.getvalue().decode())  # noqa: S308


def certificate_context(certificate: Certificate) -> dict[str, Any]:
    """Everything the certificate PDF shows (one query; Mastery: two)."""
    certificate = (
        Certificate.objects.for_institution(certificate.institution_id)
        .select_related("institution", "catalogue_version")
        .get(pk=certificate.pk)
    )
    url = verification_url(certificate)
    return {
        "certificate": certificate,
        # RESCUE Mastery names the two certificates it rests on.
        "based_on": list(certificate.based_on.order_by("scheme", "pk"))
        if certificate.scheme == Scheme.MASTERY
        else [],
        "institution": certificate.institution,
        "competences": _competences_certified(certificate),
        "verification_url": url,
        "qr": qr_svg(
            url,
            label=_("Verification page of certificate %(number)s") % {"number": certificate.number},
        ),
        "generated_at": timezone.now(),
    }


def _competences_certified(certificate: Certificate) -> list[tuple[str, str]]:
    """A certificate of competences: the competences its review found met (code, title), in
    the catalogue's order (one query; none for an institution's certificate)."""
    if certificate.holder_id is None or certificate.audit_id is None:
        return []
    return list(
        StandardAssessment.objects.for_institution(certificate.institution_id)
        .filter(audit_id=certificate.audit_id, consolidated_rating__rating=Rating.MET)
        .order_by("standard__order")
        .values_list("standard__code", "standard__title")
    )


def certificate_input(context: dict[str, Any], *, language: str, kind: str) -> dict[str, Any]:
    """Every value of ``certificate_context`` the PDF depends on, as plain JSON data."""
    certificate: Certificate = context["certificate"]
    catalogue = certificate.catalogue_version
    return {
        "kind": kind,
        "language": language,
        "layout": CERTIFICATE_LAYOUT_VERSION,
        "layout_files": layout_fingerprint(language, LAYOUT_TEMPLATES),
        "institution": {
            "name": context["institution"].name,
            "country": str(context["institution"].country),
        },
        "certificate": {
            "number": certificate.number,
            "scheme": certificate.scheme,
            "holder_name": certificate.holder_name,
            "competences": [list(item) for item in context["competences"]],
            "level": certificate.level,
            "setting": certificate.setting,
            "catalogue_version": catalogue.version if catalogue else None,
            "working_catalogue": catalogue.is_working_catalogue if catalogue else None,
            "issued_on": iso(certificate.issued_on),
            "expires_on": iso(certificate.expires_on),
            "conditions_due_on": iso(certificate.conditions_due_on),
        },
        "based_on": [
            {"number": base.number, "scheme": base.scheme, "level": base.level}
            for base in context["based_on"]
        ],
        "verification_url": context["verification_url"],
    }


def certificate_input_digest(
    certificate: Certificate, language: str, kind: str = "certificate"
) -> str:
    """The digest of what the PDF of ``certificate`` in ``language`` would show now."""
    return input_digest(
        certificate_input(certificate_context(certificate), language=language, kind=kind)
    )
