"""Renewing a certificate: from ``RENEWAL_WINDOW_MONTHS`` (6) before its expiry, a coordinator of
the institution starts a renewal audit pre-filled from the audit the certificate was issued on.

A certificate of competences is its holder's: the holder renews it by a new application through
the institution whose programme they support in now (it may not be the one that endorsed the
first), which its coordinators endorse again.

- The new audit has the certificate's component, setting and level, on the catalogue version
  active now (``audit_create``, with its refusals).
- Each self-assessment of a standard still in the catalogue is copied as a draft
  (``StandardAssessment.copied_at``): the standard is not ready until someone saves it again.
- Each live file of the last audit still inside the new look-back window is carried forward with
  its standards (``evidence_carry_forward``), marked to be confirmed: a gap until confirmed.
- When the renewal's decision issues a certificate, it supersedes this one
  (``certification.services.certificate_issue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services.applications import audit_create
from certification.models import Certificate, Renewal, Scheme
from competences.services import application_create, open_application_of
from evidence.services import evidence_carry_forward
from institutions.models import Institution, Membership
from institutions.permissions import InstitutionAction, institution_policy
from rescue.errors import ActionForbiddenError, ActionRefusedError

RENEWABLE = (Scheme.INTERVENTION, Scheme.TRAINING, Scheme.COMPETENCES)  # Mastery follows its bases


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the month's last day when it has no such day)."""
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def renewal_opens_on(certificate: Certificate) -> date:
    return months_before(certificate.expires_on, settings.RENEWAL_WINDOW_MONTHS)


def renewal_of(certificate: Certificate) -> Renewal | None:
    """The renewal under way or done (the latest)."""
    renewals = (
        # A person renews through the institution they support in now; the certificate, reached
        # through ``certificate_or_404``, is what scopes its renewals.
        Renewal.unscoped
        if certificate.holder_id is not None
        else Renewal.objects.for_institution(certificate.institution_id)
    )
    return (
        renewals.filter(certificate=certificate)
        .select_related("audit")
        .order_by("-started_at")
        .first()
    )


def renewal_institutions(user: User) -> list[Institution]:
    """Where a holder renews a certificate of competences: the institutions whose programme they
    support in now."""
    return list(
        Institution.objects.filter(
            memberships__user=user, memberships__role=Membership.Role.PEER_SUPPORTER
        ).order_by("name", "pk")
    )


def _renewer_refusal(user: User, certificate: Certificate) -> str | None:
    """Why this user is not the one who renews the certificate (None: they are)."""
    if certificate.holder_id is not None:
        if user.pk != certificate.holder_id:
            return _("Its holder renews a certificate of competences.")
        return None
    if not institution_policy.can(
        user, InstitutionAction.START_AUDIT, Institution(pk=certificate.institution_id)
    ):
        return _("A coordinator of the institution starts the renewal.")
    return None


def renewal_refusal(user: User, certificate: Certificate, today: date | None = None) -> str | None:
    """Why this user may not start the certificate's renewal now (None: they may)."""
    today = today or timezone.localdate()
    if refusal := _renewer_refusal(user, certificate):
        return refusal
    if certificate.scheme not in RENEWABLE:
        return _("RESCUE Mastery is not renewed by itself: it follows the two certificates.")
    if certificate.status != Certificate.Status.ACTIVE or certificate.expires_on < today:
        return _(
            "The certificate is %(status)s: only an active certificate is renewed. Apply for a "
            "new certification instead."
        ) % {"status": certificate.status_label.lower()}
    opens = renewal_opens_on(certificate)
    if today < opens:
        return _("The renewal opens on %(date)s, %(months)s months before the expiry.") % {
            "date": opens.isoformat(),
            "months": settings.RENEWAL_WINDOW_MONTHS,
        }
    under_way = renewal_of(certificate)
    if under_way is not None and under_way.audit.status not in (
        Audit.Status.DECIDED,
        Audit.Status.CLOSED,
    ):
        return _("Its renewal audit is under way already.")
    return _holder_refusal(user) if certificate.holder_id is not None else None


def _holder_refusal(user: User) -> str | None:
    """Why the holder of a certificate of competences may not apply for its renewal now."""
    if not renewal_institutions(user):
        return _(
            "You renew through the institution whose programme you support in now: ask its "
            "coordinators to invite you as a peer supporter."
        )
    if open_application_of(user) is not None:
        return _("You already have an open application; finish it first.")
    return None


def _through(user: User, institution_id: int | None) -> Institution:
    """The institution a holder renews through: the one named, else their only one."""
    candidates = renewal_institutions(user)
    if institution_id is not None:
        for institution in candidates:
            if institution.pk == institution_id:
                return institution
        raise ActionRefusedError(
            _("You are not a peer supporter of that institution: choose one of yours.")
        )
    if len(candidates) != 1:
        raise ActionRefusedError(
            _("You support in several programmes: choose the institution you renew through.")
        )
    return candidates[0]


@transaction.atomic
def renewal_start(
    *, certificate: Certificate, user: User, institution_id: int | None = None
) -> Renewal:
    """Start the renewal audit, pre-filled from the last one; the renewal's record. A holder
    renewing a certificate of competences names the institution they apply through when they
    support in more than one programme (``institution_id``)."""
    certificate = (
        Certificate.objects.for_institution(certificate.institution_id)
        .select_for_update(of=("self",))
        .select_related("institution", "audit")
        .get(pk=certificate.pk)
    )
    if refusal := renewal_refusal(user, certificate):
        forbidden = _renewer_refusal(user, certificate) is not None
        raise (ActionForbiddenError if forbidden else ActionRefusedError)(refusal)
    if certificate.holder_id is not None:
        audit = application_create(institution=_through(user, institution_id), user=user)
    else:
        audit = audit_create(
            institution=certificate.institution,
            user=user,
            component=certificate.scheme,
            setting=certificate.setting,
            target_level=certificate.level,
        )
    assessments = {
        a.standard.code: a
        for a in StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard")
    }
    copied = 0
    carried_files = outside = 0
    source = certificate.audit
    if source is not None:
        copied = _copy_self_assessments(source, audit, assessments)
        carried = evidence_carry_forward(
            source=source,
            audit=audit,
            user=user,
            since=audit.lookback_start,
            assessments=assessments,
        )
        carried_files, outside = carried.carried, carried.outside_window
    renewal = Renewal.objects.create(
        institution_id=audit.institution_id,
        certificate=certificate,
        audit=audit,
        copied=copied,
        carried=carried_files,
        outside_window=outside,
        started_by=user,
    )
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.RENEWAL_STARTED,
        object_label=certificate.number,
        details={
            "certificate": certificate.number,
            "from_audit": source.pk if source else None,
            "copied": copied,
            "carried": carried_files,
            "outside_window": outside,
        },
    )
    return renewal


def _copy_self_assessments(
    source: Audit, audit: Audit, assessments: dict[str, StandardAssessment]
) -> int:
    """Copy the last audit's self-ratings, narratives and reasons as drafts, by standard code."""
    now = timezone.now()
    changed = []
    for old in (
        StandardAssessment.objects.for_institution(source.institution_id)
        .filter(audit=source)
        .exclude(self_rating="")
        .select_related("standard")
    ):
        new = assessments.get(old.standard.code)
        if new is None:
            continue
        new.self_rating = old.self_rating
        new.narrative = old.narrative
        new.justification = old.justification
        new.copied_at = now
        changed.append(new)
    StandardAssessment.objects.for_institution(audit.institution_id).bulk_update(
        changed, ["self_rating", "narrative", "justification", "copied_at"]
    )
    return len(changed)


@dataclass(frozen=True)
class RenewalPanel:
    opens_on: date
    renewal: Renewal | None
    refusal: str | None
    # A holder's choice of the institution they renew through (more than one: a choice).
    institutions: tuple[Institution, ...] = ()

    @property
    def can_start(self) -> bool:
        return self.refusal is None


def renewal_panel(user: User, certificate: Certificate) -> RenewalPanel | None:
    """What the certificate's page says of its renewal (None for what is never renewed)."""
    if certificate.scheme not in RENEWABLE:
        return None
    refusal = renewal_refusal(user, certificate)
    return RenewalPanel(
        opens_on=renewal_opens_on(certificate),
        renewal=renewal_of(certificate),
        refusal=refusal,
        institutions=(
            tuple(renewal_institutions(user))
            if refusal is None and certificate.holder_id is not None
            else ()
        ),
    )
