from django.db import transaction

from accounts.models import User
from accounts.permissions import is_auditor
from auditors.models import AuditorProfile, ConflictOfInterest
from institutions.models import Institution
from rescue.errors import ActionRefusedError
from reviews.services.team import assignments_end_for_conflict


def auditor_profile_get(*, user: User) -> AuditorProfile:
    profile, _ = AuditorProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def auditor_profile_update(
    *, user: User, countries: list[str], languages: list[str], components: list[str]
) -> AuditorProfile:
    if not is_auditor(user):
        raise PermissionError(f"{user} is not an auditor")
    profile = auditor_profile_get(user=user)
    profile.countries = countries
    profile.languages = languages
    profile.components = components
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def conflict_declare(*, auditor: User, institution: Institution, reason: str) -> ConflictOfInterest:
    """Declare a conflict of interest; any current assignment at that institution ends."""
    if not is_auditor(auditor):
        raise PermissionError(f"{auditor} is not an auditor")
    reason = reason.strip()
    if not reason:
        raise ActionRefusedError("Say briefly what the conflict of interest is.")
    if ConflictOfInterest.objects.filter(auditor=auditor, institution=institution).exists():
        raise ActionRefusedError(f"You have already declared a conflict with {institution}.")
    conflict = ConflictOfInterest.objects.create(
        auditor=auditor, institution=institution, reason=reason
    )
    assignments_end_for_conflict(auditor=auditor, institution_id=institution.pk)
    return conflict
