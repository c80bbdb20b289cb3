"""One filter definition for the catalogue page and the catalogue API."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from standards.choices import Component, InterventionLevel, Setting
from standards.models import INTERVENTION_LEVEL_FIELDS, SETTING_FIELDS, CatalogueVersion, Standard


class StandardFilter(filters.FilterSet):
    # CORE is the catalogue's own term (the badge shows it as is).
    LEVEL_CHOICES = [("elementary", _("Elementary")), ("advanced", _("Advanced")), ("core", "CORE")]

    component = filters.ChoiceFilter(
        field_name="catalogue_version__component",
        choices=Component.choices,
        label=_("Component"),
        empty_label=_("All components"),
    )
    version = filters.ModelChoiceFilter(
        field_name="catalogue_version",
        queryset=CatalogueVersion.objects.all(),
        label=_("Catalogue version"),
        empty_label=_("Active versions"),
        help_text=_("A catalogue version id; by default the active version of each component."),
    )
    level = filters.ChoiceFilter(
        choices=LEVEL_CHOICES, method="filter_level", label=_("Level"), empty_label=_("All levels")
    )
    intervention_level = filters.ChoiceFilter(
        choices=InterventionLevel.choices,
        method="filter_intervention_level",
        label=_("Intervention level"),
        empty_label=_("Any"),
        help_text=_("Intervention standards that apply at this level."),
    )
    setting = filters.ChoiceFilter(
        choices=Setting.choices,
        method="filter_setting",
        label=_("Setting"),
        empty_label=_("All settings"),
    )
    q = filters.CharFilter(method="filter_text", label=_("Search"), max_length=100)

    class Meta:
        model = Standard
        fields = ["component", "version", "level", "intervention_level", "setting", "q"]

    def filter_queryset(self, queryset: QuerySet[Standard]) -> QuerySet[Standard]:
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("version"):
            queryset = queryset.filter(catalogue_version__status=CatalogueVersion.Status.ACTIVE)
        return queryset

    def filter_level(
        self, queryset: QuerySet[Standard], name: str, value: str
    ) -> QuerySet[Standard]:
        if value == "core":
            return queryset.filter(is_core=True)
        return queryset.filter(level=value)

    def filter_intervention_level(
        self, queryset: QuerySet[Standard], name: str, value: str
    ) -> QuerySet[Standard]:
        return queryset.filter(
            catalogue_version__component=Component.INTERVENTION,
            **{INTERVENTION_LEVEL_FIELDS[InterventionLevel(value)]: True},
        )

    def filter_setting(
        self, queryset: QuerySet[Standard], name: str, value: str
    ) -> QuerySet[Standard]:
        return queryset.filter(**{SETTING_FIELDS[Setting(value)]: True})

    def filter_text(
        self, queryset: QuerySet[Standard], name: str, value: str
    ) -> QuerySet[Standard]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__iexact=value)
            | Q(title__icontains=value)
            | Q(operational_definition__icontains=value)
            | Q(evidence_required__icontains=value)
        )
