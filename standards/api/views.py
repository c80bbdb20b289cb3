from typing import Any

from django.db.models import Count, QuerySet
from rest_framework import viewsets

from standards.api.serializers import CatalogueVersionSerializer, StandardSerializer
from standards.filters import StandardFilter
from standards.models import CatalogueVersion, Standard
from standards.selectors import catalogue_version_list, standard_queryset


class CatalogueVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Catalogue versions of every component (the catalogue is the same for every user)."""

    serializer_class = CatalogueVersionSerializer
    filterset_fields = ["component", "status"]

    def get_queryset(self) -> QuerySet[CatalogueVersion]:
        return catalogue_version_list().annotate(standard_count=Count("standards"))


class StandardViewSet(viewsets.ReadOnlyModelViewSet):
    """Standards; by default those of the active version of each component."""

    serializer_class = StandardSerializer
    filterset_class = StandardFilter

    def get_queryset(self) -> QuerySet[Standard]:
        return standard_queryset()

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # A standard is addressable by id in any version; the filters shape listings only.
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)
