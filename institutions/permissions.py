"""Who may do what to an institution.

Capabilities, never role names, are what views, the API and templates ask for. A coordinator,
contributor or peer supporter holds capabilities through a membership (a peer supporter sees
the institution, and none of its dossiers: ``Membership.DOSSIER_ROLES``); an ERNST admin through
platform permissions. Outside a user's reach an institution does not exist (404).
"""

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.permissions import PERM_MANAGE_ALL_INSTITUTIONS
from institutions.models import Institution, Membership
from rescue.memo import memoized

PERM_VIEW_ALL_INSTITUTIONS = "institutions.view_all_institutions"


class InstitutionAction(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    MANAGE_MEMBERS = "manage_members"
    START_AUDIT = "start_audit"
    APPLY = "apply"  # for the certification of one's own competences (a peer supporter)
    FOLLOW_APPLICATIONS = "follow_applications"  # the peer supporters' applications, status only


ROLE_ACTIONS: dict[str, frozenset[InstitutionAction]] = {
    Membership.Role.COORDINATOR: frozenset(InstitutionAction) - {InstitutionAction.APPLY},
    Membership.Role.CONTRIBUTOR: frozenset({InstitutionAction.VIEW}),
    Membership.Role.PEER_SUPPORTER: frozenset({InstitutionAction.VIEW, InstitutionAction.APPLY}),
}
PLATFORM_ACTIONS: dict[str, frozenset[InstitutionAction]] = {
    PERM_MANAGE_ALL_INSTITUTIONS: frozenset(
        {
            InstitutionAction.VIEW,
            InstitutionAction.CHANGE,
            InstitutionAction.MANAGE_MEMBERS,
            InstitutionAction.FOLLOW_APPLICATIONS,
        }
    ),
    PERM_VIEW_ALL_INSTITUTIONS: frozenset({InstitutionAction.VIEW}),
}


# Said (403) to someone who sees the institution but may not do this: who may.
REFUSALS = {
    InstitutionAction.CHANGE: _(
        "Only the institution's coordinators change its profile and sites."
    ),
    InstitutionAction.MANAGE_MEMBERS: _(
        "Only the institution's coordinators manage its members and invitations."
    ),
    InstitutionAction.START_AUDIT: _("Only the institution's coordinators start an audit."),
    InstitutionAction.APPLY: _(
        "Peer supporters of the institution apply for the certification of their competences; "
        "its coordinators invite them."
    ),
    InstitutionAction.FOLLOW_APPLICATIONS: _(
        "The institution's coordinators follow its peer supporters' applications; a peer "
        "supporter finds their own among their audits."
    ),
}


def role_key(user: Any, institution_id: int) -> tuple[str, int, int]:
    """Where a request remembers the user's role in an institution (see ``rescue.memo``)."""
    return ("institution-role", user.pk, institution_id)


class InstitutionPolicy:
    def _platform_actions(self, user: Any) -> frozenset[InstitutionAction]:
        actions: frozenset[InstitutionAction] = frozenset()
        for perm, granted in PLATFORM_ACTIONS.items():
            if user.has_perm(perm):
                actions |= granted
        return actions

    def actions(self, user: Any, institution: Institution) -> frozenset[InstitutionAction]:
        """Everything the user may do to this institution (read afresh on every request)."""
        if not user.is_authenticated or not user.is_active:
            return frozenset()
        actions = self._platform_actions(user)
        role = (
            Membership.objects.filter(user=user, institution=institution)
            .values_list("role", flat=True)
            .first()
        )
        if role:
            actions |= ROLE_ACTIONS[role]
        return actions

    def can(self, user: Any, action: InstitutionAction, institution: Institution) -> bool:
        return action in self.actions(user, institution)

    def institutions_for(self, user: Any, action: InstitutionAction) -> QuerySet[Institution]:
        if not user.is_authenticated or not user.is_active:
            return Institution.objects.none()
        if action in self._platform_actions(user):
            return Institution.objects.all()
        roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
        return Institution.objects.filter(
            memberships__user=user, memberships__role__in=roles
        ).distinct()

    def get_or_404(self, user: Any, action: InstitutionAction, institution_id: int) -> Institution:
        """The institution if the user may do ``action`` to it; 404 if missing or out of reach,
        403 with who may if the user sees it but may not do this."""
        institution = self.institutions_for(user, action).filter(pk=institution_id).first()
        if institution is None:
            # Inside one's reach, a page one may not use says who may (403); outside, the
            # institution does not exist (404).
            if action in REFUSALS and (
                self.institutions_for(user, InstitutionAction.VIEW)
                .filter(pk=institution_id)
                .exists()
            ):
                raise PermissionDenied(REFUSALS[action])
            raise Http404("No such institution.")
        return institution

    def role(self, user: Any, institution_id: int) -> str | None:
        """The user's membership role in the institution, for policies (not for templates)."""
        if not user.is_authenticated:
            return None
        return memoized(
            role_key(user, institution_id),
            lambda: (
                Membership.objects.filter(user=user, institution_id=institution_id)
                .values_list("role", flat=True)
                .order_by("pk")  # one row at most; the default order would join two tables
                .first()
            ),
        )

    def capabilities(self, user: Any, institution: Institution) -> dict[str, bool]:
        """For templates: ``{% if can.manage_members %}``."""
        granted = self.actions(user, institution)
        return {action.value: action in granted for action in InstitutionAction}


institution_policy = InstitutionPolicy()
