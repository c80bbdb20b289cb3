import datetime
from decimal import Decimal

import factory

from standards.choices import Component, Level, Setting
from standards.models import CatalogueVersion, Section, Standard, StandardGuidance


class CatalogueVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueVersion

    component = Component.INTERVENTION
    version = factory.Sequence(lambda n: f"test-{n}")
    name = factory.LazyAttribute(lambda o: f"Test catalogue {o.version}")
    publication_date = datetime.date(2026, 1, 1)
    status = CatalogueVersion.Status.DRAFT
    content_hash = factory.Faker("sha256")
    elementary_met_share = Decimal("1.000")
    advanced_met_share = Decimal("0.500")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    catalogue_version = factory.SubFactory(CatalogueVersionFactory)
    code = factory.Sequence(lambda n: f"S{n}")
    title = factory.Sequence(lambda n: f"Section {n}")
    order = factory.Sequence(lambda n: n + 1)


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    section = factory.SubFactory(SectionFactory)
    catalogue_version = factory.SelfAttribute("section.catalogue_version")
    code = factory.Sequence(lambda n: f"INT{n % 100:02d}")
    title = factory.Sequence(lambda n: f"Standard {n}")
    operational_definition = "The programme has a written policy."
    evidence_required = "Signed policy."
    level = Level.ELEMENTARY
    applies_design = True
    applies_execution = True
    applies_comprehensive = True
    ernst_levels = factory.LazyFunction(lambda: [3])
    order = factory.Sequence(lambda n: n + 1)


class StandardGuidanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandardGuidance

    standard = factory.SubFactory(StandardFactory)
    setting = Setting.PRIMARY_CARE
    text = "Arrange cover across practices."
