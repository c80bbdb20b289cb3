"""The audit list's filters (the page; the API keeps its own in audits/api/views.py)."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from audits.models import Audit
from rescue.lists import CountryChoices, ListFilterSet, PlainSelect
from standards.choices import Component, InterventionLevel


class AuditListFilter(ListFilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Institution"), help_text=_("Part of the institution's name.")
    )
    component = django_filters.ChoiceFilter(
        field_name="catalogue_version__component",
        choices=Component.choices,
        widget=PlainSelect,
        label=_("Component"),
        empty_label=_("All components"),
    )
    status = django_filters.ChoiceFilter(
        choices=Audit.Status.choices,
        widget=PlainSelect,
        label=_("Status"),
        empty_label=_("Any status"),
    )
    target_level = django_filters.ChoiceFilter(
        choices=InterventionLevel.choices,
        widget=PlainSelect,
        label=_("Level"),
        empty_label=_("Any level"),
    )
    country = django_filters.ChoiceFilter(
        field_name="institution__country",
        choices=CountryChoices(),
        widget=PlainSelect,
        label=_("Country"),
        empty_label=_("All countries"),
    )
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "started"), ("institution__name", "institution")),
        field_labels={"created_at": _("Started"), "institution__name": _("Institution")},
        label=_("Sort by"),
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Audit
        fields = ["q", "component", "status", "target_level", "country"]

    def search(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        return queryset.filter(Q(institution__name__icontains=value.strip()))

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("-created_at", "-pk")
        return queryset
