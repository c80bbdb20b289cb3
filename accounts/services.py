from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from accounts.roles import PLATFORM_GROUP_PERMISSIONS


@transaction.atomic
def platform_groups_ensure() -> dict[str, Group]:
    """Create the platform groups and give each exactly its declared permissions."""
    groups: dict[str, Group] = {}
    for name, perms in PLATFORM_GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        query = Q(pk__in=[])
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            query |= Q(content_type__app_label=app_label, codename=codename)
        wanted = set(Permission.objects.filter(query).values_list("pk", flat=True))
        if len(wanted) != len(perms):
            raise LookupError(f"Unknown permission in {name}: {perms}")
        current = set(group.permissions.values_list("pk", flat=True))
        if current != wanted:
            group.permissions.set(wanted)
        groups[name] = group
    return groups
