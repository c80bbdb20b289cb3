"""Reading the catalogue."""

from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, QuerySet, Value, When

from standards.choices import Component
from standards.models import CatalogueVersion, Section, Standard

COMPONENT_ORDER = list(Component.values)
COMPONENT_RANK = Case(
    *(
        When(catalogue_version__component=component, then=Value(rank))
        for rank, component in enumerate(COMPONENT_ORDER)
    ),
    output_field=IntegerField(),
)


def standard_queryset() -> QuerySet[Standard]:
    """Standards with everything a listing shows, in a constant number of queries.

    Ordered as the certification presents them: Intervention, Training, Competences, then by
    catalogue version and position in the catalogue.
    """
    return (
        Standard.objects.select_related("section", "catalogue_version")
        .prefetch_related("guidance")
        .order_by(COMPONENT_RANK, "catalogue_version_id", "order")
    )


def catalogue_version_list() -> QuerySet[CatalogueVersion]:
    """Every version, Intervention first, newest first within a component."""
    rank = Case(
        *(When(component=c, then=Value(rank)) for rank, c in enumerate(COMPONENT_ORDER)),
        output_field=IntegerField(),
    )
    return CatalogueVersion.objects.order_by(rank, "-publication_date", "-pk")


def catalogue_version_active(*, component: str) -> CatalogueVersion | None:
    return CatalogueVersion.objects.filter(
        component=component, status=CatalogueVersion.Status.ACTIVE
    ).first()


@dataclass
class SectionGroup:
    section: Section
    standards: list[Standard] = field(default_factory=list)


@dataclass
class VersionGroup:
    version: CatalogueVersion
    sections: list[SectionGroup] = field(default_factory=list)

    @property
    def standard_count(self) -> int:
        return sum(len(group.standards) for group in self.sections)


def catalogue_grouped(*, standards: QuerySet[Standard]) -> list[VersionGroup]:
    """Group a listing (in ``standard_queryset`` order) by catalogue version, then section."""
    versions: dict[int, VersionGroup] = {}
    sections: dict[int, SectionGroup] = {}
    for standard in standards:
        version_group = versions.get(standard.catalogue_version_id)
        if version_group is None:
            version_group = versions[standard.catalogue_version_id] = VersionGroup(
                standard.catalogue_version
            )
        section_group = sections.get(standard.section_id)
        if section_group is None:
            section_group = sections[standard.section_id] = SectionGroup(standard.section)
            version_group.sections.append(section_group)
        section_group.standards.append(standard)
    return list(versions.values())
