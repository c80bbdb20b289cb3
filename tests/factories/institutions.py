import factory

from institutions.models import Institution, Membership
from standards.choices import Setting
from tests.factories.accounts import UserFactory


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Institution {n}")
    country = "BE"
    setting = Setting.HOSPITAL
    preferred_language = "en"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Membership.Role.COORDINATOR
