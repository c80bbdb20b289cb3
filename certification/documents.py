"""The documents a decision sends the institution: the decision letter and, when it certifies,
the certificate PDF, rendered by the reports pipeline (reports/decision.py,
reports/certificate.py).

``decision_documents_queue`` is called once the decision is committed (``transaction.on_commit``
in the decision service), by the admin who decided: the decision stands whatever happens to its
documents, so a document that cannot be queued now (a version still being prepared) is logged
and left to be asked for again from the audit's reports.
"""

from __future__ import annotations

import logging

from accounts.models import User
from certification.models import Certificate, Decision
from reports.models import Report
from reports.services import report_request
from rescue.errors import ActionRefusedError

logger = logging.getLogger(__name__)


def decision_documents_queue(*, decision: Decision, user: User) -> list[Report]:
    """Queue the decision letter and the PDF of each certificate the decision issued; the
    reports queued (or given back, where an unchanged one is ready)."""
    audit = decision.audit
    certificates = list(
        Certificate.objects.for_institution(decision.institution_id)
        .filter(decision=decision, audit=audit)
        .order_by("pk")
    )
    asked: list[tuple[str, Certificate | None]] = [(Report.Kind.DECISION, None)]
    asked += [(Report.Kind.CERTIFICATE, certificate) for certificate in certificates]
    reports = []
    for kind, certificate in asked:
        try:
            result = report_request(audit=audit, user=user, kind=kind, certificate=certificate)
        except ActionRefusedError as refused:
            logger.warning(
                "decision %s: the %s was not queued: %s", decision.pk, kind, refused.message
            )
            continue
        reports.append(result.report)
    return reports


def mastery_document_queue(*, certificate: Certificate, user: User) -> Report | None:
    """Queue the PDF of a RESCUE Mastery certificate, filed under the audit of its latest base
    (``Certificate.documents_audit``); None when its bases come from no audit (certificates
    recorded without one) or it cannot be queued now (logged, asked for again later)."""
    audit = certificate.documents_audit()
    if audit is None:
        return None
    try:
        return report_request(
            audit=audit, user=user, kind=Report.Kind.CERTIFICATE, certificate=certificate
        ).report
    except (ActionRefusedError, PermissionError) as refused:
        logger.warning("certificate %s: its PDF was not queued: %s", certificate.pk, refused)
        return None
