"""The review page, My reviews and the divergence page read a fixed number of queries, however
many standards and files the dossier has."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import AUDITORS
from accounts.services import platform_groups_ensure
from audits.models import Audit, StandardAssessment
from reviews.models import ConsolidatedRating
from tests.factories import InstitutionFactory, UserFactory
from tests.factories.reviews import review_dossier_build
from tests.world import World, client_for

pytestmark = pytest.mark.django_db

SMALL = {"standards": 3, "files_per_standard": 1, "rated_by_each": 3}
LARGE = {"standards": 14, "files_per_standard": 6, "rated_by_each": 14}


def build(world: World, size: dict[str, int], *, divergent: bool) -> tuple[Audit, object]:
    group = platform_groups_ensure()[AUDITORS]
    lead, second = UserFactory(), UserFactory()
    for user in (lead, second):
        user.groups.add(group)
    audit = review_dossier_build(
        institution=InstitutionFactory(),
        lead=lead,
        second=second,
        admin=world.users["admin"],
        **size,
    )
    if divergent:  # both completed, every standard rated differently: all wait for the lead
        audit.assignments.update(completed_at=audit.submitted_at)
        ConsolidatedRating.objects.bulk_create(
            ConsolidatedRating(
                institution_id=audit.institution_id, audit=audit, assessment=a, source="lead"
            )
            for a in StandardAssessment.objects.for_institution(audit.institution_id).filter(
                audit=audit
            )
        )
    return audit, lead


def count(client: object, url: str) -> int:
    client.get(url)  # type: ignore[attr-defined]  # warm the session and permission caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200, url
    return len(queries)


PAGES: dict[str, Callable[[Audit], str]] = {
    "review page": lambda audit: reverse("reviews:standard", args=[audit.pk, "TRA01"]),
    "review overview": lambda audit: reverse("reviews:overview", args=[audit.pk]),
    "my reviews": lambda audit: reverse("reviews:mine"),
    "divergences": lambda audit: reverse("reviews:divergences", args=[audit.pk]),
}


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_dossier(world: World, page: str) -> None:
    counts = []
    for size in (SMALL, LARGE):
        audit, lead = build(world, size, divergent=page == "divergences")
        counts.append(count(client_for(lead), PAGES[page](audit)))  # type: ignore[arg-type]
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries small, {counts[1]} large"
    assert counts[1] <= MAX_QUERIES[page]


MAX_QUERIES = {"review page": 12, "review overview": 10, "my reviews": 10, "divergences": 11}
