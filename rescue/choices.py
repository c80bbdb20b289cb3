"""Choice labels read once per field.

Django's ``get_<field>_display()`` rebuilds a dictionary of the field's every choice on each
call, hashing each label: a translated label is translated to be hashed, so every call
translates every label of the field. A list of 25 rows that shows five such fields a row asked
gettext about 1,100 times (My reviews, bench/pages.py). ``ChoiceLabels`` keeps each field's
labels by value, still lazy, and translates only the one shown, in the active language.

``country_name``: a country's name likewise, from a table of names kept per language.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django_countries import countries

_labels: dict[models.Field, dict[Any, Any]] = {}


def _labels_of(field: models.Field) -> dict[Any, Any] | None:
    """The field's labels by value, or None for choices that may change (a callable)."""
    if not isinstance(field.choices, list | tuple):
        return None
    labels = _labels.get(field)
    if labels is None:
        labels = {make_hashable(value): label for value, label in field.flatchoices}
        _labels[field] = labels
    return labels


class ChoiceLabels:
    """For a model: ``get_<field>_display()`` as Django's (the label of the value, or the value
    itself when it is not a choice), from labels read once per field."""

    def _get_FIELD_display(self, field: models.Field) -> Any:  # noqa: N802 - Django's name
        labels = _labels_of(field)
        if labels is None:
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        value = getattr(self, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)


_COUNTRY_NAMES: dict[str, dict[str, str]] = {}


def country_name(code: str) -> str:
    """The country's name in the active language, as django-countries names it (``""`` for a
    code it does not know). Read from a table of names kept per language: django-countries
    translates a name again each time it is read (20 µs, three times a row on the auditors'
    lists)."""
    language = get_language() or settings.LANGUAGE_CODE
    names = _COUNTRY_NAMES.get(language)
    if names is None:
        names = _COUNTRY_NAMES[language] = {alpha2: str(name) for alpha2, name in countries}
    return names.get(str(code), "")
