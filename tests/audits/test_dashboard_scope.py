"""A contributor's dashboard says that its figures are their assigned standards, and shows the
whole dossier's state beside them; inside their institution, a page they may not use says who
may (403)."""

import pytest
from django.urls import reverse

from audits.models import StandardAssessment
from tests.audits.support import plain_text
from tests.world import World

pytestmark = pytest.mark.django_db


def test_the_contributors_dashboard_tells_their_share_and_the_dossiers(world: World) -> None:
    assessment = world.assessment_a  # theirs; it has a file: a rating makes it ready
    assessment.self_rating = StandardAssessment.Rating.MET
    assessment.save()
    text = plain_text(
        world.client("contributor_a").get(reverse("audits:detail", args=[world.audit_a.pk]))
    )
    assert "Your standards" in text
    assert "The standards assigned to you in this dossier." in text
    assert "1 of 1 standards ready (100%)" in text
    assert "The whole dossier" in text
    assert "1 of 2 standards ready (50%)" in text
    assert "1 standard of the dossier is not ready yet" in text
    assert "Nothing in your standards" in text


def test_the_coordinators_dashboard_has_one_figure(world: World) -> None:
    text = plain_text(
        world.client("coordinator_a").get(reverse("audits:detail", args=[world.audit_a.pk]))
    )
    assert "0 of 2 standards ready (0%)" in text
    assert "Your standards" not in text
    assert "The whole dossier" not in text


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("institutions:members", "Only the institution's coordinators manage its members"),
        ("institutions:edit", "Only the institution's coordinators change its profile"),
        ("institutions:audit_start", "Only the institution's coordinators start an audit"),
    ],
)
def test_a_page_a_contributor_may_not_use_is_a_403_saying_who_may(
    world: World, name: str, who: str
) -> None:
    url = reverse(name, args=[world.institution_a.pk])
    response = world.client("contributor_a").get(url)
    assert response.status_code == 403
    assert who in plain_text(response)
    # Outside the institution it does not exist.
    assert world.client("coordinator_b").get(url).status_code == 404
