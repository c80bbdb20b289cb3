"""The ERNST admin's institution list: filters, ordering on indexed columns."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from rescue.lists import CountryChoices, ListFilterSet, PlainSelect
from standards.choices import Setting


class InstitutionListFilter(ListFilterSet):
    q = django_filters.CharFilter(
        field_name="name",
        lookup_expr="icontains",
        label=_("Name"),
        help_text=_("Part of the name."),
    )
    country = django_filters.ChoiceFilter(
        choices=CountryChoices(),
        widget=PlainSelect,
        label=_("Country"),
        empty_label=_("All countries"),
    )
    setting = django_filters.ChoiceFilter(
        choices=Setting.choices,
        widget=PlainSelect,
        label=_("Setting"),
        empty_label=_("All settings"),
    )
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("created_at", "created")),
        field_labels={"name": _("Name"), "created_at": _("Created")},
        label=_("Sort by"),
        empty_label=_("Name (A to Z)"),
        widget=PlainSelect,
    )

    class Meta:
        model = Institution
        fields = ["q", "country", "setting"]

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("name", "pk")
        return queryset
