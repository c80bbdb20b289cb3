"""The public register's search and filters: one definition for the page and the API.

``RegisterFilter`` is the API's (``/api/v1/register/``); the page's ``RegisterListFilter`` adds
the page size of the house lists (rescue/lists.py). Every choice is a public fact of the
certificate; none reaches a column the register does not show.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters import rest_framework as filters

from certification.models import Certificate, Scheme
from rescue.lists import ListFilterSet
from standards.choices import InterventionLevel, Setting

# The schemes of institutions, which the register lists (the supporters' competences certify a
# person, not an institution).
REGISTER_SCHEMES = (Scheme.INTERVENTION, Scheme.TRAINING, Scheme.MASTERY)
REGISTER_STATUSES = [
    (Certificate.Status.ACTIVE.value, _("Valid")),
    (Certificate.Status.SUSPENDED.value, _("Suspended")),
]


class RegisterFilter(filters.FilterSet):
    q = filters.CharFilter(
        method="search",
        label=_("Institution or certificate number"),
        help_text=_("Part of the institution's name or of the number."),
        max_length=100,
    )
    country = filters.ChoiceFilter(
        field_name="institution__country",
        choices=list(countries),
        label=_("Country"),
        empty_label=_("All countries"),
    )
    setting = filters.ChoiceFilter(
        choices=Setting.choices, label=_("Setting"), empty_label=_("All settings")
    )
    scheme = filters.ChoiceFilter(
        choices=[(scheme.value, scheme.label) for scheme in REGISTER_SCHEMES],
        label=_("Scheme"),
        empty_label=_("All schemes"),
    )
    level = filters.ChoiceFilter(
        choices=InterventionLevel.choices,
        label=_("Level"),
        empty_label=_("Any level"),
        help_text=_("RESCUE-Intervention only."),
    )
    status = filters.ChoiceFilter(
        choices=REGISTER_STATUSES, label=_("Status"), empty_label=_("Valid or suspended")
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
        return queryset.filter(Q(institution__name__icontains=value) | Q(number__icontains=value))


class RegisterListFilter(RegisterFilter, ListFilterSet):
    """The register page's filters, with the page size."""
