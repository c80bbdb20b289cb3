"""Editing an institution's profile and sites: bad input is a 400 that loses nothing."""

import pytest
from django.urls import reverse

from institutions.models import Institution, InstitutionSite
from tests.world import World

pytestmark = pytest.mark.django_db


def test_coordinator_edits_the_profile(world: World) -> None:
    client = world.client("coordinator_a")
    url = reverse("institutions:edit", args=[world.institution_a.pk])
    response = client.post(
        url,
        {
            "name": "Hospital A (renamed)",
            "country": "ES",
            "setting": "hospital",
            "preferred_language": "es",
            "contact_email": "peer.support@hospital-a.example",
            "contact_phone": "+34 600 000 000",
            "address": "Calle Mayor 1",
        },
    )
    assert response.status_code == 302
    world.institution_a.refresh_from_db()
    assert world.institution_a.name == "Hospital A (renamed)"
    assert world.institution_a.preferred_language == "es"


def test_bad_profile_input_is_refused_and_nothing_changes(world: World) -> None:
    client = world.client("coordinator_a")
    before = Institution.objects.filter(pk=world.institution_a.pk).values().get()
    response = client.post(
        reverse("institutions:edit", args=[world.institution_a.pk]),
        {"name": "", "country": "XX", "setting": "prison", "contact_email": "nope"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This field is required" in html
    assert "Enter a valid email address" in html
    assert Institution.objects.filter(pk=world.institution_a.pk).values().get() == before
    assert "Hospital A" in html  # the page still shows the saved name


def test_sites_are_added_and_removed_within_the_institution(world: World) -> None:
    client = world.client("coordinator_a")
    add = reverse("institutions:site_add", args=[world.institution_a.pk])
    assert client.post(add, {"name": "South campus", "city": "Elche"}).status_code == 302
    duplicate = client.post(add, {"name": "south CAMPUS"})
    assert duplicate.status_code == 400
    assert "already has a site called" in duplicate.content.decode()
    assert client.post(add, {"name": ""}).status_code == 400
    names = set(
        InstitutionSite.objects.for_institution(world.institution_a).values_list("name", flat=True)
    )
    assert names == {"North campus", "South campus"}
    remove = reverse("institutions:site_remove", args=[world.institution_a.pk, world.site_a.pk])
    assert client.post(remove).status_code == 302
    assert not InstitutionSite.unscoped.filter(pk=world.site_a.pk).exists()


def test_contributor_cannot_edit(world: World) -> None:
    """Inside their own institution, a contributor is told who may edit (403), not 404."""
    client = world.client("contributor_a")
    refused = client.get(reverse("institutions:edit", args=[world.institution_a.pk]))
    assert refused.status_code == 403
    assert "Only the institution&#x27;s coordinators change its profile" in refused.content.decode()
    response = client.get(reverse("institutions:detail", args=[world.institution_a.pk]))
    assert "Edit the profile" not in response.content.decode()
    assert "Members and invitations" not in response.content.decode()
