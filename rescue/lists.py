"""Lists that grow with the platform: filters (django-filter), a count, pages of a chosen size,
ordering on an indexed column.

A list view builds its filter set on the request's query string and calls ``list_page``; the
template includes ``partials/list_filters.html`` and ``partials/pagination.html``. Bad input (a
choice that does not exist, a page size not offered) is said beside the field and answers 400;
the list then ignores only the field in error.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import django_filters
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

PAGE_SIZES = (25, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]


class ListFilterSet(django_filters.FilterSet):
    """A filter set with the list's page size among its fields (one form, one query string)."""

    per_page = django_filters.TypedChoiceFilter(
        choices=[(size, str(size)) for size in PAGE_SIZES],
        coerce=int,
        method="keep",
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
