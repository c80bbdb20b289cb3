"""The auditor pool's filters: who is qualified for a component, works in a language, audits in
a country."""

from typing import Any

import django_filters
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from auditors.forms import european_countries
from rescue.lists import ListFilterSet, PlainSelect
from standards.choices import Component


class AuditorPoolFilter(ListFilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Auditor"), help_text=_("Part of the name or e-mail address.")
    )
    component = django_filters.ChoiceFilter(
        choices=Component.choices,
        method="qualified",
        label=_("Qualified for"),
        empty_label=_("Any component"),
        widget=PlainSelect,
    )
    language = django_filters.ChoiceFilter(
        choices=settings.LANGUAGES,
        method="speaks",
        label=_("Language"),
        empty_label=_("Any"),
        widget=PlainSelect,
    )
    country = django_filters.ChoiceFilter(
        choices=european_countries,
        method="audits_in",
        label=_("Country"),
        empty_label=_("Any"),
        widget=PlainSelect,
    )
    ordering = django_filters.OrderingFilter(
        fields=(("email", "email"), ("last_name", "name")),
        field_labels={"email": _("E-mail address"), "last_name": _("Family name")},
        label=_("Sort by"),
        empty_label=_("E-mail address"),
        widget=PlainSelect,
    )

    class Meta:
        model = User
        fields = ["q", "component", "language", "country"]

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        value = value.strip()
        return queryset.filter(
            Q(email__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )

    def qualified(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        # icontains on the JSON text, quoted: works on PostgreSQL and on make run's SQLite.
        return queryset.filter(auditor_profile__components__icontains=f'"{value}"')

    def speaks(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(auditor_profile__languages__icontains=f'"{value}"')

    def audits_in(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        # CountryField(multiple=True) stores "ES,PT": match the code as a whole item.
        field = "auditor_profile__countries"
        return queryset.filter(
            Q(**{field: value})
            | Q(**{f"{field}__startswith": f"{value},"})
            | Q(**{f"{field}__endswith": f",{value}"})
            | Q(**{f"{field}__contains": f",{value},"})
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("email")
        return queryset
