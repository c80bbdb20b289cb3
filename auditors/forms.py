from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from institutions.models import Institution
from standards.choices import Component

# RESCUE certifies European institutions: the EU and EEA states, Switzerland, the United
# Kingdom and the candidate countries.
EUROPEAN_COUNTRY_CODES = (
    "AL",
    "AD",
    "AT",
    "BE",
    "BA",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IS",
    "IE",
    "IT",
    "XK",
    "LV",
    "LI",
    "LT",
    "LU",
    "MT",
    "MD",
    "MC",
    "ME",
    "NL",
    "MK",
    "NO",
    "PL",
    "PT",
    "RO",
    "SM",
    "RS",
    "SK",
    "SI",
    "ES",
    "SE",
    "CH",
    "TR",
    "UA",
    "GB",
)


def european_countries() -> list[tuple[str, str]]:
    """(code, name) in the current language, sorted by name."""
    names = dict(countries)
    return sorted(
        ((code, str(names[code])) for code in EUROPEAN_COUNTRY_CODES if code in names),
        key=lambda choice: choice[1],
    )


class AuditorProfileForm(forms.Form):
    countries = forms.MultipleChoiceField(
        label=_("Countries you audit in"),
        help_text=_("Tick every country where you may audit institutions."),
        choices=european_countries,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you audit in"),
        help_text=_("The dossiers and interviews you can work with."),
        choices=settings.LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    components = forms.MultipleChoiceField(
        label=_("Components you are qualified for"),
        choices=Component.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ConflictForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.all())
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("For example: former employer, a relative works there."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
