"""A peer supporter applies for the certification of their competences; a coordinator of their
institution endorses the application and follows its stage, never its content.

Who reaches each URL is in the access matrix (tests/security), and every dossier URL of the
application is asked for every role in tests/security/test_application_privacy.py; these tests
walk the course of an application and what each page and answer shows."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import Audit, AuditEvent, StandardAssessment
from audits.services.assessments import assessment_self_rate
from audits.services.submission import audit_submit, dossier_gaps, manifest_verify
from competences.services import application_create, application_endorse
from institutions.models import Membership
from rescue.errors import ActionForbiddenError, ActionRefusedError
from standards.choices import Component
from tests.factories import MembershipFactory
from tests.world import World, client_for

pytestmark = pytest.mark.django_db

SECRET = "What I learnt supporting the night-shift nurse"


def new_peer_supporter(world: World) -> Any:
    return MembershipFactory(
        institution=world.institution_a,
        role=Membership.Role.PEER_SUPPORTER,
        user__email="peer-two@example.org",
        user__first_name="Marta",
        user__last_name="Ruiz",
    ).user


def text(response: Any) -> str:
    return response.content.decode()


def test_a_peer_supporter_applies_and_assesses_every_competence(
    world: World, catalogue: None
) -> None:
    peer = new_peer_supporter(world)
    client = client_for(peer)
    url = reverse("competences:start", args=[world.institution_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "no session notes" in text(page)  # the track's warning, before anything is uploaded
    assert "14 competences" in text(page)

    answer = client.post(url)
    application = Audit.unscoped.get(applicant=peer)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("audits:detail", args=[application.pk])
    assert (application.component, application.institution, application.target_level) == (
        Component.COMPETENCES,
        world.institution_a,
        "",
    )
    codes = list(application.assessments.values_list("standard__code", flat=True))
    assert codes == [f"COM{n:02d}" for n in range(1, 15)]
    event = AuditEvent.unscoped.get(audit=application, action=AuditEvent.Action.CREATED)
    assert event.actor == peer
    dashboard = client.get(answer["Location"])
    assert dashboard.status_code == 200
    assert "Not endorsed yet" in text(dashboard)
    # The competence page offers met, partially met and not met: every competence applies.
    competence = client.get(reverse("audits:standard", args=[application.pk, "COM02"]))
    assert 'value="not_applicable"' not in text(competence)
    assert 'value="partially_met"' in text(competence)
    with pytest.raises(ActionRefusedError, match="Every competence applies"):
        assessment_self_rate(
            assessment=application.assessments.get(standard__code="COM02"),
            user=peer,
            self_rating=StandardAssessment.Rating.NOT_APPLICABLE,
            justification="Not my field",
        )
    # The institution's coordinator does not see the dossier: only the status.
    coordinator = world.client("coordinator_a")
    assert coordinator.get(answer["Location"]).status_code == 404
    listed = coordinator.get(reverse("competences:list", args=[world.institution_a.pk]))
    assert "Marta Ruiz" in text(listed)


def test_one_open_application_per_person_and_none_without_a_catalogue(
    world: World, catalogue: None
) -> None:
    peer = world.users["peer_supporter_a"]  # the world's application is open
    url = reverse("competences:start", args=[world.institution_a.pk])
    page = client_for(peer).get(url)
    assert "Open my application" in text(page)  # the page leads to it rather than a second one
    assert reverse("audits:detail", args=[world.application_a.pk]) in text(page)
    answer = client_for(peer).post(url)
    assert answer.status_code == 400
    assert "You already have an open application" in text(answer)
    assert Audit.unscoped.filter(applicant=peer).count() == 1
    with pytest.raises(ActionForbiddenError, match="Only a peer supporter"):
        application_create(institution=world.institution_a, user=world.users["contributor_a"])


def test_without_an_active_catalogue_nobody_applies(world: World) -> None:
    peer = new_peer_supporter(world)
    with pytest.raises(ActionRefusedError, match="No RESCUE-Supporters' Competences catalogue"):
        application_create(institution=world.institution_a, user=peer)


def test_the_coordinator_endorses_once_and_the_applicant_then_submits_a_sealed_dossier(
    world: World,
) -> None:
    application, applicant = world.application_a, world.users["peer_supporter_a"]
    assessment_self_rate(
        assessment=world.application_assessment,
        user=applicant,
        self_rating=StandardAssessment.Rating.MET,
        narrative=SECRET,
    )
    assert [gap.problem for gap in dossier_gaps(audit=application)] == [
        (
            "not endorsed yet: a coordinator of Hospital A confirms that you are an active peer "
            "supporter of its programme"
        )
    ]
    refused = client_for(applicant).post(reverse("audits:submit", args=[application.pk]))
    assert refused.status_code == 400
    assert "not endorsed yet" in text(refused)

    coordinator = world.client("coordinator_a")
    status_url = reverse("competences:status", args=[application.pk])
    assert "Endorse the application" in text(coordinator.get(status_url))
    endorsed = coordinator.post(reverse("competences:endorse", args=[application.pk]))
    assert endorsed.status_code == 302
    application.refresh_from_db()
    assert application.endorsed_by == world.users["coordinator_a"]
    assert application.endorsed_by_email == "coord-a@example.org"
    assert AuditEvent.unscoped.filter(audit=application, action="endorsed").count() == 1
    again = coordinator.post(reverse("competences:endorse", args=[application.pk]))
    assert again.status_code == 403
    with pytest.raises(ActionForbiddenError):  # the applicant never endorses themselves
        application_endorse(audit=application, user=applicant)

    submitted = audit_submit(audit=application, user=applicant)
    assert submitted.status == Audit.Status.SUBMITTED
    assert submitted.manifest is not None
    assert manifest_verify(audit=submitted) == []
    page = text(coordinator.get(status_url))
    assert "Submitted" in page
    assert "Endorse the application" not in page


def test_an_applicant_who_left_the_programme_is_not_endorsed(world: World) -> None:
    Membership.objects.filter(user=world.users["peer_supporter_a"]).delete()
    with pytest.raises(ActionRefusedError, match="no longer a peer supporter"):
        application_endorse(audit=world.application_a, user=world.users["coordinator_a"])


def test_the_status_shows_nothing_of_the_content(world: World) -> None:
    application = world.application_a
    assessment_self_rate(
        assessment=world.application_assessment,
        user=world.users["peer_supporter_a"],
        self_rating=StandardAssessment.Rating.MET,
        narrative=SECRET,
    )
    applicant = world.client("peer_supporter_a")
    standard = reverse("audits:standard", args=[application.pk, world.competence.code])
    assert SECRET in text(applicant.get(standard))
    assert "reflection.txt" in text(applicant.get(standard))
    coordinator = world.client("coordinator_a")
    shown = [
        text(coordinator.get(reverse("competences:status", args=[application.pk]))),
        text(coordinator.get(reverse("competences:list", args=[world.institution_a.pk]))),
        text(coordinator.get(f"/api/v1/applications/{application.pk}/")),
        text(coordinator.get(f"/api/v1/institutions/{world.institution_a.pk}/applications/")),
        text(coordinator.get(reverse("institutions:detail", args=[world.institution_a.pk]))),
        text(coordinator.get(reverse("audits:list"))),
    ]
    for page in shown:
        assert SECRET not in page
        assert "reflection.txt" not in page
        assert "COM02" not in page
    assert "In preparation" in shown[0]


def test_the_api_applies_lists_endorses_and_reads_the_status(world: World, catalogue: None) -> None:
    peer = new_peer_supporter(world)
    created = client_for(peer).post(f"/api/v1/institutions/{world.institution_a.pk}/applications/")
    assert created.status_code == 201
    body = created.json()
    assert (body["applicant_name"], body["status"], body["endorsed_at"], body["outcome"]) == (
        "Marta Ruiz",
        "draft",
        None,
        None,
    )
    coordinator = world.client("coordinator_a")
    listed = coordinator.get(f"/api/v1/institutions/{world.institution_a.pk}/applications/")
    assert [row["applicant_name"] for row in listed.json()["results"]] == [
        "Marta Ruiz",
        str(world.users["peer_supporter_a"]),
    ]
    endorsed = coordinator.post(f"/api/v1/applications/{body['id']}/endorsement/")
    assert endorsed.status_code == 200
    assert endorsed.json()["endorsed_by_email"] == "coord-a@example.org"
    assert coordinator.post(f"/api/v1/applications/{body['id']}/endorsement/").status_code == 403
    # The application's dossier over the API is the applicant's.
    assert client_for(peer).get(f"/api/v1/audits/{body['id']}/").status_code == 200
    assert coordinator.get(f"/api/v1/audits/{body['id']}/").status_code == 404
    for outsider in ("contributor_a", "coordinator_b", "auditor_assigned"):
        assert world.client(outsider).get(f"/api/v1/applications/{body['id']}/").status_code == 404


def test_the_list_and_the_status_read_the_same_queries_for_more_applications(
    world: World, catalogue: None
) -> None:
    coordinator = world.client("coordinator_a")
    url = reverse("competences:list", args=[world.institution_a.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert coordinator.get(url).status_code == 200
        return len(captured)

    one = queries()
    for n in range(3):
        peer = MembershipFactory(
            institution=world.institution_a,
            role=Membership.Role.PEER_SUPPORTER,
            user__email=f"peer-{n}@example.org",
        ).user
        application_create(institution=world.institution_a, user=peer)
    assert queries() == one
