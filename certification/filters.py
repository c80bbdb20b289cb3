"""The public register's search and filters: one definition for the page and the API.

``RegisterFilter`` is the API's (``/api/v1/register/``); the page's ``RegisterListFilter`` adds
the page size of the house lists (rescue/lists.py). Every choice is a public fact of the
certificate; none reaches a column the register does not show.

The register page draws its form on every request: its selects are ``PlainSelect`` and its
country filter ``CountryChoices`` (rescue/lists.py).
"""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from certification.models import Appeal, Certificate, Scheme
from institutions.models import Institution
from rescue.lists import CountryChoices, ListFilterSet, PlainSelect
from rescue.queries import any_of
from standards.choices import InterventionLevel, Setting

# The schemes the register lists: an institution's certificates, and a person's certificate of
# competences only with its holder's consent (``register_list``).
REGISTER_SCHEMES = (Scheme.INTERVENTION, Scheme.TRAINING, Scheme.MASTERY, Scheme.COMPETENCES)
REGISTER_STATUSES = [
    (Certificate.Status.ACTIVE.value, _("Valid")),
    (Certificate.Status.SUSPENDED.value, _("Suspended")),
]


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
        # An institution's certificate by the institution's name, a person's by their name, any
        # by its number: the certificates' own columns, and the institution's name, each a way
        # of its own (``any_of``), read on PostgreSQL from trigram indexes (migration 0005).
        own = Certificate.unscoped.filter(
            Q(holder_name__icontains=value) | Q(number__icontains=value)
        )
        by_institution = Certificate.unscoped.filter(
            holder__isnull=True,
            institution__in=Institution.objects.filter(name__icontains=value).values("pk"),
        )
        return any_of(queryset, own.values("pk"), by_institution.values("pk"))


class RegisterListFilter(RegisterFilter, ListFilterSet):
    """The register page's filters, with the page size."""


class AppealListFilter(ListFilterSet):
    """The ERNST admins' list of appeals (open ones first, by the view's ordering)."""

    state = django_filters.ChoiceFilter(
        choices=Appeal.State.choices,
        label=_("State"),
        empty_label=_("Any state"),
        widget=PlainSelect,
    )

    class Meta:
        model = Appeal
        fields = ["state"]
