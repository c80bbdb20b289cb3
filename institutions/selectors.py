from django.db.models import QuerySet

from accounts.models import User
from institutions.models import Membership


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    """The institutions a user acts for, with their role."""
    return (
        Membership.objects.filter(user=user)
        .select_related("institution")
        .order_by("institution__name")
    )
