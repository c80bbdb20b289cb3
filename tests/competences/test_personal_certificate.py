"""A certificate of competences is its holder's: they read it (page, list, API) and it verifies,
also after they have left the institution; the institution's coordinators and contributors do
not read it, and the public register does not list it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from audits.models import Audit
from certification.appeals import appeal_lodge, appeal_refusal
from certification.models import Certificate, Decision, Scheme
from certification.services import certificate_issue
from institutions.models import Membership
from reports.certificate import certificate_context, certificate_input
from reports.decision import decision_context, decision_input
from rescue.errors import ActionForbiddenError
from reviews.models import ConsolidatedRating
from tests.world import World

pytestmark = pytest.mark.django_db


def certified(application: Audit, admin: User) -> Certificate:
    """The application's certificate, issued (the decision's own tests decide audits)."""
    return certificate_issue(
        institution_id=application.institution_id,
        scheme=Scheme.COMPETENCES,
        setting=application.setting,
        audit=application,
        catalogue_version_id=application.catalogue_version_id,
        user=admin,
    )


@pytest.fixture
def certificate(world: World) -> Certificate:
    """The world's application certified."""
    return certified(world.application_a, world.users["admin"])


def not_certified(world: World) -> Decision:
    """The world's application decided: not certified (the decision's own tests decide)."""
    Audit.unscoped.filter(pk=world.application_a.pk).update(status=Audit.Status.DECIDED)
    return Decision.objects.create(
        institution=world.institution_a,
        audit=world.application_a,
        outcome=Decision.Outcome.DO_NOT_CERTIFY,
        reason="COM02 not met",
        proposed_outcome=Decision.Outcome.DO_NOT_CERTIFY,
        proposal="Do not certify: no level's rules pass.",
        decided_by=world.users["admin"],
        decided_by_email="admin@example.org",
    )


def test_the_holder_reads_their_certificate_and_nobody_of_the_institution_does(
    world: World, certificate: Certificate
) -> None:
    assert certificate.number.startswith("RESCUE-COM-")
    page = reverse("certification:certificate", args=[certificate.pk])
    holder = world.client("peer_supporter_a")
    answer = holder.get(page)
    assert answer.status_code == 200
    assert "<dt>Setting</dt>" not in answer.content.decode()  # a person's, not a programme's
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
    # The code the holder hands out says whose it is; never the institution's setting or level.
    name = str(world.users["peer_supporter_a"])
    assert certificate.holder_name == name
    assert f"<dd>{name}</dd>" in verify.content.decode()
    api = world.client("anonymous").get(f"/api/v1/verify/{certificate.code}/").json()
    assert api["holder_name"] == name


def register_numbers(world: World) -> tuple[str, set[str]]:
    page = world.client("anonymous").get(reverse("public:register")).content.decode()
    api = world.client("anonymous").get("/api/v1/register/").json()
    return page, {row["number"] for row in api["results"]}


def test_the_register_lists_a_persons_certificate_only_with_their_consent(
    world: World, certificate: Certificate
) -> None:
    name = str(world.users["peer_supporter_a"])
    page, numbers = register_numbers(world)
    assert certificate.number not in page
    assert certificate.number not in numbers
    # Nobody but the holder decides it.
    listing = reverse("certification:certificate_listing", args=[certificate.pk])
    assert world.client("admin").post(listing, {"listed": "1"}).status_code == 403
    assert world.client("coordinator_a").post(listing, {"listed": "1"}).status_code == 404
    holder = world.client("peer_supporter_a")
    assert (
        "List me in the public register"
        in holder.get(reverse("certification:certificate", args=[certificate.pk])).content.decode()
    )
    assert holder.post(listing, {"listed": "1"}).status_code == 302
    page, numbers = register_numbers(world)
    assert certificate.number in numbers
    assert name in page
    assert "Hospital A" not in page  # name, country and validity: not where they work
    row = next(
        r
        for r in world.client("anonymous").get("/api/v1/register/").json()["results"]
        if r["number"] == certificate.number
    )
    assert (row["holder_name"], row["institution_name"], row["country"]) == (name, "", "ES")
    searched = world.client("anonymous").get(reverse("public:register"), {"q": name[:5]})
    assert certificate.number in searched.content.decode()
    # Taken back over the API: off the register; the verification still answers.
    answer = holder.post(
        f"/api/v1/certificates/{certificate.pk}/listing/",
        {"listed": False},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["register_consent_at"] is None
    assert certificate.number not in register_numbers(world)[1]
    verify = world.client("anonymous").get(reverse("public:verify", args=[certificate.code]))
    assert verify.status_code == 200
    actions = list(certificate.events.values_list("action", flat=True))
    assert actions == ["issued", "listed", "unlisted"]


def test_the_certificate_pdf_names_the_holder_and_the_competences(
    world: World, certificate: Certificate
) -> None:
    ConsolidatedRating.objects.create(
        institution=world.institution_a,
        audit=world.application_a,
        assessment=world.application_assessment,
        rating="met",
        source=ConsolidatedRating.Source.SINGLE,
    )
    context = certificate_context(certificate)
    assert context["competences"] == [("COM02", world.competence.title)]
    html = render_to_string("pdf/certificate.html", context | {"language": "en", "report": None})
    assert str(world.users["peer_supporter_a"]) in html
    assert "holds the competences of the scheme" in html
    assert f"COM02 {world.competence.title}" in html
    assert "Setting" not in html  # a person's certificate is not of a programme's setting
    assert certificate_input(context, language="en", kind="certificate")["certificate"][
        "holder_name"
    ] == str(world.users["peer_supporter_a"])


def test_the_applicant_appeals_the_decision_on_their_application(world: World) -> None:
    """The decision and its appeal are the applicant's, as a coordinator's for an institution."""
    application = world.application_a
    decision = not_certified(world)
    refusal = appeal_refusal(world.users["coordinator_a"], decision)
    assert isinstance(refusal, ActionForbiddenError)
    assert refusal.message == "The applicant appeals the decision on their application."
    url = reverse("certification:appeal", args=[application.pk])
    assert world.client("coordinator_a").get(url).status_code == 404
    assert world.client("contributor_a").get(url).status_code == 404
    assert world.client("peer_supporter_a").get(url).status_code == 200
    appeal = appeal_lodge(
        decision=decision,
        user=world.users["peer_supporter_a"],
        statement="My reflective statement covers COM02.",
        uploads=[SimpleUploadedFile("grounds.txt", b"Supervision record, March.", "text/plain")],
        confirmed_no_personal_data=True,
    )
    assert appeal.lodged_by == world.users["peer_supporter_a"]
    listed = world.client("peer_supporter_a").get("/api/v1/appeals/").json()
    assert [row["id"] for row in listed["results"]] == [appeal.pk]
    assert appeal.pk not in {
        row["id"] for row in world.client("coordinator_a").get("/api/v1/appeals/").json()["results"]
    }


def test_the_decision_letter_on_an_application_is_written_to_the_applicant(world: World) -> None:
    application = world.application_a
    not_certified(world)
    context = decision_context(application)
    html = render_to_string("pdf/decision.html", context | {"language": "en", "report": None})
    name = str(world.users["peer_supporter_a"])
    assert name in html
    assert "your application for" in html
    assert "You may appeal against this decision" in html
    assert "your institution's" not in html
    assert decision_input(context, language="en", kind="decision")["applicant"] == name


def test_the_applications_letter_and_certificate_speak_spanish(
    world: World, certificate: Certificate
) -> None:
    """The texts the track added to the PDFs are translated (Spanish, as every PDF text)."""
    application = world.application_a
    with translation.override("es"):
        context = certificate_context(certificate)
        html = render_to_string(
            "pdf/certificate.html", context | {"language": "es", "report": None}
        )
    assert "posee las competencias del esquema" in html
    Certificate.unscoped.filter(pk=certificate.pk).delete()
    not_certified(world)
    with translation.override("es"):
        context = decision_context(application)
        html = render_to_string("pdf/decision.html", context | {"language": "es", "report": None})
    assert "Puede recurrir esta decisión" in html
    assert "su solicitud de" in html
