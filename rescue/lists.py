"""Lists that grow with the platform: filters (django-filter), a count, pages of a chosen size,
ordering on an indexed column.

The forms are drawn on every request: a select is ``PlainSelect`` (Django's markup without a
template per option) and a country filter's 249 choices are ``CountryChoices``, read in the
active language when drawn and shared, not copied, by the filter set and form each request
builds. Copied and drawn as Django does, the form was half of a list page's time
(bench/pages.py).

A list view builds its filter set on the request's query string and calls ``list_page``; the
template includes ``partials/list_filters.html`` and ``partials/pagination.html``. Bad input (a
choice that does not exist, a page size not offered) is said beside the field and answers 400;
the list then ignores only the field in error.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]


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


class ListFilterSet(django_filters.FilterSet):
    """A filter set with the list's page size among its fields (one form, one query string)."""

    per_page = django_filters.TypedChoiceFilter(
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        method="keep",
        widget=PlainSelect,
        label=_("Per page"),
    )

    def keep(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset


@dataclass(frozen=True)
class ListPage:
    filterset: ListFilterSet
    page: Page
    querystring: str  # the filters, without the page number, for the page links
    filtered: bool  # a filter other than the page size is set

    @property
    def status(self) -> int:
        return 400 if self.filterset.errors else 200


def list_page(request: HttpRequest, filterset: ListFilterSet) -> ListPage:
    filterset.is_valid()  # the fields in error drop out of cleaned_data
    data = getattr(filterset.form, "cleaned_data", {})
    size = data.get("per_page") or DEFAULT_PAGE_SIZE
    paginator = Paginator(filterset.qs, size)
    page = paginator.get_page(request.GET.get("page"))
    kept = [
        (key, value)
        for key in request.GET
        if key != "page"
        for value in request.GET.getlist(key)
        if value and "\x00" not in value
    ]
    filtered = any(value for key, value in data.items() if key not in ("per_page", "ordering"))
    return ListPage(filterset=filterset, page=page, querystring=urlencode(kept), filtered=filtered)
