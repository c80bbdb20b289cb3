"""Authentication backends."""

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Permission

from rescue.queries import any_of


class ModelBackend(DjangoModelBackend):
    """Django's model backend, reading a user's permissions (their own and their groups') in one
    query rather than two. Every signed-in page asks one of them (the navigation asks whether
    the person is an auditor), so this is a query less on every page. The answer is the same
    set, kept on the user object for the request as Django keeps it."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                # What Django's _get_user_permissions and _get_group_permissions read.
                own = user_obj.user_permissions.values("pk")
                of_groups = Permission.objects.filter(group__user=user_obj).values("pk")
                perms = any_of(Permission.objects.all(), own, of_groups)
            rows = perms.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
