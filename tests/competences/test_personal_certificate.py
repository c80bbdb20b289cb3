"""A certificate of competences is its holder's: they read it (page, list, API) and it verifies,
also after they have left the institution; the institution's coordinators and contributors do
not read it, and the public register does not list it."""

import pytest
from django.urls import reverse

from certification.models import Certificate, Scheme
from certification.services import certificate_issue
from institutions.models import Membership
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(world: World) -> Certificate:
    """The world's application certified (the decision's own tests decide audits)."""
    return certificate_issue(
        institution_id=world.institution_a.pk,
        scheme=Scheme.COMPETENCES,
        setting=world.application_a.setting,
        audit=world.application_a,
        catalogue_version_id=world.application_a.catalogue_version_id,
        user=world.users["admin"],
    )


def test_the_holder_reads_their_certificate_and_nobody_of_the_institution_does(
    world: World, certificate: Certificate
) -> None:
    assert certificate.number.startswith("RESCUE-COM-")
    page = reverse("certification:certificate", args=[certificate.pk])
    holder = world.client("peer_supporter_a")
    assert holder.get(page).status_code == 200
    assert certificate.number in holder.get(reverse("certification:certificates")).content.decode()
    assert holder.get(f"/api/v1/certificates/{certificate.pk}/").status_code == 200
    for role in ("coordinator_a", "contributor_a", "coordinator_b", "auditor_unassigned"):
        assert world.client(role).get(page).status_code == 404, role
        assert world.client(role).get(f"/api/v1/certificates/{certificate.pk}/").status_code == 404
    listed = world.client("coordinator_a").get("/api/v1/certificates/").json()
    assert certificate.number not in {row["number"] for row in listed["results"]}
    assert world.client("admin").get(page).status_code == 200


def test_the_certificate_stays_the_holders_after_they_leave_the_institution(
    world: World, certificate: Certificate
) -> None:
    Membership.objects.filter(user=world.users["peer_supporter_a"]).delete()
    holder = world.client("peer_supporter_a")
    assert (
        holder.get(reverse("certification:certificate", args=[certificate.pk])).status_code == 200
    )
    assert holder.get(reverse("certification:certificates")).status_code == 200
    assert holder.get(reverse("audits:detail", args=[world.application_a.pk])).status_code == 200
    verify = world.client("anonymous").get(reverse("public:verify", args=[certificate.code]))
    assert verify.status_code == 200
    assert certificate.number in verify.content.decode()


def test_the_public_register_does_not_list_a_persons_certificate(
    world: World, certificate: Certificate
) -> None:
    register = world.client("anonymous").get(reverse("public:register"))
    assert certificate.number not in register.content.decode()
    api = world.client("anonymous").get("/api/v1/register/").json()
    assert certificate.number not in {row["number"] for row in api["results"]}
