"""The home page: each person's own work, and nobody else's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Audit
from evidence.models import EvidenceFile
from tests.world import World

pytestmark = pytest.mark.django_db


def home_text(world: World, role: str) -> str:
    return " ".join(world.client(role).get(reverse("home")).content.decode().split())


def test_a_contributor_sees_the_standards_assigned_to_them_and_what_each_lacks(
    world: World,
) -> None:
    text = home_text(world, "contributor_a")
    assert "Standards assigned to you" in text
    assert world.standard.title in text
    assert world.assessment_a2.standard.title not in text  # not theirs
    assert "no self-rating yet" in text
    standard_page = reverse("audits:standard", args=[world.audit_a.pk, world.standard.code])
    assert f'href="{standard_page}"' in text


def test_a_removed_file_does_not_count_and_a_sealed_dossier_leaves_the_list(
    world: World,
) -> None:
    world.assessment_a.self_rating = "met"
    world.assessment_a.save(update_fields=["self_rating"])
    assert "Ready" in home_text(world, "contributor_a")  # rated, with rota.txt
    EvidenceFile.unscoped.filter(pk=world.evidence_a.pk).update(deleted_at=world.audit_a.created_at)
    assert "no evidence file" in home_text(world, "contributor_a")
    Audit.unscoped.filter(pk=world.audit_a.pk).update(status=Audit.Status.SUBMITTED)
    assert "Standards assigned to you" not in home_text(world, "contributor_a")


@pytest.mark.parametrize("role", ["coordinator_b", "auditor_assigned", "admin"])
def test_nobody_else_sees_them(world: World, role: str) -> None:
    assert world.standard.title not in home_text(world, role)


def test_the_list_costs_the_same_queries_for_one_standard_or_many(world: World) -> None:
    client = world.client("contributor_a")
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    world.assessment_a2.assignees.add(world.users["contributor_a"])
    with CaptureQueriesContext(connection) as two:
        response = client.get(reverse("home"))
    assert world.assessment_a2.standard.title in response.content.decode()
    assert len(one) == len(two)
