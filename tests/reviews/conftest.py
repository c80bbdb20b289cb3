"""A submitted dossier of institution A under review: the world's two auditors, qualified for
it, as lead and second; a third auditor never on the team."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.roles import AUDITORS
from accounts.services import platform_groups_ensure
from auditors.models import AuditorProfile
from audits.models import Audit, StandardAssessment
from audits.services.applications import audit_create
from audits.services.submission import audit_submit
from evidence.models import EvidenceFile
from reviews.models import AuditorAssignment, AuditorRating
from reviews.services.ratings import rating_save, review_complete
from reviews.services.team import assignment_accept, team_assign
from standards.choices import Component, Setting
from tests.audits.support import assessments_of, complete_dossier
from tests.factories import UserFactory
from tests.world import World, client_for


@dataclass
class Review:
    world: World
    audit: Audit
    admin: User
    lead: User
    second: User
    stranger: User  # an auditor of the pool, never on this team
    files: dict[str, list[EvidenceFile]]

    def reload(self) -> Audit:
        self.audit = Audit.objects.for_institution(self.audit.institution_id).get(pk=self.audit.pk)
        return self.audit

    def url(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.audit.pk, *args])

    @property
    def assessments(self) -> list[StandardAssessment]:
        return assessments_of(self.audit)

    @property
    def codes(self) -> list[str]:
        return [a.standard.code for a in self.assessments]

    def client(self, user: User) -> Client:
        return client_for(user)

    def place(self, user: User) -> AuditorAssignment:
        place = AuditorAssignment.objects.for_institution(self.audit.institution_id).get(
            audit=self.audit, auditor=user, ended_at__isnull=True
        )
        place.audit = self.reload()
        return place

    def form_team(self, *, second: bool = True, accept: bool = True) -> None:
        members = [(self.lead, AuditorAssignment.Role.LEAD)]
        if second:
            members.append((self.second, AuditorAssignment.Role.SECOND))
        for auditor, role in members:
            place = team_assign(
                audit=self.audit, auditor=auditor, role=role, assigned_by=self.admin
            )
            if accept:
                assignment_accept(assignment=place, user=auditor)
        self.reload()

    def rate(
        self, user: User, ratings: dict[str, str], *, text: str = "", notes: str = ""
    ) -> list[AuditorRating]:
        place = self.place(user)
        by_code = {a.standard.code: a for a in self.assessments}
        saved = []
        for code, rating in ratings.items():
            current = (
                AuditorRating.objects.for_institution(self.audit.institution_id)
                .filter(assignment=place, assessment=by_code[code])
                .first()
            )
            saved.append(
                rating_save(
                    assignment=place,
                    assessment=by_code[code],
                    user=user,
                    rating=rating,
                    rationale="" if rating == "met" else f"{text or user.email} on {code}",
                    notes=notes,
                    evidence=self.files.get(code, []),
                    base_version=current.version if current else 0,
                )
            )
        return saved

    def rate_all(self, user: User, rating: str = "met", **overrides: str) -> None:
        """Rate every standard the user has not rated yet (``overrides``: code → rating)."""
        done = set(
            AuditorRating.objects.for_institution(self.audit.institution_id)
            .filter(assignment=self.place(user))
            .values_list("assessment__standard__code", flat=True)
        )
        self.rate(
            user,
            {code: overrides.get(code, rating) for code in self.codes if code not in done},
        )

    def complete(self, user: User) -> None:
        review_complete(assignment=self.place(user), user=user)
        self.reload()


def qualify(user: User, *components: str) -> None:
    AuditorProfile.objects.update_or_create(
        user=user,
        defaults={"countries": ["ES"], "languages": ["es"], "components": list(components)},
    )


@pytest.fixture
def review(world: World, catalogue: None) -> Review:
    coordinator = world.users["coordinator_a"]
    audit = audit_create(
        institution=world.institution_a,
        user=coordinator,
        component=Component.TRAINING,
        setting=Setting.HOSPITAL,
        target_level="",
    )
    uploads = complete_dossier(audit, coordinator)
    audit = audit_submit(audit=audit, user=coordinator)
    lead, second = world.users["auditor_assigned"], world.users["auditor_unassigned"]
    stranger = UserFactory(email="auditor-3@example.org")
    stranger.groups.add(platform_groups_ensure()[AUDITORS])
    for user in (lead, second, stranger):
        qualify(user, Component.INTERVENTION, Component.TRAINING)
    return Review(
        world=world,
        audit=audit,
        admin=world.users["admin"],
        lead=lead,
        second=second,
        stranger=stranger,
        files={code: [f for f, _ in pairs] for code, pairs in uploads.items()},
    )
