"""Lists that grow with the platform are paginated, counted and filtered (rescue/lists.py)."""

import pytest
from django.urls import reverse

from accounts.roles import AUDITORS
from accounts.services import platform_groups_ensure
from auditors.models import AuditorProfile
from tests.audits.support import plain_text
from tests.factories import AuditFactory, InstitutionFactory, UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db

DASH = "\N{EN DASH}"  # the page writes "first-last of total" with an en dash


def shown(first: int, last: int, total: int) -> str:
    return f"{first}{DASH}{last} of {total}"


def test_the_institution_list_is_paginated_with_a_count(world: World) -> None:
    for n in range(60):
        InstitutionFactory(name=f"Clinic {n:03d}", country="PT")
    url = reverse("institutions:list")
    text = plain_text(world.client("admin").get(url))
    assert shown(1, 25, 62) in text
    assert "Page 1 of 3" in text
    page_3 = world.client("admin").get(url, {"page": 3})
    assert shown(51, 62, 62) in plain_text(page_3)
    bigger = plain_text(world.client("admin").get(url, {"per_page": 100}))
    assert shown(1, 62, 62) in bigger


def test_the_institution_list_filters_and_keeps_the_filters_in_the_page_links(
    world: World,
) -> None:
    for n in range(30):
        InstitutionFactory(name=f"Clinic {n:03d}", country="PT")
    url = reverse("institutions:list")
    response = world.client("admin").get(url, {"country": "PT", "q": "clinic"})
    text = plain_text(response)
    assert shown(1, 25, 30) in text
    assert "filtered" in text
    assert "Hospital A" not in text
    assert "country=PT&amp;q=clinic&amp;page=2" in response.content.decode()


def test_a_bad_filter_is_a_400_that_says_which_field(world: World) -> None:
    url = reverse("institutions:list")
    for query in ({"country": "XX"}, {"per_page": "7"}, {"ordering": "password"}):
        response = world.client("admin").get(url, query)
        assert response.status_code == 400, query
        assert "Select a valid choice" in plain_text(response), query
    assert world.client("admin").get(url, {"page": "zzz"}).status_code == 200  # first page


def test_the_audit_list_filters_by_status_and_component_as_the_admin(world: World) -> None:
    for _ in range(3):
        AuditFactory(status="submitted", catalogue_version=world.audit_a.catalogue_version)
    url = reverse("audits:list")
    text = plain_text(world.client("admin").get(url, {"status": "submitted"}))
    assert shown(1, 3, 3) in text
    everything = plain_text(world.client("admin").get(url))
    # and the world's four: A's two, B's one, and the application of A's peer supporter
    assert shown(1, 7, 7) in everything


def test_the_audit_list_never_shows_another_institutions_audits(world: World) -> None:
    AuditFactory.create_batch(3, catalogue_version=world.audit_a.catalogue_version)
    text = plain_text(world.client("coordinator_a").get(reverse("audits:list")))
    assert shown(1, 2, 2) in text  # A's open audit and its decided one
    assert "Practice B" not in text


def test_the_auditor_pool_shows_names_not_codes_and_filters(world: World) -> None:
    group = platform_groups_ensure()[AUDITORS]
    for n, (language, component) in enumerate(
        [("es", "intervention"), ("de", "training"), ("es", "training")]
    ):
        auditor = UserFactory(email=f"pool-{n}@example.org")
        auditor.groups.add(group)
        AuditorProfile.objects.create(
            user=auditor, languages=[language], components=[component], countries=["ES", "PT"]
        )
    url = reverse("auditors:pool")
    text = plain_text(world.client("admin").get(url))
    assert "Spain, Portugal" in text
    assert "RESCUE-Intervention" in text
    assert "intervention," not in text
    qualified = plain_text(world.client("admin").get(url, {"component": "training"}))
    assert shown(1, 2, 2) in qualified
    assert "pool-0@example.org" not in qualified
    spanish = plain_text(world.client("admin").get(url, {"language": "es", "country": "PT"}))
    assert shown(1, 2, 2) in spanish
