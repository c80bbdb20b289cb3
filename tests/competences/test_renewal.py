"""The holder renews a certificate of competences: a new application through the institution
whose programme they support in now, pre-filled from the one it was issued on, endorsed again
there; its certificate supersedes the one renewed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, StandardAssessment
from audits.services.assessments import assessment_self_rate
from certification.models import Certificate, Renewal
from certification.renewal import renewal_of, renewal_panel, renewal_refusal, renewal_start
from competences.services import application_endorse
from evidence.models import EvidenceFile
from institutions.models import Membership
from rescue.errors import ActionForbiddenError, ActionRefusedError
from tests.competences.test_personal_certificate import certified
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(world: World, catalogue: None) -> Certificate:
    """The world's application self-rated, decided and certified, four months from expiry; the
    catalogue active, so that renewing applies."""
    assessment_self_rate(
        assessment=world.application_assessment,
        user=world.users["peer_supporter_a"],
        self_rating="met",
        narrative="Supervised practice, 2024-2026.",
    )
    Audit.unscoped.filter(pk=world.application_a.pk).update(status=Audit.Status.DECIDED)
    certificate = certified(world.application_a, world.users["admin"])
    certificate.expires_on = timezone.localdate() + timedelta(days=120)
    certificate.save(update_fields=["expires_on"])
    return certificate


def moved_to_b(world: World) -> None:
    """The holder leaves A's programme and supports in B's."""
    holder = world.users["peer_supporter_a"]
    Membership.objects.filter(user=holder).delete()
    Membership.objects.create(
        user=holder, institution=world.institution_b, role=Membership.Role.PEER_SUPPORTER
    )


def test_the_holder_renews_through_the_institution_they_moved_to(
    world: World, certificate: Certificate
) -> None:
    moved_to_b(world)
    holder = world.users["peer_supporter_a"]
    renewal = renewal_start(certificate=certificate, user=holder)
    application = renewal.audit
    assert (application.institution_id, application.applicant_id) == (
        world.institution_b.pk,
        holder.pk,
    )
    assert application.component == "competences"
    assert application.endorsed_at is None
    assert renewal.institution_id == world.institution_b.pk
    assert renewal_of(certificate) == renewal
    copied = StandardAssessment.objects.for_institution(world.institution_b).get(
        audit=application, standard__code="COM02"
    )
    assert (copied.self_rating, copied.narrative) == ("met", "Supervised practice, 2024-2026.")
    assert copied.copied_at is not None
    carried = EvidenceFile.objects.for_institution(world.institution_b).get(audit=application)
    assert carried.carried_from_id == world.application_evidence.pk
    assert carried.current.sha256 == world.application_evidence.current.sha256
    assert (renewal.copied, renewal.carried) == (1, 1)
    # The new institution's coordinator follows and endorses it, and sees none of its content;
    # the old institution sees nothing of it.
    dossier = reverse("audits:detail", args=[application.pk])
    status = reverse("competences:status", args=[application.pk])
    assert world.client("peer_supporter_a").get(dossier).status_code == 200
    assert world.client("coordinator_b").get(status).status_code == 200
    assert world.client("coordinator_b").get(dossier).status_code == 404
    assert world.client("coordinator_a").get(status).status_code == 404
    application_endorse(audit=application, user=world.users["coordinator_b"])
    # Its certificate supersedes the one renewed.
    renewed = certified(application, world.users["admin"])
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.SUPERSEDED
    assert certificate.superseded_by == renewed
    assert renewed.holder == holder


@pytest.mark.parametrize("who", ["coordinator_a", "contributor_a", "coordinator_b", "admin"])
def test_only_the_holder_renews_a_certificate_of_competences(
    world: World, certificate: Certificate, who: str
) -> None:
    with pytest.raises(ActionForbiddenError, match="Its holder renews"):
        renewal_start(certificate=certificate, user=world.users[who])


def test_the_holder_renews_through_a_programme_they_support_in_now(
    world: World, certificate: Certificate
) -> None:
    holder = world.users["peer_supporter_a"]
    Membership.objects.filter(user=holder).delete()
    with pytest.raises(ActionRefusedError, match="ask its coordinators to invite you"):
        renewal_start(certificate=certificate, user=holder)
    Membership.objects.create(
        user=holder, institution=world.institution_a, role=Membership.Role.PEER_SUPPORTER
    )
    Membership.objects.create(
        user=holder, institution=world.institution_b, role=Membership.Role.PEER_SUPPORTER
    )
    with pytest.raises(ActionRefusedError, match="choose the institution you renew through"):
        renewal_start(certificate=certificate, user=holder)
    Membership.objects.filter(user=holder, institution=world.institution_b).update(
        role=Membership.Role.CONTRIBUTOR
    )
    with pytest.raises(ActionRefusedError, match="not a peer supporter of that institution"):
        renewal_start(certificate=certificate, user=holder, institution_id=world.institution_b.pk)
    assert not Renewal.unscoped.exists()
    renewal = renewal_start(
        certificate=certificate, user=holder, institution_id=world.institution_a.pk
    )
    assert renewal.audit.institution_id == world.institution_a.pk
    assert renewal_refusal(holder, certificate) == "Its renewal audit is under way already."


def test_an_open_application_is_finished_before_a_renewal(
    world: World, certificate: Certificate
) -> None:
    Audit.unscoped.filter(pk=world.application_a.pk).update(status=Audit.Status.IN_REVIEW)
    refusal = renewal_refusal(world.users["peer_supporter_a"], certificate)
    assert refusal == "You already have an open application; finish it first."


def test_the_certificate_page_and_the_api_start_the_holders_renewal(
    world: World, certificate: Certificate
) -> None:
    moved_to_b(world)
    holder = world.client("peer_supporter_a")
    page = holder.get(reverse("certification:certificate", args=[certificate.pk]))
    body = page.content.decode()
    assert "Start the renewal application" in body
    assert f"You apply through {world.institution_b.name}." in body
    assert "a coordinator" not in body.lower().split('id="renewal"')[1].split("</section>")[0]
    admin_page = world.client("admin").get(
        reverse("certification:certificate", args=[certificate.pk])
    )
    assert "The holder may start the renewal from" in admin_page.content.decode()
    api = f"/api/v1/certificates/{certificate.pk}/renewal/"
    assert world.client("coordinator_b").post(api, {}).status_code == 404
    refused = holder.post(api, {"institution": "x"}, content_type="application/json")
    assert refused.status_code == 400
    assert "institution" in refused.json()
    wrong = holder.post(
        api, {"institution": world.institution_a.pk}, content_type="application/json"
    )
    assert wrong.status_code == 400
    assert not Renewal.unscoped.exists()
    started = holder.post(
        api, {"institution": world.institution_b.pk}, content_type="application/json"
    )
    assert started.status_code == 201, started.content
    assert holder.get(api).json()["audit"] == started.json()["audit"]


def test_the_page_asks_which_programme_when_the_holder_supports_in_several(
    world: World, certificate: Certificate
) -> None:
    holder = world.users["peer_supporter_a"]
    Membership.objects.create(
        user=holder, institution=world.institution_b, role=Membership.Role.PEER_SUPPORTER
    )
    panel = renewal_panel(holder, certificate)
    assert panel is not None
    assert [i.name for i in panel.institutions] == sorted(
        [world.institution_a.name, world.institution_b.name]
    )
    client = world.client("peer_supporter_a")
    url = reverse("certification:certificate_renew", args=[certificate.pk])
    assert (
        'name="institution"'
        in client.get(reverse("certification:certificate", args=[certificate.pk])).content.decode()
    )
    assert client.post(url).status_code == 400
    response = client.post(url, {"institution": world.institution_b.pk})
    assert response.status_code == 302
    renewal = renewal_of(certificate)
    assert renewal is not None
    assert response["Location"] == reverse("audits:detail", args=[renewal.audit_id])
    assert renewal.audit.institution_id == world.institution_b.pk
