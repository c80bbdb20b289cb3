from django import forms
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import viewsets

from audits.api.serializers import AuditSerializer
from audits.models import Audit
from audits.permissions import AuditAction, audit_policy


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An id: a whole number (a number filter would take 1.5)."""

    field_class = forms.IntegerField


class AuditFilter(filters.FilterSet):
    # A plain number, not a choice among institutions: an unknown and a foreign institution
    # must look the same (an empty list), or the filter would reveal which ids exist.
    institution = IdFilter(field_name="institution_id")

    class Meta:
        model = Audit
        fields = ["status", "institution"]


class AuditViewSet(viewsets.ReadOnlyModelViewSet):
    """Audits the user may see: their institutions', the ones assigned to them, or all (admin)."""

    serializer_class = AuditSerializer
    filterset_class = AuditFilter

    def get_queryset(self) -> QuerySet[Audit]:
        return (
            audit_policy.audits_for(self.request.user, AuditAction.VIEW)
            .select_related("institution", "catalogue_version")
            .order_by("-created_at")
        )
