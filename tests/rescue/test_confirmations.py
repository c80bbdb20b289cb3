"""Destructive actions ask first: the GET of the action's URL is a page that names the object and
what will happen, with a form that posts to the same URL; nothing changes until that POST."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from evidence.models import EvidenceFile
from institutions.models import InstitutionSite, Invitation, Membership
from reviews.models import AuditorAssignment
from tests.audits.support import plain_text
from tests.world import World

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    role: str
    url: Callable[[World], str]
    names: Callable[[World], list[str]]  # what the page must name
    done: Callable[[World], bool]  # whether the action has happened


CASES = {
    "remove a member": Case(
        "coordinator_a",
        lambda w: reverse(
            "institutions:member_remove",
            args=[w.institution_a.pk, w.contributor_membership_a.pk],
        ),
        lambda w: ["contrib-a@example.org", "Hospital A"],
        lambda w: not Membership.objects.filter(pk=w.contributor_membership_a.pk).exists(),
    ),
    "remove a site": Case(
        "coordinator_a",
        lambda w: reverse("institutions:site_remove", args=[w.institution_a.pk, w.site_a.pk]),
        lambda w: ["North campus", "Hospital A"],
        lambda w: (
            not InstitutionSite.objects.for_institution(w.institution_a)
            .filter(pk=w.site_a.pk)
            .exists()
        ),
    ),
    "withdraw an invitation": Case(
        "coordinator_a",
        lambda w: reverse(
            "institutions:invitation_revoke", args=[w.institution_a.pk, w.invitation_a.pk]
        ),
        lambda w: ["newcomer@example.org"],
        lambda w: (
            Invitation.objects.for_institution(w.institution_a).get(pk=w.invitation_a.pk).state
            != Invitation.State.PENDING
        ),
    ),
    "withdraw an auditor": Case(
        "admin",
        lambda w: reverse("reviews:team_withdraw", args=[w.audit_a.pk, w.assignment_a.pk]),
        lambda w: ["auditor-1@example.org", "Hospital A"],
        lambda w: (
            AuditorAssignment.objects.for_institution(w.institution_a)
            .get(pk=w.assignment_a.pk)
            .ended_at
            is not None
        ),
    ),
    "close an audit": Case(
        "admin",
        lambda w: reverse("reviews:audit_close", args=[w.audit_a.pk]),
        lambda w: ["Hospital A", "auditor-1@example.org"],
        lambda w: (
            w.audit_a.__class__.objects.for_institution(w.institution_a).get(pk=w.audit_a.pk).status
            == "closed"
        ),
    ),
    "remove a file": Case(
        "coordinator_a",
        lambda w: (
            reverse("audits:evidence_delete", args=[w.audit_a.pk, w.evidence_a.pk])
            + f"?return_to={w.standard.code}"
        ),
        lambda w: ["rota.txt", w.standard.code],
        lambda w: (
            EvidenceFile.objects.for_institution(w.institution_a).get(pk=w.evidence_a.pk).deleted_at
            is not None
        ),
    ),
}


@pytest.mark.parametrize("action", sorted(CASES))
def test_the_action_asks_first_and_names_its_object(world: World, action: str) -> None:
    case = CASES[action]
    client = world.client(case.role)
    url = case.url(world)
    page = client.get(url)
    assert page.status_code == 200
    text = plain_text(page)
    for name in case.names(world):
        assert name in text, f"the confirmation of '{action}' does not name {name!r}"
    html = page.content.decode()
    assert '<form method="post"' in html  # the form posts to the page's own URL
    assert "<script>" not in html  # works without (inline) script
    assert "Cancel: keep it" in text
    assert not case.done(world), f"'{action}' happened on GET"

    posted = client.post(url.split("?")[0], {"return_to": world.standard.code})
    assert posted.status_code == 302
    assert case.done(world), f"'{action}' did not happen on POST"


def test_the_lists_link_to_the_confirmation_instead_of_acting(world: World) -> None:
    members = world.client("coordinator_a").get(
        reverse("institutions:members", args=[world.institution_a.pk])
    )
    html = members.content.decode()
    remove = reverse(
        "institutions:member_remove",
        args=[world.institution_a.pk, world.contributor_membership_a.pk],
    )
    assert f'href="{remove}"' in html
    assert f'action="{remove}"' not in html


def test_a_coordinator_removing_themselves_is_warned(world: World) -> None:
    coordinator = Membership.objects.get(
        institution=world.institution_a, user=world.users["coordinator_a"]
    )
    url = reverse("institutions:member_remove", args=[world.institution_a.pk, coordinator.pk])
    text = plain_text(world.client("coordinator_a").get(url))
    assert "You are removing yourself: you will no longer reach Hospital A." in text


def test_the_last_coordinator_is_refused_on_post_with_the_reason(world: World) -> None:
    coordinator = Membership.objects.get(
        institution=world.institution_a, user=world.users["coordinator_a"]
    )
    url = reverse("institutions:member_remove", args=[world.institution_a.pk, coordinator.pk])
    response = world.client("coordinator_a").post(url)
    assert response.status_code == 400
    assert "is the last coordinator of Hospital A" in plain_text(response)
    assert Membership.objects.filter(pk=coordinator.pk).exists()


def test_a_bad_return_to_is_ignored_not_a_server_error(world: World) -> None:
    url = reverse("audits:evidence_delete", args=[world.audit_a.pk, world.evidence_a.pk])
    for value in ("x/../y", "\x00", "Z" * 500, "NOPE"):
        response = world.client("coordinator_a").get(url, {"return_to": value})
        assert response.status_code == 200
        assert 'name="return_to"' not in response.content.decode()
