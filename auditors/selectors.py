from collections import Counter
from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db.models import Count, Prefetch, QuerySet

from accounts.models import User
from accounts.permissions import PERM_ACT_AS_AUDITOR
from auditors.models import ConflictOfInterest
from audits.models import Audit
from rescue.queries import any_of
from reviews.models import AuditorAssignment
from reviews.selectors import OPEN_REVIEW


def auditor_pool() -> QuerySet[User]:
    """Everyone who may be assigned audits, with their profile and conflicts (their load:
    ``auditor_load_attach``, for the page shown).

    The permission is held through a group or directly: each way is read through its own
    table's index and the two sets of ids are put together (``UNION ALL``), never one scan of
    every user joined to both their groups' permissions and their own (OR across the joins):
    counted 1.5 -> 0.5 ms, a page of 25 1.4 -> 0.9 ms (bench/pages.py's platform)."""
    app_label, codename = PERM_ACT_AS_AUDITOR.split(".")
    permission = Permission.objects.filter(
        codename=codename, content_type__app_label=app_label
    ).values("pk")
    groups = Group.permissions.through.objects.filter(permission__in=permission).values("group_id")
    through_group = User.groups.through.objects.filter(group_id__in=groups).values("user_id")
    directly = User.user_permissions.through.objects.filter(permission__in=permission).values(
        "user_id"
    )
    return (
        any_of(User.objects.filter(is_active=True), through_group, directly)
        .select_related("auditor_profile")
        .prefetch_related(
            Prefetch(
                "conflicts_of_interest",
                queryset=ConflictOfInterest.objects.select_related("institution"),
            )
        )
        .order_by("email")
    )


def auditor_load_attach(auditors: Iterable[User]) -> list[User]:
    """The page's auditors, each with their current load: ``active_assignments``, their places on
    the teams of audits not yet closed, and ``open_reviews``, those of audits submitted or in
    review. Counted in one grouped query for the page's auditors alone, never for the pool."""
    auditors = list(auditors)
    # Across institutions on purpose: the auditors' own places, counted, nothing else read.
    places = (
        AuditorAssignment.unscoped.filter(auditor__in=auditors, ended_at__isnull=True)
        .exclude(audit__status=Audit.Status.CLOSED)
        .values_list("auditor_id", "audit__status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    active: Counter[int] = Counter()
    reviewing: Counter[int] = Counter()
    for auditor_id, status, count in places:
        active[auditor_id] += count
        if status in OPEN_REVIEW:
            reviewing[auditor_id] += count
    for auditor in auditors:
        auditor.active_assignments = active[auditor.pk]  # type: ignore[attr-defined]
        auditor.open_reviews = reviewing[auditor.pk]  # type: ignore[attr-defined]
    return auditors


def auditor_conflict_list(*, auditor: User) -> QuerySet[ConflictOfInterest]:
    return ConflictOfInterest.objects.filter(auditor=auditor).select_related("institution")


def auditor_assignment_list(*, auditor: User) -> QuerySet[AuditorAssignment]:
    # Across institutions on purpose: an auditor's own current assignments, wherever they are.
    return AuditorAssignment.unscoped.filter(auditor=auditor, ended_at__isnull=True).select_related(
        "audit__institution", "audit__catalogue_version"
    )
