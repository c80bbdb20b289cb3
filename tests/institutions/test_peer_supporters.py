"""Peer supporters of an institution's programme: invited by its coordinators, they see the
institution and none of its dossiers (``Membership.DOSSIER_ROLES``). Every URL is in the access
matrix (tests/security) with the peer supporter as a role; these tests walk the invitation and
the lists, where an answer of 200 could still leak a row."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from audits.models import Audit
from audits.services.assessments import assessment_assignees_set
from institutions.models import Membership
from institutions.services import invitable_roles, invitation_create
from rescue.errors import ActionRefusedError
from tests.world import World

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def test_a_coordinator_invites_a_peer_supporter_who_joins_in_that_role(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    institution, coordinator = world.institution_a, world.users["coordinator_a"]
    offered = dict(invitable_roles(user=coordinator, institution=institution))
    assert offered[Membership.Role.PEER_SUPPORTER] == "Peer supporter"
    page = world.client("coordinator_a").get(reverse("institutions:members", args=[institution.pk]))
    assert 'value="peer_supporter"' in page.content.decode()  # the invitation form offers it
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail leaves on commit
        invitation_create(
            institution=institution,
            email="peer-new@example.org",
            role=Membership.Role.PEER_SUPPORTER,
            invited_by=coordinator,
            base_url="https://rescue.example.org",
        )
    assert mail.outbox[-1].to == ["peer-new@example.org"]
    assert "as peer supporter" in mail.outbox[-1].body
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body)
    assert token is not None
    client = Client()
    answer = client.post(
        reverse("invitation_accept", kwargs={"token": token.group(1)}),
        {"first_name": "Paula", "last_name": "Peer", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert answer.status_code == 302
    membership = Membership.objects.get(user__email="peer-new@example.org")
    assert (membership.institution, membership.role) == (institution, "peer_supporter")
    # An ERNST admin invites coordinators only; a contributor invites nobody.
    assert [
        r for r, _label in invitable_roles(user=world.users["admin"], institution=institution)
    ] == [Membership.Role.COORDINATOR]
    assert invitable_roles(user=world.users["contributor_a"], institution=institution) == []


def test_a_peer_supporter_sees_the_institution_and_none_of_its_dossiers(world: World) -> None:
    """Only their own application for the certification of their competences."""
    client = world.client("peer_supporter_a")
    institution, own = world.institution_a, world.application_a
    detail = client.get(reverse("institutions:detail", args=[institution.pk]))
    assert detail.status_code == 200
    assert list(detail.context["audits"]) == []
    listed = client.get(reverse("audits:list"))
    assert listed.status_code == 200
    assert list(listed.context["list"].page.object_list) == [own]
    assert [a["id"] for a in client.get("/api/v1/audits/").json()["results"]] == [own.pk]
    answer = client.get("/api/v1/audits/", {"institution": institution.pk}).json()
    assert [a["id"] for a in answer["results"]] == [own.pk]
    home = client.get(reverse("home")).content.decode()
    for audit in Audit.unscoped.filter(institution=institution).exclude(pk=own.pk):
        assert reverse("audits:detail", args=[audit.pk]) not in home
    # The institution's own page says who they are there, and the dossier is a plain 404.
    assert client.get(reverse("audits:detail", args=[world.audit_a.pk])).status_code == 404


def test_a_peer_supporter_is_never_assigned_a_standard(world: World) -> None:
    with pytest.raises(ActionRefusedError, match="Not a coordinator or contributor"):
        assessment_assignees_set(
            assessment=world.assessment_a,
            user=world.users["coordinator_a"],
            assignees=[world.users["peer_supporter_a"]],
        )
    page = world.client("coordinator_a").get(
        reverse("audits:standard", args=[world.audit_a.pk, world.standard.code])
    )
    assert "peer-a@example.org" not in page.content.decode()  # not among the candidates
