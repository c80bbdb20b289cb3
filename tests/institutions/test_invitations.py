"""Invitations are single-use, expire, and removing a member ends access at once."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from institutions.models import Invitation, Membership
from institutions.services import invitation_accept, invitation_create, membership_remove
from rescue.errors import ActionRefusedError
from tests.factories import MembershipFactory, UserFactory
from tests.world import World

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def accept_url(token: str) -> str:
    return reverse("invitation_accept", kwargs={"token": token})


def test_invitation_email_holds_a_working_link_and_only_the_hash_is_stored(world: World) -> None:
    message = mail.outbox[-1]
    assert message.to == ["newcomer@example.org"]
    assert "Hospital A" in message.subject
    token = world.invitation_token_a
    assert token not in str(list(Invitation.unscoped.values()))
    assert Client().get(accept_url(token)).status_code == 200


def test_new_person_accepts_once_and_becomes_a_contributor(world: World) -> None:
    client = Client()
    response = client.post(
        accept_url(world.invitation_token_a),
        {"first_name": "Nora", "last_name": "New", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    membership = Membership.objects.get(user=user)
    assert membership.institution == world.institution_a
    assert membership.role == Membership.Role.CONTRIBUTOR
    # Signed in, and reaches the institution.
    assert (
        client.get(reverse("institutions:detail", args=[world.institution_a.pk])).status_code == 200
    )
    # The link is spent.
    again = Client().post(
        accept_url(world.invitation_token_a),
        {"first_name": "Eve", "last_name": "Else", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert again.status_code == 410
    assert "used already" in again.content.decode()
    assert User.objects.filter(email="newcomer@example.org").count() == 1


def test_expired_invitation_is_refused(world: World) -> None:
    Invitation.unscoped.filter(pk=world.invitation_a.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = Client().post(
        accept_url(world.invitation_token_a),
        {"first_name": "Nora", "last_name": "New", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_revoked_and_unknown_invitations_are_refused(world: World) -> None:
    Invitation.unscoped.filter(pk=world.invitation_a.pk).update(revoked_at=timezone.now())
    assert Client().get(accept_url(world.invitation_token_a)).status_code == 410
    assert Client().get(accept_url("not-a-token")).status_code == 404


def test_accepting_twice_concurrently_creates_one_membership(world: World) -> None:
    user = UserFactory(email="newcomer@example.org")
    invitation = world.invitation_a
    invitation_accept(invitation=invitation, user=user)
    with pytest.raises(ActionRefusedError, match="used already"):
        invitation_accept(invitation=invitation, user=user)
    assert Membership.objects.filter(user=user).count() == 1


def test_invitation_for_someone_else_is_refused(world: World) -> None:
    client = world.client("coordinator_b")
    response = client.post(accept_url(world.invitation_token_a))
    assert response.status_code == 400
    assert "This invitation is for newcomer@example.org" in response.content.decode()
    assert not Membership.objects.filter(
        user=world.users["coordinator_b"], institution=world.institution_a
    ).exists()


def test_existing_account_is_asked_to_log_in(world: World) -> None:
    UserFactory(email="newcomer@example.org")
    response = Client().get(accept_url(world.invitation_token_a))
    assert "You already have an account" in response.content.decode()


def test_weak_password_is_refused_with_a_message(world: World) -> None:
    response = Client().post(
        accept_url(world.invitation_token_a),
        {"first_name": "Nora", "last_name": "New", "password1": "12345", "password2": "12345"},
    )
    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


@pytest.mark.parametrize(
    ("inviter", "role", "allowed"),
    [
        ("coordinator_a", "coordinator", True),
        ("coordinator_a", "contributor", True),
        ("admin", "coordinator", True),
        ("admin", "contributor", False),
    ],
)
def test_who_may_invite_whom(world: World, inviter: str, role: str, allowed: bool) -> None:
    client = world.client(inviter)
    url = reverse("institutions:invite", args=[world.institution_a.pk])
    response = client.post(url, {"email": "someone@example.org", "role": role})
    assert (response.status_code == 302) is allowed
    assert (
        Invitation.objects.for_institution(world.institution_a)
        .filter(email="someone@example.org")
        .exists()
        is allowed
    )


def test_inviting_a_member_is_refused_with_a_message(world: World) -> None:
    client = world.client("coordinator_a")
    url = reverse("institutions:invite", args=[world.institution_a.pk])
    response = client.post(url, {"email": "contrib-a@example.org", "role": "contributor"})
    assert response.status_code == 400
    assert "already a member" in response.content.decode()


def test_bad_invitation_input_is_a_400(world: World) -> None:
    client = world.client("coordinator_a")
    url = reverse("institutions:invite", args=[world.institution_a.pk])
    response = client.post(url, {"email": "not an address", "role": "owner"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter a valid email address" in html
    assert "Select a valid choice" in html


def test_reinviting_replaces_the_pending_invitation(world: World) -> None:
    invitation_create(
        institution=world.institution_a,
        email="newcomer@example.org",
        role=Membership.Role.COORDINATOR,
        invited_by=world.users["coordinator_a"],
        base_url="http://testserver/",
    )
    pending = Invitation.objects.for_institution(world.institution_a).filter(
        email="newcomer@example.org", revoked_at__isnull=True
    )
    assert pending.count() == 1
    assert Client().get(accept_url(world.invitation_token_a)).status_code == 410


def test_removed_member_loses_access_at_once(world: World) -> None:
    contributor = world.client("contributor_a")
    detail = reverse("institutions:detail", args=[world.institution_a.pk])
    audit = reverse("audits:detail", args=[world.audit_a.pk])
    assert contributor.get(detail).status_code == 200
    response = world.client("coordinator_a").post(
        reverse(
            "institutions:member_remove",
            args=[world.institution_a.pk, world.contributor_membership_a.pk],
        )
    )
    assert response.status_code == 302
    # Same session, next request: gone.
    assert contributor.get(detail).status_code == 404
    assert contributor.get(audit).status_code == 404
    assert contributor.get(f"/api/v1/audits/{world.audit_a.pk}/").status_code == 404


def test_last_coordinator_cannot_be_removed(world: World) -> None:
    membership = Membership.objects.get(
        user=world.users["coordinator_a"], institution=world.institution_a
    )
    with pytest.raises(ActionRefusedError, match="last coordinator"):
        membership_remove(membership=membership, removed_by=world.users["coordinator_a"])
    MembershipFactory(institution=world.institution_a, role=Membership.Role.COORDINATOR)
    membership_remove(membership=membership, removed_by=world.users["coordinator_a"])
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_invitation_token_is_looked_up_with_the_explicit_escape(world: World) -> None:
    # The tenant manager refuses an unscoped token look-up; the service uses `unscoped` on
    # purpose, because the token itself is the visitor's only credential.
    from institutions.tenancy import UnscopedQueryError  # noqa: PLC0415

    with pytest.raises(UnscopedQueryError):
        Invitation.objects.filter(email="newcomer@example.org").exists()


def test_invitation_emails_to_one_address_are_limited(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = world.client("coordinator_a")
    url = reverse("institutions:invite", args=[world.institution_a.pk])
    sent = len(mail.outbox)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"email": "flooded@example.org", "role": "contributor"})
        assert response.status_code == 302
    assert len(mail.outbox) == sent + 3

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "flooded@example.org", "role": "contributor"})
    assert response.status_code == 429
    assert "Too many e-mails have been asked for this address" in response.content.decode()
    assert len(mail.outbox) == sent + 3
    pending = Invitation.objects.for_institution(world.institution_a).filter(
        email="flooded@example.org", revoked_at__isnull=True
    )
    assert pending.count() == 1  # the last one sent stays valid


def test_invitation_emails_asked_from_one_client_are_limited(world: World, settings) -> None:
    settings.EMAIL_RATE_PER_CLIENT = "2/h"
    client = world.client("coordinator_a")
    url = reverse("institutions:invite", args=[world.institution_a.pk])
    for n in range(2):
        response = client.post(url, {"email": f"new-{n}@example.org", "role": "contributor"})
        assert response.status_code == 302
    response = client.post(url, {"email": "new-2@example.org", "role": "contributor"})
    assert response.status_code == 429
    assert "from your connection" in response.content.decode()
    assert (
        not Invitation.objects.for_institution(world.institution_a)
        .filter(email="new-2@example.org")
        .exists()
    )
