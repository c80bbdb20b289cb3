from django.db.models import QuerySet
from rest_framework import viewsets

from institutions.api.base import InstitutionScopedListView
from institutions.api.serializers import InstitutionSerializer, MembershipSerializer
from institutions.models import Institution, Membership
from institutions.permissions import InstitutionAction, institution_policy
from institutions.selectors import institution_member_list


class InstitutionViewSet(viewsets.ReadOnlyModelViewSet):
    """The institutions the user acts for (every institution for ERNST admins)."""

    serializer_class = InstitutionSerializer

    def get_queryset(self) -> QuerySet[Institution]:
        return institution_policy.institutions_for(self.request.user, InstitutionAction.VIEW)


class MemberListView(InstitutionScopedListView):
    """An institution's members (coordinators and ERNST admins)."""

    serializer_class = MembershipSerializer
    institution_action = InstitutionAction.MANAGE_MEMBERS

    def get_scoped_queryset(self, institution: Institution) -> QuerySet[Membership]:
        return institution_member_list(institution=institution)
