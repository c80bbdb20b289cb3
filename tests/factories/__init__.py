from tests.factories.accounts import UserFactory
from tests.factories.audits import AuditFactory
from tests.factories.institutions import InstitutionFactory, MembershipFactory
from tests.factories.standards import (
    CatalogueVersionFactory,
    SectionFactory,
    StandardFactory,
    StandardGuidanceFactory,
)

__all__ = [
    "AuditFactory",
    "CatalogueVersionFactory",
    "InstitutionFactory",
    "MembershipFactory",
    "SectionFactory",
    "StandardFactory",
    "StandardGuidanceFactory",
    "UserFactory",
]
