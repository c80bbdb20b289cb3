"""Writing institutions, memberships and invitations."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from institutions.models import Institution, InstitutionSite, Invitation, Membership
from institutions.permissions import InstitutionAction, institution_policy
from rescue.errors import ActionRefusedError

INVITATION_VALIDITY = timedelta(days=7)
INSTITUTION_PROFILE_FIELDS = (
    "name",
    "country",
    "setting",
    "preferred_language",
    "contact_email",
    "contact_phone",
    "address",
)


def _require(user: User, action: InstitutionAction, institution: Institution) -> None:
    if not institution_policy.can(user, action, institution):
        # Views resolve the institution through the policy first; reaching this is a bug.
        raise PermissionError(f"{user} may not {action} {institution}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def institution_create(*, created_by: User, **fields: Any) -> Institution:
    if not created_by.has_perm("institutions.manage_all_institutions"):
        raise PermissionError(f"{created_by} may not create institutions")
    institution = Institution(**{k: fields[k] for k in INSTITUTION_PROFILE_FIELDS if k in fields})
    institution.full_clean()
    institution.save()
    return institution


@transaction.atomic
def institution_update(*, institution: Institution, user: User, **fields: Any) -> Institution:
    _require(user, InstitutionAction.CHANGE, institution)
    for key in INSTITUTION_PROFILE_FIELDS:
        if key in fields:
            setattr(institution, key, fields[key])
    institution.full_clean()
    institution.save()
    return institution


@transaction.atomic
def institution_site_add(
    *, institution: Institution, user: User, name: str, city: str = "", address: str = ""
) -> InstitutionSite:
    _require(user, InstitutionAction.CHANGE, institution)
    name = name.strip()
    if InstitutionSite.objects.for_institution(institution).filter(name__iexact=name).exists():
        raise ActionRefusedError(f"{institution} already has a site called {name}.")
    site = InstitutionSite(institution=institution, name=name, city=city, address=address)
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def institution_site_remove(*, site: InstitutionSite, user: User) -> None:
    _require(user, InstitutionAction.CHANGE, site.institution)
    site.delete()


def _invitable_roles(user: User, institution: Institution) -> list[str]:
    """Coordinators invite coordinators, contributors and the programme's peer supporters; an
    ERNST admin invites coordinators."""
    if Membership.objects.filter(
        user=user, institution=institution, role=Membership.Role.COORDINATOR
    ).exists():
        return [
            Membership.Role.COORDINATOR,
            Membership.Role.CONTRIBUTOR,
            Membership.Role.PEER_SUPPORTER,
        ]
    if user.has_perm("institutions.manage_all_institutions"):
        return [Membership.Role.COORDINATOR]
    return []


def invitable_roles(*, user: User, institution: Institution) -> list[tuple[str, str]]:
    allowed = _invitable_roles(user, institution)
    return [(role, str(Membership.Role(role).label)) for role in allowed]


@transaction.atomic
def invitation_create(
    *, institution: Institution, email: str, role: str, invited_by: User, base_url: str
) -> Invitation:
    """Invite someone by e-mail. A pending invitation for the same address is replaced."""
    _require(invited_by, InstitutionAction.MANAGE_MEMBERS, institution)
    email = User.objects.normalize_email(email).lower()
    if role not in _invitable_roles(invited_by, institution):
        raise ActionRefusedError(f"You cannot invite a {role} to {institution}.")
    if Membership.objects.filter(institution=institution, user__email__iexact=email).exists():
        raise ActionRefusedError(f"{email} is already a member of {institution}.")
    now = timezone.now()
    Invitation.objects.for_institution(institution).filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)

    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        institution=institution,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=invited_by,
        invited_by_email=invited_by.email,
        expires_at=now + INVITATION_VALIDITY,
    )
    invitation.full_clean()
    invitation.save()
    link = base_url.rstrip("/") + reverse("invitation_accept", kwargs={"token": token})
    context = {"invitation": invitation, "institution": institution, "link": link}
    transaction.on_commit(
        lambda: send_mail(
            subject=f"Invitation to {institution.name} on RESCUE Audit",
            message=render_to_string("emails/invitation.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    )
    return invitation


def invitation_get_by_token(*, token: str) -> Invitation | None:
    # The token is the only proof the visitor has; the look-up is across institutions on purpose.
    return (
        Invitation.unscoped.select_related("institution")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user: User) -> None:
    _require(user, InstitutionAction.MANAGE_MEMBERS, invitation.institution)
    Invitation.objects.for_institution(invitation.institution).filter(
        pk=invitation.pk, accepted_at__isnull=True
    ).update(revoked_at=timezone.now())


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Turn a pending invitation into a membership, exactly once."""
    if user.email.lower() != invitation.email.lower():
        raise ActionRefusedError(
            f"This invitation is for {invitation.email}; you are signed in as {user.email}."
        )
    now = timezone.now()
    claimed = (
        Invitation.objects.for_institution(invitation.institution_id)
        .filter(
            pk=invitation.pk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .update(accepted_at=now, accepted_by=user)
    )
    if claimed != 1:
        raise ActionRefusedError(invitation_problem(invitation))
    membership, _ = Membership.objects.get_or_create(
        user=user, institution_id=invitation.institution_id, defaults={"role": invitation.role}
    )
    return membership


@transaction.atomic
def invitation_accept_new_user(
    *, invitation: Invitation, first_name: str, last_name: str, password: str
) -> Membership:
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise ActionRefusedError(
            f"An account for {invitation.email} exists already: log in to accept the invitation."
        )
    user = User.objects.create_user(
        email=invitation.email, password=password, first_name=first_name, last_name=last_name
    )
    return invitation_accept(invitation=invitation, user=user)


def invitation_problem(invitation: Invitation) -> str:
    """Why an invitation can no longer be used, in words for the invited person."""
    invitation.refresh_from_db()
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        return "This invitation has been used already."
    if state == Invitation.State.REVOKED:
        return "This invitation was withdrawn. Ask for a new one."
    return "This invitation has expired. Ask for a new one."


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> None:
    """Remove someone from an institution; their access ends with this transaction."""
    institution = membership.institution
    _require(removed_by, InstitutionAction.MANAGE_MEMBERS, institution)
    locked = list(
        Membership.objects.select_for_update()
        .filter(institution=institution, role=Membership.Role.COORDINATOR)
        .order_by("pk")
    )
    if membership.role == Membership.Role.COORDINATOR and len(locked) <= 1:
        raise ActionRefusedError(
            f"{membership.user.email} is the last coordinator of {institution}; "
            "invite another coordinator first."
        )
    membership.delete()
