"""The decision letter's content: ERNST's certification decision, as the institution receives it.

``decision_context`` reads the audit's decision (``certification.models.Decision``) with what the
letter names around it: the institution (name, address, country), the audit's scope, the rule
evaluation's proposal and the lead auditor's recommendation as the decision recorded them, the
reason when the decision departs from the proposal, who decided and when, the conditions (their
due date and the nonconformities still open, ``certification.services.open_conditions``), the
certificate issued (number, validity, verification address) and the right of appeal.

``decision_input`` picks every value the PDF depends on, and ``decision_input_digest`` is its
SHA-256, as for the dossier report (``reports.dossier``). The digest covers what the document is
(kind, language, ``DECISION_LAYOUT_VERSION``, the layout files' fingerprint), the institution,
the audit's scope and final report date, every field of the decision printed, the open
nonconformities listed (code, title, grade, statement) and the certificate's number, dates and
verification address. The letter is dated by the decision, not by its rendering: the moment of
generation and the version are only in the running footer, left out as for the other kinds.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from audits.models import Audit
from certification.models import Certificate, Decision
from certification.services import open_conditions
from reports.certificate import verification_url
from reports.dossier import input_digest, iso, layout_fingerprint
from reviews.models import Finding, ReviewReport
from reviews.services.report import review_report_of
from standards.choices import InterventionLevel

# Bump when this module's context changes (see reports/dossier.py).
DECISION_LAYOUT_VERSION = 2  # 2: a letter to the applicant of a competences application
LAYOUT_TEMPLATES = ("pdf/base.html", "pdf/decision.html")
# The institution may appeal within this many days of the decision.
APPEAL_DAYS = 30


def outcome_label(outcome: str, level: str) -> str:
    """An outcome and its level in the active language (``Decision.label`` for any pair)."""
    label = str(Decision.Outcome(outcome).label)
    if level and outcome != Decision.Outcome.DO_NOT_CERTIFY:
        return f"{label}: {InterventionLevel(level).label}"
    return label


def decision_context(audit: Audit) -> dict[str, Any]:
    """Everything the decision letter shows, read in a fixed number of queries."""
    scope = audit.institution_id
    audit = (
        Audit.objects.for_institution(scope)
        .select_related("institution", "catalogue_version", "applicant")
        .defer("manifest")
        .get(pk=audit.pk)
    )
    decision = Decision.objects.for_institution(scope).select_related("decided_by").get(audit=audit)
    certificate = (
        Certificate.objects.for_institution(scope)
        .filter(decision=decision)
        .order_by("issued_on", "pk")
        .first()
    )
    conditions: list[Finding] = (
        open_conditions(audit) if decision.outcome == Decision.Outcome.CONDITIONS else []
    )
    review: ReviewReport = review_report_of(audit)
    name = decision.decided_by.get_full_name() if decision.decided_by else ""
    return {
        "audit": audit,
        "institution": audit.institution,
        "applicant": audit.applicant if audit.is_application else None,
        "decision": decision,
        "decision_label": outcome_label(decision.outcome, decision.level),
        "proposal_label": outcome_label(decision.proposed_outcome, decision.proposed_level),
        "departs": decision.departs,
        "decided_by_name": name,
        "decided_by": f"{name} ({decision.decided_by_email})"
        if name
        else decision.decided_by_email,
        "conditions": conditions,
        "certificate": certificate,
        "verification_url": verification_url(certificate) if certificate else "",
        "finalised_at": review.finalised_at,
        "appeal_days": APPEAL_DAYS,
        "generated_at": timezone.now(),
    }


def decision_input(context: dict[str, Any], *, language: str, kind: str) -> dict[str, Any]:
    """Every value of ``decision_context`` the letter depends on, as plain JSON data; the moment
    of generation is left out."""
    audit: Audit = context["audit"]
    decision: Decision = context["decision"]
    certificate: Certificate | None = context["certificate"]
    institution = context["institution"]
    catalogue = audit.catalogue_version
    return {
        "kind": kind,
        "language": language,
        "layout": DECISION_LAYOUT_VERSION,
        "layout_files": layout_fingerprint(language, LAYOUT_TEMPLATES),
        "applicant": str(context["applicant"]) if context["applicant"] else "",
        "institution": {
            "name": institution.name,
            "country": str(institution.country),
            "address": institution.address,
        },
        "audit": {
            "component": audit.component,
            "target_level": audit.target_level,
            "setting": audit.setting,
            "catalogue_version": catalogue.version,
            "working_catalogue": catalogue.is_working_catalogue,
            "submitted_at": iso(audit.submitted_at),
            "finalised_at": iso(context["finalised_at"]),
        },
        "decision": {
            "outcome": decision.outcome,
            "level": decision.level,
            "conditions_due_on": iso(decision.conditions_due_on),
            "reason": decision.reason,
            "proposed_outcome": decision.proposed_outcome,
            "proposed_level": decision.proposed_level,
            "proposal": decision.proposal,
            "recommendation": decision.recommendation,
            "departs": context["departs"],
            "departure_reason": decision.departure_reason,
            "decided_by": [context["decided_by_name"], decision.decided_by_email],
            "decided_at": iso(decision.decided_at),
        },
        "conditions": [
            {
                "standard": finding.assessment.standard.code,
                "title": finding.assessment.standard.title,
                "grade": finding.grade,
                "statement": finding.statement,
            }
            for finding in context["conditions"]
        ],
        "certificate": (
            {
                "number": certificate.number,
                "issued_on": iso(certificate.issued_on),
                "expires_on": iso(certificate.expires_on),
                "verification_url": context["verification_url"],
            }
            if certificate
            else None
        ),
    }


def decision_input_digest(audit: Audit, language: str, kind: str = "decision") -> str:
    """The digest of what the decision letter of ``audit`` in ``language`` would show now."""
    return input_digest(decision_input(decision_context(audit), language=language, kind=kind))
