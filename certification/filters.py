"""The public register's search and filters: one definition for the page and the API.

``RegisterFilter`` is the API's (``/api/v1/register/``); the page's ``RegisterListFilter`` adds
the page size of the house lists (rescue/lists.py). Every choice is a public fact of the
certificate; none reaches a column the register does not show.

The register page draws its form on every request: its selects are ``PlainSelect`` (Django's
markup without a template per option), and the country filter's 249 choices are read in the
active language when drawn and shared, not copied, by the filter set and form each request
builds. Copied and drawn as Django does, the form was half the register page's time
(bench/pages.py).
"""

from collections.abc import Iterator
from html import escape
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters import rest_framework as filters

from certification.models import Appeal, Certificate, Scheme
from rescue.lists import ListFilterSet
from standards.choices import InterventionLevel, Setting

# The schemes the register lists: an institution's certificates, and a person's certificate of
# competences only with its holder's consent (``register_list``).
REGISTER_SCHEMES = (Scheme.INTERVENTION, Scheme.TRAINING, Scheme.MASTERY, Scheme.COMPETENCES)
REGISTER_STATUSES = [
    (Certificate.Status.ACTIVE.value, _("Valid")),
    (Certificate.Status.SUSPENDED.value, _("Suspended")),
]


class CountryChoices(BaseChoiceIterator):
    """Every country, named and ordered in the active language when read (django-countries
    keeps the sorted list per language). One instance serves every request: a deep copy (each
    filter set and form makes one of its fields) is the instance itself."""

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(countries)

    def __deepcopy__(self, memo: dict[int, Any]) -> "CountryChoices":
        return self


def _attributes(attrs: dict[str, Any]) -> str:
    """Django's django/forms/widgets/attrs.html, in Python."""
    return "".join(
        f" {escape(str(name))}" if value is True else f' {escape(str(name))}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """Django's select (django/forms/widgets/select.html and select_option.html): the same
    markup, drawn in Python rather than with a template for each option."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name for group_name, _group, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = "".join(
            f'\n  <option value="{escape(str(option["value"]))}"'
            f"{_attributes(option['attrs'])}>{escape(str(option['label']))}</option>"
            for _name, group, _index in widget["optgroups"]
            for option in group
        )
        return mark_safe(  # noqa: S308  # every value above is escaped
            f'<select name="{escape(name)}"{_attributes(widget["attrs"])}>{options}\n</select>'
        )


class RegisterFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="search",
        label=_("Name or certificate number"),
        help_text=_("Part of the institution's or the supporter's name, or of the number."),
        max_length=100,
    )
    country = filters.ChoiceFilter(
        field_name="institution__country",
        choices=CountryChoices(),
        widget=PlainSelect,
        label=_("Country"),
        empty_label=_("All countries"),
    )
    setting = filters.ChoiceFilter(
        choices=Setting.choices,
        label=_("Setting"),
        empty_label=_("All settings"),
        widget=PlainSelect,
    )
    scheme = filters.ChoiceFilter(
        choices=[(scheme.value, scheme.label) for scheme in REGISTER_SCHEMES],
        label=_("Scheme"),
        empty_label=_("All schemes"),
        widget=PlainSelect,
    )
    level = filters.ChoiceFilter(
        choices=InterventionLevel.choices,
        label=_("Level"),
        empty_label=_("Any level"),
        help_text=_("RESCUE-Intervention only."),
        widget=PlainSelect,
    )
    status = filters.ChoiceFilter(
        choices=REGISTER_STATUSES,
        label=_("Status"),
        empty_label=_("Valid or suspended"),
        widget=PlainSelect,
    )

    class Meta:
        model = Certificate
        fields = ["q", "country", "setting", "scheme", "level", "status"]

    def search(
        self, queryset: QuerySet[Certificate], name: str, value: str
    ) -> QuerySet[Certificate]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(institution__name__icontains=value, holder__isnull=True)
            | Q(holder_name__icontains=value)
            | Q(number__icontains=value)
        )


class RegisterListFilter(RegisterFilter, ListFilterSet):
    """The register page's filters, with the page size."""


class AppealListFilter(ListFilterSet):
    """The ERNST admins' list of appeals (open ones first, by the view's ordering)."""

    state = django_filters.ChoiceFilter(
        choices=Appeal.State.choices, label=_("State"), empty_label=_("Any state")
    )

    class Meta:
        model = Appeal
        fields = ["state"]
