"""Deciding and issuing, and every later change in a certificate's life.

- ``decision_refusal`` / ``decision_take``: an ERNST admin who took no part in the audit decides
  on an audit with a final report. The rule evaluation's proposal and the lead's recommendation
  are recorded with it; a decision that departs from the proposal needs a reason. Certifying (on
  conditions too) issues the certificate in the same transaction; the audit is then *decided*.
- ``certificate_number_next``: ``RESCUE-INT-2026-000123``, one sequence per scheme and year, read
  under a row lock in the issuing transaction: concurrent issues get consecutive numbers, and a
  rolled-back issue gives its number back (no gaps, no duplicates).
- ``certificate_change``: suspend (a reason, optionally until a date), reinstate, withdraw; each
  allowed only from the states in ``TRANSITIONS`` and recorded as a ``CertificateEvent``.
- ``certificates_expire`` and ``conditions_enforce``: run by Celery beat; running them twice
  changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_platform_admin
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent
from audits.services.seal import audit_locked
from certification.models import (
    SCHEME_CODES,
    Certificate,
    CertificateEvent,
    CertificateSequence,
    Decision,
    Renewal,
    Scheme,
)
from institutions.permissions import institution_policy
from rescue.errors import ActionForbiddenError, ActionRefusedError
from reviews.evaluation import Evaluation
from reviews.models import AuditorAssignment, CorrectiveAction, Finding
from reviews.rules import required_text
from reviews.selectors import audit_evaluation
from reviews.services.report import review_report_of
from standards.choices import Component, InterventionLevel

Status = Certificate.Status
Outcome = Decision.Outcome
MAX_TEXT = 5000


# --- Numbers ------------------------------------------------------------------------------------


def certificate_number_next(scheme: str, year: int) -> str:
    """The next number of ``scheme`` in ``year``; call it inside the issuing transaction."""
    prefix = f"{SCHEME_CODES[Scheme(scheme)]}-{year}"
    try:
        with transaction.atomic():  # a savepoint: another issue may create the row first
            CertificateSequence.objects.get_or_create(prefix=prefix)
    except IntegrityError:
        pass
    sequence = CertificateSequence.objects.select_for_update().get(prefix=prefix)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"RESCUE-{prefix}-{sequence.last:06d}"


def expiry_after(issued_on: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February)."""
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:
        return issued_on.replace(year=issued_on.year + years, day=28)


def _event(
    certificate: Certificate,
    action: str,
    *,
    from_status: str,
    user: User | None,
    reason: str = "",
) -> CertificateEvent:
    return CertificateEvent.objects.create(
        institution_id=certificate.institution_id,
        certificate=certificate,
        action=action,
        from_status=from_status,
        to_status=certificate.status,
        actor=user,
        actor_email=user.email if user else "",
        reason=reason,
    )


@transaction.atomic
def certificate_issue(
    *,
    institution_id: int,
    scheme: str,
    setting: str,
    user: User | None,
    level: str = "",
    audit: Audit | None = None,
    decision: Decision | None = None,
    catalogue_version_id: int | None = None,
    validity_years: int = 5,
    issued_on: date | None = None,
    expires_on: date | None = None,
    conditions_due_on: date | None = None,
    reason: str = "",
) -> Certificate:
    issued_on = issued_on or timezone.localdate()
    holder = audit.applicant if audit is not None and audit.is_application else None
    certificate = Certificate.objects.create(
        institution_id=institution_id,
        number=certificate_number_next(scheme, issued_on.year),
        scheme=scheme,
        holder=holder,
        holder_name=str(holder) if holder else "",
        audit=audit,
        decision=decision,
        level=level,
        setting=setting,
        catalogue_version_id=catalogue_version_id,
        issued_on=issued_on,
        expires_on=expires_on or expiry_after(issued_on, validity_years),
        status_since=timezone.now(),
        conditions_due_on=conditions_due_on,
    )
    _event(certificate, CertificateEvent.Action.ISSUED, from_status="", user=user, reason=reason)
    if audit is not None:
        _supersede_renewed(certificate, audit, user=user)
    if scheme in MASTERY_BASES:
        mastery_sync(institution_id, user=user)
    return certificate


def certificate_issue_for(
    decision: Decision,
    *,
    level: str,
    conditions_due_on: date | None,
    user: User,
    reason: str = "",
) -> Certificate:
    """The certificate a decision (or an appeal changing it) issues: the audit's scheme,
    setting and catalogue version, valid for the version's ``validity_years``."""
    audit = decision.audit
    return certificate_issue(
        institution_id=audit.institution_id,
        scheme=Scheme(audit.component),
        setting=audit.setting,
        level=level,
        audit=audit,
        decision=decision,
        catalogue_version_id=audit.catalogue_version_id,
        validity_years=audit.catalogue_version.validity_years,
        conditions_due_on=conditions_due_on,
        user=user,
        reason=reason,
    )


def _supersede_renewed(certificate: Certificate, audit: Audit, *, user: User | None) -> None:
    """A renewal audit's certificate supersedes the one renewed (which, expired meanwhile, keeps
    its status and names its successor)."""
    renewal = Renewal.objects.for_institution(audit.institution_id).filter(audit=audit).first()
    if renewal is None:
        return
    old = Certificate.unscoped.select_for_update().get(pk=renewal.certificate_id)
    old.superseded_by = certificate
    old.save(update_fields=["superseded_by"])
    if old.status in (Status.ACTIVE, Status.SUSPENDED):
        _move(
            old,
            Status.SUPERSEDED,
            CertificateEvent.Action.SUPERSEDED,
            user=user,
            reason=_("Renewed: superseded by %(number)s.") % {"number": certificate.number},
        )


# --- The decision -----------------------------------------------------------------------------


def took_part(user: User, audit: Audit) -> bool:
    """Whether the user was on the audit's review team (any place not declined)."""
    return (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(audit=audit, auditor=user)
        .exclude(state=AuditorAssignment.State.DECLINED)
        .exists()
    )


def decision_refusal(user: User, audit: Audit) -> str | None:
    """Why this user may not decide on this audit (None: they may)."""
    if not is_platform_admin(user):
        return _("Only ERNST administrators take certification decisions.")
    if took_part(user, audit):
        return _(
            "You were on this audit's review team: the decision is taken by someone who took "
            "no part in the audit."
        )
    if institution_policy.role(user, audit.institution_id) is not None:
        return _("You are a member of this institution: someone impartial decides.")
    return None


@dataclass(frozen=True)
class Proposal:
    outcome: str
    level: str
    text: str


def proposal_of(audit: Audit, evaluation: Evaluation | None = None) -> Proposal:
    """The rule evaluation's proposal, as the decision records it (from ``evaluation`` when the
    caller has it already)."""
    evaluation = evaluation or audit_evaluation(audit=audit)
    proposed = evaluation.proposed
    if proposed is None:
        return Proposal(Outcome.DO_NOT_CERTIFY, "", str(evaluation.proposal))
    return Proposal(Outcome.CERTIFY, proposed.level, str(evaluation.proposal))


def open_conditions(audit: Audit) -> list[Finding]:
    """The nonconformities still open: not withdrawn, and an action of their plan not closed
    (or no plan accepted yet)."""
    scope = audit.institution_id
    findings = list(
        Finding.objects.for_institution(scope)
        .filter(audit=audit, kind=Finding.Kind.NONCONFORMITY, withdrawn_at__isnull=True)
        .select_related("assessment__standard", "plan")
        .order_by("assessment__standard__order")
    )
    open_actions = set(
        CorrectiveAction.objects.for_institution(scope)
        .filter(audit=audit)
        .exclude(state=CorrectiveAction.State.CLOSED)
        .values_list("plan__finding_id", flat=True)
    )
    return [
        f
        for f in findings
        if not hasattr(f, "plan") or f.plan.state != "accepted" or f.pk in open_actions
    ]


def _conditions_check(audit: Audit, due_on: date | None) -> None:
    if due_on is None or due_on <= timezone.localdate():
        raise ActionRefusedError(_("Give the date by which the conditions must be closed."))
    still_open = open_conditions(audit)
    if not still_open:
        raise ActionRefusedError(_("No nonconformity is open: certify without conditions."))
    for finding in still_open:
        code = finding.assessment.standard.code
        if finding.grade == Finding.Grade.MAJOR:
            raise ActionRefusedError(
                _("%(code)s is a major nonconformity: conditions are for minor ones only.")
                % {"code": code}
            )
        if not hasattr(finding, "plan") or finding.plan.state != "accepted":
            raise ActionRefusedError(
                _("%(code)s has no accepted corrective-action plan: conditions need one.")
                % {"code": code}
            )


def decision_outcome_check(
    audit: Audit, *, outcome: str, level: str, conditions_due_on: date | None
) -> tuple[str, date | None]:
    """Refuse an outcome the audit does not allow (the decision's, or an appeal's that changes
    it); the level and the conditions' date it keeps (none unless certifying, on conditions)."""
    if outcome not in Outcome.values:
        raise ActionRefusedError(
            _("Choose the decision: certify, certify on conditions or do not certify.")
        )
    certifies = outcome != Outcome.DO_NOT_CERTIFY
    if audit.component == Component.INTERVENTION and certifies:
        if level not in InterventionLevel.values:
            raise ActionRefusedError(_("Choose the level certified."))
        order = list(InterventionLevel.values)
        if order.index(level) > order.index(audit.target_level or level):
            raise ActionRefusedError(
                _("The level certified cannot be above the level applied for.")
            )
    elif level:
        raise ActionRefusedError(
            _("A level goes only with certifying a RESCUE-Intervention audit.")
        )
    if outcome == Outcome.CONDITIONS:
        _conditions_check(audit, conditions_due_on)
    else:
        conditions_due_on = None
    return (level if certifies else ""), conditions_due_on


@transaction.atomic
def decision_take(
    *,
    audit: Audit,
    user: User,
    outcome: str,
    level: str,
    reason: str,
    departure_reason: str = "",
    conditions_due_on: date | None = None,
) -> Decision:
    """The decision on an audit with a final report; certifying issues the certificate."""
    audit = audit_locked(audit.pk)
    if refusal := decision_refusal(user, audit):
        raise ActionForbiddenError(refusal)
    if audit.status != Audit.Status.FINAL_REPORT:
        raise ActionRefusedError(
            _("The audit is %(stage)s: the decision is taken on the final report.")
            % {"stage": audit.get_status_display().lower()}
        )
    level, conditions_due_on = decision_outcome_check(
        audit, outcome=outcome, level=level, conditions_due_on=conditions_due_on
    )
    certifies = outcome != Outcome.DO_NOT_CERTIFY
    proposal = proposal_of(audit)
    decision = Decision(
        institution_id=audit.institution_id,
        audit=audit,
        outcome=outcome,
        level=level if certifies else "",
        conditions_due_on=conditions_due_on,
        reason=required_text(
            reason, missing=_("Give the grounds of the decision."), limit=MAX_TEXT
        ),
        proposed_outcome=proposal.outcome,
        proposed_level=proposal.level,
        proposal=proposal.text[:300],
        recommendation=review_report_of(audit).recommendation_label[:300],
        decided_by=user,
        decided_by_email=user.email,
    )
    if decision.departs:
        decision.departure_reason = required_text(
            departure_reason,
            missing=_(
                "The decision departs from the rule evaluation's proposal (%(proposal)s): say why."
            )
            % {"proposal": proposal.text},
            limit=MAX_TEXT,
        )
    decision.save()
    if certifies:
        certificate_issue_for(
            decision, level=decision.level, conditions_due_on=conditions_due_on, user=user
        )
    audit.status = Audit.Status.DECIDED
    audit.save(update_fields=["status"])
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.DECIDED,
        object_label=decision.label,
        details={"decision": decision.pk, "departs": decision.departs},
    )
    # The decision letter and the certificate's PDF, queued with the decision (a call-time
    # import: the reports build on this app's models).
    from certification.documents import decision_documents_queue  # noqa: PLC0415

    decision_documents_queue(decision=decision, user=user)
    return decision


# --- A certificate's life -------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    action: str


TRANSITIONS = {
    "suspend": Transition(
        frozenset({Status.ACTIVE}), Status.SUSPENDED, CertificateEvent.Action.SUSPENDED
    ),
    "reinstate": Transition(
        frozenset({Status.SUSPENDED}), Status.ACTIVE, CertificateEvent.Action.REINSTATED
    ),
    "withdraw": Transition(
        frozenset({Status.ACTIVE, Status.SUSPENDED}),
        Status.WITHDRAWN,
        CertificateEvent.Action.WITHDRAWN,
    ),
}


@transaction.atomic
def certificate_listing_set(*, certificate: Certificate, user: User, listed: bool) -> Certificate:
    """The holder of a certificate of competences agrees to be listed in the public register
    (their name, country and validity), or takes their consent back. Nobody else decides it."""
    certificate = Certificate.unscoped.select_for_update().get(pk=certificate.pk)
    if certificate.holder_id is None or certificate.holder_id != user.pk:
        raise ActionForbiddenError(
            _("Only the holder of a certificate of competences decides whether it is listed.")
        )
    if listed == (certificate.register_consent_at is not None):
        return certificate  # as asked already
    certificate.register_consent_at = timezone.now() if listed else None
    certificate.save(update_fields=["register_consent_at"])
    action = CertificateEvent.Action.LISTED if listed else CertificateEvent.Action.UNLISTED
    _event(certificate, action, from_status=certificate.status, user=user)
    return certificate


@transaction.atomic
def certificate_change(
    *,
    certificate: Certificate,
    user: User,
    change: str,
    reason: str,
    until: date | None = None,
) -> Certificate:
    """An ERNST admin suspends (optionally until a date), reinstates or withdraws."""
    if not is_platform_admin(user):
        raise ActionForbiddenError(_("Only ERNST administrators change a certificate's status."))
    transition = TRANSITIONS.get(change)
    if transition is None:
        raise ActionRefusedError(_("Choose suspend, reinstate or withdraw."))
    certificate = Certificate.unscoped.select_for_update().get(pk=certificate.pk)
    if certificate.status not in transition.sources:
        raise ActionRefusedError(
            _("The certificate is %(status)s: it cannot be %(change)s.")
            % {
                "status": certificate.status_label.lower(),
                "change": str(CertificateEvent.Action(transition.action).label).lower(),
            }
        )
    today = timezone.localdate()
    if change == "reinstate" and certificate.expires_on < today:
        raise ActionRefusedError(_("The certificate's validity has ended: it cannot come back."))
    if until is not None and (change != "suspend" or until <= today):
        raise ActionRefusedError(_("A suspension's end date is a day after today."))
    reason = required_text(reason, missing=_("Say why."), limit=MAX_TEXT)
    return _move(
        certificate, transition.target, transition.action, user=user, reason=reason, until=until
    )


def _move(
    certificate: Certificate,
    target: str,
    action: str,
    *,
    user: User | None,
    reason: str,
    until: date | None = None,
) -> Certificate:
    previous = certificate.status
    certificate.status = target
    certificate.status_since = timezone.now()
    certificate.status_reason = reason
    certificate.suspended_until = until if target == Status.SUSPENDED else None
    certificate.save(update_fields=["status", "status_since", "status_reason", "suspended_until"])
    _event(certificate, action, from_status=previous, user=user, reason=reason)
    if certificate.scheme in MASTERY_BASES:
        mastery_sync(certificate.institution_id, user=user)
    return certificate


# --- Mastery ----------------------------------------------------------------------------------

MASTERY_BASES = (Scheme.TRAINING, Scheme.INTERVENTION)


def _mastery_bases(institution_id: int) -> tuple[Certificate, Certificate] | None:
    """The institution's active Training certificate and active Intervention certificate at
    the Comprehensive level (the latest of each), or None."""
    active = Certificate.unscoped.filter(institution_id=institution_id, status=Status.ACTIVE)
    training = active.filter(scheme=Scheme.TRAINING).order_by("-issued_on", "-pk").first()
    intervention = (
        active.filter(scheme=Scheme.INTERVENTION, level=InterventionLevel.COMPREHENSIVE)
        .order_by("-issued_on", "-pk")
        .first()
    )
    if training is None or intervention is None:
        return None
    return training, intervention


def mastery_sync(institution_id: int, *, user: User | None = None) -> Certificate | None:
    """RESCUE Mastery follows its two bases: issued (its own number, expiring with the earlier of
    the two) when both are active, lapsed when either stops being active, replaced when a base
    is replaced (a renewal). Never applied for. Returns the live Mastery certificate, if any."""
    # The institution's certificates under a row lock, so two changes at once sync in turn.
    list(
        Certificate.unscoped.select_for_update()
        .filter(institution_id=institution_id)
        .values_list("pk", flat=True)
    )
    live = (
        Certificate.unscoped.filter(
            institution_id=institution_id,
            scheme=Scheme.MASTERY,
            status__in=(Status.ACTIVE, Status.SUSPENDED),
        )
        .prefetch_related("based_on")
        .first()
    )
    bases = _mastery_bases(institution_id)
    if (
        live is not None
        and bases is not None
        and {c.pk for c in live.based_on.all()} == {c.pk for c in bases}
    ):
        return live
    if bases is None:
        if live is not None:
            _move(
                live,
                Status.EXPIRED,
                CertificateEvent.Action.LAPSED,
                user=user,
                reason=_("A certificate it rests on is no longer active."),
            )
        return None
    training, intervention = bases
    mastery = certificate_issue(
        institution_id=institution_id,
        scheme=Scheme.MASTERY,
        setting=intervention.setting,
        user=user,
        expires_on=min(training.expires_on, intervention.expires_on),
    )
    mastery.based_on.set(bases)
    if user is not None:  # its PDF, as a decision's certificate has (a call-time import, as there)
        from certification.documents import mastery_document_queue  # noqa: PLC0415

        mastery_document_queue(certificate=mastery, user=user)
    if live is not None:  # a base was replaced (a renewal): the new Mastery supersedes
        live.superseded_by = mastery
        live.save(update_fields=["superseded_by"])
        _move(
            live,
            Status.SUPERSEDED,
            CertificateEvent.Action.SUPERSEDED,
            user=user,
            reason=_("Superseded by %(number)s.") % {"number": mastery.number},
        )
    return mastery


def certificates_expire(today: date | None = None) -> list[str]:
    """Expire every active or suspended certificate past its date (the numbers expired)."""
    today = today or timezone.localdate()
    expired = []
    due = Certificate.unscoped.filter(
        status__in=(Status.ACTIVE, Status.SUSPENDED), expires_on__lt=today
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            certificate = Certificate.unscoped.select_for_update().get(pk=pk)
            if certificate.status not in (Status.ACTIVE, Status.SUSPENDED):
                continue  # changed meanwhile
            _move(
                certificate,
                Status.EXPIRED,
                CertificateEvent.Action.EXPIRED,
                user=None,
                reason=_("Valid until %(date)s.") % {"date": certificate.expires_on.isoformat()},
            )
            expired.append(certificate.number)
    return expired


def conditions_enforce(today: date | None = None) -> list[str]:
    """Suspend every active certificate issued on conditions whose date has passed with a
    condition still open, saying which (the numbers suspended)."""
    today = today or timezone.localdate()
    suspended = []
    due = Certificate.unscoped.filter(
        status=Status.ACTIVE, conditions_due_on__lt=today, audit__isnull=False
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            certificate = (
                Certificate.unscoped.select_for_update(of=("self",))
                .select_related("audit")
                .get(pk=pk)
            )
            if certificate.status != Status.ACTIVE or certificate.audit is None:
                continue
            still_open = open_conditions(certificate.audit)
            if not still_open:
                continue
            codes = ", ".join(f.assessment.standard.code for f in still_open)
            _move(
                certificate,
                Status.SUSPENDED,
                CertificateEvent.Action.AUTO_SUSPENDED,
                user=None,
                reason=_("The conditions were due on %(date)s; still open: %(codes)s.")
                % {"date": f"{certificate.conditions_due_on}", "codes": codes},
            )
            suspended.append(certificate.number)
    return suspended
