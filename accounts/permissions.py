"""Platform capabilities of a user, as permissions (granted through the platform groups)."""

from typing import Any

PERM_ACT_AS_AUDITOR = "accounts.act_as_auditor"
PERM_ASSIGN_AUDITOR = "audits.assign_auditor"
PERM_MANAGE_ALL_INSTITUTIONS = "institutions.manage_all_institutions"


def is_auditor(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm(PERM_ACT_AS_AUDITOR))


def is_platform_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.has_perm(PERM_ASSIGN_AUDITOR))


def two_factor_required(user: Any) -> bool:
    """Auditors, ERNST admins and anyone who reaches the Django admin must use two factors."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or is_auditor(user) or is_platform_admin(user))
