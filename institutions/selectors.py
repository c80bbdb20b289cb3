from typing import Any

from django.db.models import QuerySet

from accounts.models import User
from institutions.models import Institution, InstitutionSite, Invitation, Membership


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    """The institutions a user acts for, with their role."""
    return (
        Membership.objects.filter(user=user)
        .select_related("institution")
        .order_by("institution__name")
    )


def dossier_institution_ids(*, user: User) -> QuerySet[Membership, Any]:
    """The institutions whose dossiers the user works on (``Membership.DOSSIER_ROLES``), as a
    subquery of ids: a peer supporter's membership gives no part in them."""
    return Membership.objects.filter(user=user, role__in=Membership.DOSSIER_ROLES).values(
        "institution_id"
    )


def institution_member_list(*, institution: Institution) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(institution=institution)
        .select_related("user")
        .order_by("role", "user__email")
    )


def institution_invitation_list(*, institution: Institution) -> QuerySet[Invitation]:
    return Invitation.objects.for_institution(institution).filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    )


def institution_site_list(*, institution: Institution) -> QuerySet[InstitutionSite]:
    return InstitutionSite.objects.for_institution(institution)
