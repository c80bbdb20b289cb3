"""Starting an audit: the application, its pinned catalogue and its standards."""

from django.db import IntegrityError, transaction

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
            "Institutions apply for RESCUE-Intervention or RESCUE-Training; competence "
            "certification is applied for by the individual supporter."
        )
    if component == Component.INTERVENTION and target_level not in InterventionLevel.values:
        raise ActionRefusedError("Choose the Intervention level applied for.")
    if component != Component.INTERVENTION:
        target_level = ""
    version = catalogue_version_active(component=component)
    if version is None:
        raise ActionRefusedError(f"No {Component(component).label} catalogue is active yet.")

    Institution.objects.select_for_update().filter(pk=institution.pk).first()  # serialise starts
    open_audit = (
        Audit.objects.for_institution(institution)
        .filter(component=component)
        .exclude(status=Audit.Status.CLOSED)
        .first()
    )
    if open_audit is not None:
        raise ActionRefusedError(
            f"{institution} already has an open {Component(component).label} audit "
            f"(started {open_audit.created_at:%d %B %Y}); finish or close it first."
        )
    if (
        target_level == InterventionLevel.COMPREHENSIVE
        and not PriorCertificationConfirmation.objects.for_institution(institution).exists()
    ):
        raise ActionRefusedError(
            "The Comprehensive level needs an Execution certification first. Until certificates "
            "are issued here, an ERNST administrator confirms it on the institution's page."
        )
    standards = applicable_standards(version=version, setting=setting, target_level=target_level)
    if not standards:
        raise ActionRefusedError("No standard of the active catalogue applies to this setting.")

    audit = Audit(
        institution=institution,
        catalogue_version=version,
        component=component,
        setting=setting,
        target_level=target_level,
        created_by=user,
    )
    audit.full_clean()
    try:
        with transaction.atomic():
            audit.save()
    except IntegrityError:  # a concurrent start won the race
        raise ActionRefusedError(
            f"{institution} already has an open {Component(component).label} audit."
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
    *, institution: Institution, user: User, reason: str
) -> PriorCertificationConfirmation:
    if not user.has_perm("institutions.manage_all_institutions"):
        raise PermissionError(f"{user} may not confirm certifications")
    reason = reason.strip()
    if not reason:
        raise ActionRefusedError("Record what the confirmation rests on (certificate number…).")
    confirmation = PriorCertificationConfirmation(
        institution=institution, confirmed_by=user, confirmed_by_email=user.email, reason=reason
    )
    confirmation.full_clean()
    confirmation.save()
    return confirmation
