from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.models import User
from accounts.permissions import PERM_ACT_AS_AUDITOR
from auditors.models import ConflictOfInterest
from reviews.models import AuditorAssignment


def auditor_pool() -> QuerySet[User]:
    """Everyone who may be assigned audits, with their profile, conflicts and current load."""
    app_label, codename = PERM_ACT_AS_AUDITOR.split(".")
    holds_permission = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label=app_label,
    ) | Q(
        user_permissions__codename=codename,
        user_permissions__content_type__app_label=app_label,
    )
    pool_ids = User.objects.filter(holds_permission, is_active=True).values("pk")
    return (
        User.objects.filter(pk__in=pool_ids)
        .select_related("auditor_profile")
        .prefetch_related(
            Prefetch(
                "conflicts_of_interest",
                queryset=ConflictOfInterest.objects.select_related("institution"),
            )
        )
        .annotate(
            active_assignments=Count(
                "audit_assignments", filter=Q(audit_assignments__ended_at__isnull=True)
            )
        )
        .order_by("email")
    )


def auditor_conflict_list(*, auditor: User) -> QuerySet[ConflictOfInterest]:
    return ConflictOfInterest.objects.filter(auditor=auditor).select_related("institution")


def auditor_assignment_list(*, auditor: User) -> QuerySet[AuditorAssignment]:
    # Across institutions on purpose: an auditor's own current assignments, wherever they are.
    return AuditorAssignment.unscoped.filter(auditor=auditor, ended_at__isnull=True).select_related(
        "audit__institution", "audit__catalogue_version"
    )
