"""``PlainSelect`` draws Django's select markup in Python: for every select of every list's
filters, with nothing chosen and with a choice made, in English and Spanish, its HTML is what
Django's own template-drawn ``Select`` gives (the blank lines between the options aside, which
Django's templates leave and a browser ignores)."""

import re

import django_filters
import pytest
from django import forms
from django.utils import translation

from auditors.filters import AuditorPoolFilter
from audits.filters import AuditListFilter
from certification.filters import AppealListFilter, RegisterListFilter
from evidence.filters import ReusableFileFilter
from institutions.filters import InstitutionListFilter
from rescue.lists import PlainSelect

FILTERSETS = [
    AuditorPoolFilter,
    AuditListFilter,
    AppealListFilter,
    RegisterListFilter,
    InstitutionListFilter,
    ReusableFileFilter,
]


def selects(filterset: type[django_filters.FilterSet], data: dict) -> dict[str, str]:
    form = filterset(data, queryset=filterset._meta.model._default_manager.none()).form
    return {
        field.name: re.sub(r">\s+<", "><", str(field))
        for field in form
        if isinstance(field.field.widget, forms.Select)
        and not isinstance(field.field.widget, forms.SelectMultiple)
    }


def choices(filterset: type[django_filters.FilterSet]) -> dict[str, str]:
    """A value chosen in each select (its last choice), as a bound form would have it."""
    form = filterset({}, queryset=filterset._meta.model._default_manager.none()).form
    return {
        field.name: str(list(field.field.choices)[-1][0])
        for field in form
        if isinstance(field.field.widget, forms.Select)
    }


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("filterset", FILTERSETS, ids=lambda f: f.__name__)
def test_every_list_select_is_drawn_as_djangos(
    filterset: type[django_filters.FilterSet], language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with translation.override(language):
        for data in ({}, choices(filterset)):
            plain = selects(filterset, data)
            with monkeypatch.context() as patch:
                patch.setattr(PlainSelect, "render", forms.Select.render)
                django = selects(filterset, data)
            assert plain == django
    drawn_plain = [
        name
        for name, field in filterset.base_filters.items()
        if isinstance(field.extra.get("widget"), type)
        and issubclass(field.extra["widget"], PlainSelect)
    ]
    assert drawn_plain or filterset is ReusableFileFilter  # the test compares something
