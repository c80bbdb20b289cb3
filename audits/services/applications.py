"""Starting an audit: the application, its pinned catalogue and its standards."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent, PriorCertificationConfirmation, StandardAssessment
from institutions.models import Institution
from institutions.permissions import InstitutionAction, institution_policy
from rescue.errors import ActionRefusedError
from standards.choices import Component, InterventionLevel, Setting
from standards.models import INTERVENTION_LEVEL_FIELDS, SETTING_FIELDS, CatalogueVersion, Standard
from standards.selectors import catalogue_version_active

APPLICABLE_COMPONENTS = (Component.INTERVENTION, Component.TRAINING)
# A decided audit is finished: the institution may apply again (after a refusal) or renew.
FINISHED = (Audit.Status.DECIDED, Audit.Status.CLOSED)


def applicable_standards(
    *, version: CatalogueVersion, setting: str, target_level: str
) -> list[Standard]:
    standards = Standard.objects.filter(
        catalogue_version=version, **{SETTING_FIELDS[Setting(setting)]: True}
    )
    if target_level:
        standards = standards.filter(
            **{INTERVENTION_LEVEL_FIELDS[InterventionLevel(target_level)]: True}
        )
    return list(standards.order_by("order"))


@transaction.atomic
def audit_create(
    *, institution: Institution, user: User, component: str, setting: str, target_level: str = ""
) -> Audit:
    """Start an audit on the catalogue version active now, with one assessment per standard that
    applies to the component, the level and the setting."""
    if not institution_policy.can(user, InstitutionAction.START_AUDIT, institution):
        raise PermissionError(f"{user} may not start audits for {institution}")
    if component not in APPLICABLE_COMPONENTS:
        raise ActionRefusedError(
            _(
                "Institutions apply for RESCUE-Intervention or RESCUE-Training; competence "
                "certification is applied for by the individual supporter."
            )
        )
    if component == Component.INTERVENTION and target_level not in InterventionLevel.values:
        raise ActionRefusedError(_("Choose the Intervention level applied for."))
    if component != Component.INTERVENTION:
        target_level = ""
    version = catalogue_version_active(component=component)
    if version is None:
        raise ActionRefusedError(
            _("No %(component)s catalogue is active yet.")
            % {"component": Component(component).label}
        )

    Institution.objects.select_for_update().filter(pk=institution.pk).first()  # serialise starts
    open_audit = (
        Audit.objects.for_institution(institution)
        .filter(component=component)
        .exclude(status__in=FINISHED)
        .first()
    )
    if open_audit is not None:
        raise ActionRefusedError(
            _(
                "%(institution)s already has an open %(component)s audit (started %(date)s); "
                "finish or close it first."
            )
            % {
                "institution": institution,
                "component": Component(component).label,
                "date": f"{open_audit.created_at:%d %B %Y}",
            }
        )
    if target_level == InterventionLevel.COMPREHENSIVE:
        # A call-time import: certification builds on this app's models.
        from certification.standing import execution_basis  # noqa: PLC0415

        if execution_basis(institution.pk) is None:
            raise ActionRefusedError(
                _(
                    "The Comprehensive level needs an Execution certification first: an active "
                    "RESCUE-Intervention certificate at the Execution level issued here. For an "
                    "Execution certificate issued before RESCUE Audit, an ERNST administrator "
                    "records it on the institution's page."
                )
            )
    return audit_open(
        institution=institution,
        user=user,
        version=version,
        setting=setting,
        target_level=target_level,
    )


def audit_open(
    *,
    institution: Institution,
    user: User,
    version: CatalogueVersion,
    setting: str,
    target_level: str = "",
    applicant: User | None = None,
) -> Audit:
    """The audit (or a person's application, ``applicant``) with one assessment per standard
    that applies, and its first event; the caller has checked who may start it and holds the
    lock that serialises starts."""
    standards = applicable_standards(version=version, setting=setting, target_level=target_level)
    if not standards:
        raise ActionRefusedError(_("No standard of the active catalogue applies to this setting."))
    component = Component(version.component)
    audit = Audit(
        institution=institution,
        catalogue_version=version,
        component=component,
        setting=setting,
        target_level=target_level,
        applicant=applicant,
        created_by=user,
    )
    audit.full_clean()
    try:
        with transaction.atomic():
            audit.save()
    except IntegrityError:  # a concurrent start won the race
        if applicant is not None:
            raise ActionRefusedError(_("You already have an open application.")) from None
        raise ActionRefusedError(
            _("%(institution)s already has an open %(component)s audit.")
            % {"institution": institution, "component": component.label}
        ) from None
    StandardAssessment.objects.bulk_create(
        StandardAssessment(institution=institution, audit=audit, standard=standard)
        for standard in standards
    )
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.CREATED,
        object_label=f"{audit.get_component_display()} {audit.get_target_level_display()}".strip(),
        details={"catalogue_version": version.version, "standards": len(standards)},
    )
    return audit


@transaction.atomic
def prior_certification_confirm(
    *, institution: Institution, user: User, reason: str, valid_until: date | None = None
) -> PriorCertificationConfirmation:
    """Record an Execution certificate issued before RESCUE Audit existed; it counts for a
    Comprehensive application until ``valid_until``."""
    if not user.has_perm("institutions.manage_all_institutions"):
        raise PermissionError(f"{user} may not confirm certifications")
    reason = reason.strip()
    if not reason:
        raise ActionRefusedError(_("Record what the confirmation rests on (certificate number…)."))
    if valid_until is not None and valid_until < timezone.localdate():
        raise ActionRefusedError(_("That certificate is no longer valid: it cannot count."))
    confirmation = PriorCertificationConfirmation(
        institution=institution,
        confirmed_by=user,
        confirmed_by_email=user.email,
        reason=reason,
        valid_until=valid_until,
    )
    confirmation.full_clean()
    confirmation.save()
    return confirmation
