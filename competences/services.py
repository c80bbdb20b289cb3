"""RESCUE-Supporters' Competences: a peer supporter's application for the certification of
their competences.

The application is an audit of the competences catalogue with an ``applicant``: the person's own
dossier, reviewed, decided and certified by the same code as an institution's. It is made through
the institution whose programme the person supports in, whose coordinators endorse it ("an active
peer supporter of our programme") and follow its stage and outcome, never its content.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent
from audits.permissions import AUDIT_REFUSALS, AuditAction, audit_policy
from audits.services.applications import FINISHED, audit_open
from institutions.models import Institution, Membership
from institutions.permissions import institution_policy
from rescue.errors import ActionForbiddenError, ActionRefusedError
from standards.choices import Component
from standards.selectors import catalogue_version_active


def open_application_of(user: User) -> Audit | None:
    """The person's application not decided or closed yet (one at most)."""
    return Audit.unscoped.filter(applicant=user).exclude(status__in=FINISHED).first()


@transaction.atomic
def application_create(*, institution: Institution, user: User) -> Audit:
    """A peer supporter applies for the certification of their competences, through the
    institution whose programme they support in. The application is theirs: the institution's
    coordinators endorse it and follow its stage, and see nothing of its content."""
    if institution_policy.role(user, institution.pk) != Membership.Role.PEER_SUPPORTER:
        raise ActionForbiddenError(
            _(
                "Only a peer supporter of %(institution)s applies through it for the "
                "certification of their competences; its coordinators invite peer supporters."
            )
            % {"institution": institution}
        )
    version = catalogue_version_active(component=Component.COMPETENCES)
    if version is None:
        raise ActionRefusedError(
            _("No %(component)s catalogue is active yet.")
            % {"component": Component.COMPETENCES.label}
        )
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialise this person's starts
    open_application = open_application_of(user)
    if open_application is not None:
        raise ActionRefusedError(
            _("You already have an open application (started %(date)s); finish it first.")
            % {"date": f"{open_application.created_at:%d %B %Y}"}
        )
    return audit_open(
        institution=institution,
        user=user,
        version=version,
        setting=institution.setting,
        applicant=user,
    )


@transaction.atomic
def application_endorse(*, audit: Audit, user: User) -> Audit:
    """A coordinator of the applicant's institution confirms that the applicant is an active
    peer supporter of its programme; recorded once, before submission."""
    if not audit_policy.can(user, AuditAction.ENDORSE, audit):
        raise ActionForbiddenError(str(AUDIT_REFUSALS[AuditAction.ENDORSE]))
    audit = Audit.objects.for_institution(audit.institution_id).select_for_update().get(pk=audit.pk)
    if audit.endorsed_at is not None:
        raise ActionRefusedError(_("This application is endorsed already."))
    if audit.is_sealed:
        raise ActionRefusedError(_("This application is submitted already."))
    applicant = audit.applicant
    assert applicant is not None  # noqa: S101 - ENDORSE is only ever granted on applications
    if institution_policy.role(applicant, audit.institution_id) != Membership.Role.PEER_SUPPORTER:
        raise ActionRefusedError(
            _("%(name)s is no longer a peer supporter of the institution.")
            % {"name": str(applicant)}
        )
    audit.endorsed_by = user
    audit.endorsed_by_email = user.email
    audit.endorsed_at = timezone.now()
    audit.save(update_fields=["endorsed_by", "endorsed_by_email", "endorsed_at"])
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.ENDORSED,
        object_label=str(applicant),
    )
    return audit
