"""``country_name``: a country's name in the active language from a table kept per language, the
same as django-countries' own ``Country.name``; and the auditors' lists that show them."""

import pytest
from django.conf import settings
from django.utils import translation
from django_countries import countries
from django_countries.fields import Country

from auditors.models import AuditorProfile
from institutions.models import Institution
from rescue.choices import country_name


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_country_is_named_as_django_countries_names_it(language: str) -> None:
    with translation.override(language):
        for code, _name in countries:
            assert country_name(code) == str(Country(code).name), (language, code)


def test_spanish_names_are_spanish_and_a_code_unknown_has_no_name() -> None:
    with translation.override("es"):
        assert country_name("DE") == "Alemania"
        assert country_name("de") == ""  # codes are stored upper-case
    with translation.override("en"):
        assert country_name("DE") == "Germany"
        assert country_name("XX") == ""


def test_an_auditor_s_countries_are_named_in_the_field_s_order() -> None:
    profile = AuditorProfile(countries=["PT", "BE"])  # the field keeps them by code
    with translation.override("en"):
        assert profile.country_names == ["Belgium", "Portugal"]
    with translation.override("nl"):
        assert profile.country_names == ["België", "Portugal"]
    assert AuditorProfile(countries=[]).country_names == []


def test_an_institution_s_country_is_named_in_the_active_language() -> None:
    institution = Institution(name="Hospital", country="BE")
    with translation.override("en"):
        assert institution.country_name == "Belgium"
    with translation.override("fr"):
        assert institution.country_name == "Belgique"
