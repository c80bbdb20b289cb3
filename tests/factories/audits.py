import factory

from audits.models import Audit
from standards.choices import Setting
from tests.factories.institutions import InstitutionFactory
from tests.factories.standards import CatalogueVersionFactory


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    institution = factory.SubFactory(InstitutionFactory)
    catalogue_version = factory.SubFactory(CatalogueVersionFactory)
    component = factory.LazyAttribute(lambda o: o.catalogue_version.component)
    setting = Setting.HOSPITAL
    target_level = "design"
