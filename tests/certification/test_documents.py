"""The decision's documents on the reports pipeline: the decision letter (reports/decision.py)
and the certificate PDF (reports/certificate.py), queued by ``decision_documents_queue`` when
the decision is taken.

The certificate is one A4 landscape page whose QR code, read off the rendered page by a barcode
decoder, is the address of the certificate's verification page; the letter says what was
decided and why, in the institution's language; who may ask for and read each of them."""

from datetime import date, timedelta
from io import BytesIO

import pypdfium2
import pytest
import zxingcpp
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from accounts.models import User
from audits.models import Audit
from certification.documents import decision_documents_queue
from certification.models import Certificate, Decision
from certification.services import certificate_change, certificate_issue, decision_take
from reports import services
from reports.models import Report
from reports.permissions import report_policy
from rescue.errors import ActionRefusedError
from standards.choices import InterventionLevel
from tests.certification.conftest import final, finding_of  # noqa: F401 - the fixture, by name
from tests.reports.conftest import sealed_dossier
from tests.reviews.conftest import Review
from tests.world import client_for

pytestmark = pytest.mark.django_db

GROUNDS = "GROUNDS-7Q: one minor gap in the curriculum, its plan accepted."
DEPARTURE = "DEPARTURE-3K: the gap is minor and its plan convinces."
Kind = Report.Kind


def due_on() -> date:
    return timezone.localdate() + timedelta(days=60)


def decide(review: Review, outcome: str = Decision.Outcome.CONDITIONS) -> Decision:
    """The admin (not on the team) decides; on conditions, which departs from the rule
    evaluation's proposal here (one standard partially met: do not certify)."""
    return decision_take(
        audit=review.reload(),
        user=review.admin,
        outcome=outcome,
        level="",
        reason=GROUNDS,
        departure_reason=DEPARTURE,
        conditions_due_on=due_on() if outcome == Decision.Outcome.CONDITIONS else None,
    )


def rendered(reports: list[Report]) -> dict[str, Report]:
    done = {}
    for report in reports:
        finished = services.report_render(report_id=report.pk)
        assert finished is not None
        assert finished.status == Report.Status.READY, finished.error
        done[finished.kind] = finished
    return done


def pdf_bytes(report: Report) -> bytes:
    with report.file.open("rb") as handle:
        return handle.read()


def pdf_text(report: Report) -> str:
    """The PDF's text with runs of white space as single spaces."""
    reader = PdfReader(BytesIO(pdf_bytes(report)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def qr_codes(report: Report) -> list[str]:
    """What the QR codes on the PDF's first page say, read off the page rasterised at 216 dpi
    as a phone's camera would read the printed page."""
    page = pypdfium2.PdfDocument(pdf_bytes(report))[0]
    image = page.render(scale=3).to_pil()
    return [
        barcode.text
        for barcode in zxingcpp.read_barcodes(image)
        if barcode.format == zxingcpp.BarcodeFormat.QRCode
    ]


def day(value: date, language: str = "en") -> str:
    with translation.override(language):
        return date_format(value, "j F Y")


def certificate_of(decision: Decision) -> Certificate:
    return Certificate.objects.for_institution(decision.institution_id).get(decision=decision)


@pytest.fixture
def decided(final: Review) -> Review:  # noqa: F811 - the fixture, extended
    decide(final)
    return final


def queued_by(decision: Decision) -> list[Report]:
    """What the decision queued itself: its letter, then its certificate's PDF."""
    order = {Kind.DECISION: 0, Kind.CERTIFICATE: 1}
    reports = Report.objects.for_institution(decision.institution_id).filter(
        audit_id=decision.audit_id, kind__in=tuple(order)
    )
    return sorted(reports, key=lambda r: (order[r.kind], r.version))


def documents(review: Review) -> dict[str, Report]:
    decision = Decision.objects.for_institution(review.audit.institution_id).get(audit=review.audit)
    return rendered(queued_by(decision))


# --- Queueing ----------------------------------------------------------------------------------


def test_the_decision_queues_its_letter_and_its_certificate_pdf_once(decided: Review) -> None:
    decision = Decision.objects.for_institution(decided.audit.institution_id).get(
        audit=decided.audit
    )
    certificate = certificate_of(decision)
    queued = queued_by(decision)  # by the decision itself
    assert decision_documents_queue(decision=decision, user=decided.admin) == []  # pending
    assert [(r.kind, r.version, r.status) for r in queued] == [
        (Kind.DECISION, 1, "queued"),
        (Kind.CERTIFICATE, 1, "queued"),
    ]
    assert (queued[0].certificate_id, queued[1].certificate_id) == (None, certificate.pk)
    assert {r.language for r in queued} == {"en"}
    rendered(queued)
    # Asked again with nothing changed: the ready ones are given back, nothing new is queued.
    again = decision_documents_queue(decision=decision, user=decided.admin)
    assert [r.pk for r in again] == [r.pk for r in queued]
    assert (
        Report.objects.for_institution(decided.audit.institution_id)
        .filter(kind__in=(Kind.DECISION, Kind.CERTIFICATE))
        .count()
        == 2
    )


def test_a_decision_not_to_certify_queues_only_its_letter(final: Review) -> None:  # noqa: F811
    decision = decide(final, Decision.Outcome.DO_NOT_CERTIFY)
    assert not decision.departs  # the rule evaluation proposed not to certify
    report = rendered(queued_by(decision))
    assert list(report) == [Kind.DECISION]
    text = pdf_text(report[Kind.DECISION])
    assert "Do not certify" in text
    assert "The decision follows the rule evaluation's proposal." in text
    assert "departs" not in text
    assert "Certificate number" not in text
    assert "within 30 days of this decision" in text


# --- The certificate PDF -----------------------------------------------------------------------


@override_settings(SITE_URL="https://rescue.example.org/")
def test_the_certificate_is_one_landscape_page_whose_qr_code_opens_its_verification_page(
    decided: Review,
) -> None:
    report = documents(decided)[Kind.CERTIFICATE]
    certificate = certificate_of(decided.audit.decision)
    assert report.certificate == certificate
    reader = PdfReader(BytesIO(pdf_bytes(report)))
    assert report.page_count == len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    assert round(float(box.width) * 25.4 / 72) == 297  # A4: 297 by 210 mm
    assert round(float(box.height) * 25.4 / 72) == 210
    url = f"https://rescue.example.org/verify/{certificate.code}/"
    assert qr_codes(report) == [url]
    text = pdf_text(report)
    for printed in (
        "RESCUE-Training",
        certificate.number,
        "Hospital A",
        "Spain",
        "Hospital",
        "2026.1",
        f"Issued on {day(certificate.issued_on)}",
        f"Valid until {day(certificate.expires_on)}",
        f"to be closed by {day(certificate.conditions_due_on)}",
        "The current status of this certificate is on its verification page",
    ):
        assert printed in text, printed
    assert url in text.replace(" ", "")
    # The number and the validity only: the live status is the verification page's.
    assert "Active" not in text


def test_an_intervention_certificate_names_its_level_in_the_institutions_language(
    world: object, catalogue: None
) -> None:
    audit, coordinator = sealed_dossier(name="Hospital Certificado")
    audit.institution.preferred_language = "es"
    audit.institution.country = "ES"
    audit.institution.save()
    admin = world.users["admin"]  # type: ignore[attr-defined]
    certificate = certificate_issue(
        institution_id=audit.institution_id,
        scheme="intervention",
        setting=audit.setting,
        level="execution",
        audit=audit,
        catalogue_version_id=audit.catalogue_version_id,
        user=admin,
    )
    result = services.report_request(
        audit=audit, user=coordinator, kind=Kind.CERTIFICATE, certificate=certificate
    )
    report = rendered([result.report])[Kind.CERTIFICATE]
    assert (report.language, report.page_count) == ("es", 1)
    text = pdf_text(report)
    for printed in (
        "CERTIFICADO",
        "Se certifica que",
        "Hospital Certificado",
        "España",
        "RESCUE-Intervention",
        "en el nivel Ejecución",
        f"Válido hasta {day(certificate.expires_on, 'es')}",
        certificate.number,
    ):
        assert printed in text, printed
    assert qr_codes(report) == [f"http://127.0.0.1:8000/verify/{certificate.code}/"]


def test_a_certificate_stays_one_page_whatever_the_length_of_the_name(
    world: object, catalogue: None
) -> None:
    name = ("Hospital Universitario General de la Comunidad Autónoma de la Región " * 3)[:200]
    audit, coordinator = sealed_dossier(name=name)
    certificate = certificate_issue(
        institution_id=audit.institution_id,
        scheme="intervention",
        setting=audit.setting,
        level="comprehensive",
        audit=audit,
        catalogue_version_id=audit.catalogue_version_id,
        conditions_due_on=due_on(),
        user=world.users["admin"],  # type: ignore[attr-defined]
    )
    result = services.report_request(
        audit=audit, user=coordinator, kind=Kind.CERTIFICATE, certificate=certificate
    )
    report = rendered([result.report])[Kind.CERTIFICATE]
    assert report.page_count == 1
    assert qr_codes(report) == [f"http://127.0.0.1:8000/verify/{certificate.code}/"]


def test_the_certificate_pdf_follows_what_it_prints_not_the_status(decided: Review) -> None:
    first = documents(decided)[Kind.CERTIFICATE]
    certificate = certificate_of(decided.audit.decision)
    certificate_change(
        certificate=certificate, user=decided.admin, change="suspend", reason="Checking"
    )
    certificate.refresh_from_db()
    again = services.report_request(
        audit=decided.reload(), user=decided.admin, kind=Kind.CERTIFICATE, certificate=certificate
    )
    assert again.reused  # a suspension prints nothing new
    assert again.report == first
    with override_settings(SITE_URL="https://elsewhere.example.org"):  # another QR code
        moved = services.report_request(
            audit=decided.audit, user=decided.admin, kind=Kind.CERTIFICATE, certificate=certificate
        )
    assert not moved.reused
    assert moved.report.version == 2
    # A withdrawn certificate gets no new PDF.
    Report.objects.for_institution(decided.audit.institution_id).filter(pk=moved.report.pk).update(
        status=Report.Status.FAILED
    )
    certificate_change(
        certificate=certificate, user=decided.admin, change="withdraw", reason="Fraud"
    )
    certificate.refresh_from_db()
    with pytest.raises(ActionRefusedError, match="withdrawn: no new PDF"):
        services.report_request(
            audit=decided.audit, user=decided.admin, kind=Kind.CERTIFICATE, certificate=certificate
        )


def test_a_certificate_pdf_is_of_one_of_the_audits_certificates(decided: Review) -> None:
    audit, admin = decided.reload(), decided.admin
    ready = documents(decided)[Kind.CERTIFICATE]
    # Named by none (the pages and the API): the audit's certificate.
    asked = services.report_request(audit=audit, user=admin, kind=Kind.CERTIFICATE)
    assert asked.reused
    assert asked.report == ready
    other = certificate_issue(
        institution_id=audit.institution_id,
        scheme="training",
        setting=audit.setting,
        user=admin,
    )  # of the same institution, not of this audit
    with pytest.raises(ActionRefusedError, match="not issued on this audit"):
        services.report_request(audit=audit, user=admin, kind=Kind.CERTIFICATE, certificate=other)
    with pytest.raises(ActionRefusedError, match="Only a certificate PDF"):
        services.report_request(audit=audit, user=admin, kind=Kind.DECISION, certificate=other)


def test_an_audit_without_a_certificate_has_no_certificate_pdf(final: Review) -> None:  # noqa: F811
    decide(final, Decision.Outcome.DO_NOT_CERTIFY)
    with pytest.raises(ActionRefusedError, match="No certificate was issued"):
        services.report_request(audit=final.reload(), user=final.admin, kind=Kind.CERTIFICATE)


@override_settings(SITE_URL="https://rescue.example.org/")
def test_mastery_has_its_pdf_filed_under_the_audit_of_its_latest_base(final: Review) -> None:  # noqa: F811
    """RESCUE Mastery, which no audit issues, gets its PDF when it is issued, filed under the
    audit of the base that completed it; it names both bases, its QR code opens its own
    verification page, and it reaches whom a certificate PDF reaches."""
    audit, admin, users = final.reload(), final.admin, final.world.users
    intervention = certificate_issue(
        institution_id=audit.institution_id,
        scheme="intervention",
        setting=audit.setting,
        level=InterventionLevel.COMPREHENSIVE,
        user=admin,
    )  # recorded without an audit: the Training decision below completes Mastery
    training = certificate_of(decide(final))
    mastery = Certificate.objects.for_institution(audit.institution_id).get(scheme="mastery")
    assert mastery.documents_audit() == audit
    [queued] = Report.objects.for_institution(audit.institution_id).filter(certificate=mastery)
    pdf = rendered([queued])[Kind.CERTIFICATE]
    assert (pdf.audit_id, pdf.kind) == (audit.pk, Kind.CERTIFICATE)
    assert qr_codes(pdf) == [f"https://rescue.example.org/verify/{mastery.code}/"]
    text = pdf_text(pdf)
    for printed in ("RESCUE Mastery", mastery.number, training.number, intervention.number):
        assert printed in text, printed
    # The certificate's page lists its PDF (and no decision letter: Mastery has no decision).
    page = client_for(users["coordinator_a"]).get(
        reverse("certification:certificate", args=[mastery.pk])
    )
    listed = page.context["documents"]
    assert [r.pk for r in listed] == [pdf.pk]
    assert {
        role: download(users[role], pdf) for role in ("admin", "coordinator_a", "contributor_a")
    } | {"coordinator_b": download(users["coordinator_b"], pdf)} == {
        "admin": 200,
        "coordinator_a": 200,
        "contributor_a": 404,
        "coordinator_b": 404,
    }
    # A certificate of no audit has nowhere to file a PDF: its base's, for Mastery, only.
    assert intervention.documents_audit() is None


# --- The decision letter -----------------------------------------------------------------------


def test_the_decision_letter_says_what_was_decided_and_why(decided: Review) -> None:
    report = documents(decided)[Kind.DECISION]
    decision = decided.audit.decision
    certificate = certificate_of(decision)
    finding = finding_of(decided)
    assert report.language == "en"
    text = pdf_text(report)
    for printed in (
        "Decision letter",
        "Hospital A",
        day(decision.decided_at.date()),
        "RESCUE-Training",
        "Certify on conditions",
        f"must be closed by {day(decision.conditions_due_on)}",
        f"{finding.assessment.standard.code} {finding.assessment.standard.title}",
        "Minor nonconformity",
        GROUNDS,
        "Proposal of the rule evaluation: Do not certify",
        decision.proposal,
        "The decision departs from the rule evaluation's proposal.",
        f"Reason for departing: {DEPARTURE}",
        "Recommendation of the lead auditor: Certify on conditions",
        certificate.number,
        f"Valid until {day(certificate.expires_on)}",
        f"/verify/{certificate.code}/",
        "within 30 days of this decision",
        decided.admin.email,
    ):
        assert printed in text, printed


def test_the_decision_letter_is_in_spanish_for_a_spanish_institution(final: Review) -> None:  # noqa: F811
    institution = final.world.institution_a
    institution.preferred_language = "es"
    institution.save()
    decision = decide(final)
    report = rendered(queued_by(decision))
    letter, certificate_pdf = report[Kind.DECISION], report[Kind.CERTIFICATE]
    assert (letter.language, certificate_pdf.language) == ("es", "es")
    text = pdf_text(letter)
    for printed in (
        "Carta de decisión",
        "Decisión de certificación",
        "Certificar con condiciones",
        f"deben cerrarse antes del {day(decision.conditions_due_on, 'es')}",
        "No conformidad menor",
        "Fundamentos",
        GROUNDS,
        "La decisión se aparta de la propuesta de la evaluación de las reglas.",
        DEPARTURE,
        "dentro de los 30 días siguientes a esta decisión",
        "Derecho de recurso",
    ):
        assert printed in text, printed
    assert "within 30 days" not in text
    assert "CERTIFICADO" in pdf_text(certificate_pdf)


def test_a_language_without_the_translation_gets_the_documents_in_english(
    final: Review,  # noqa: F811
) -> None:
    institution = final.world.institution_a
    institution.preferred_language = "de"
    institution.save()
    decision = decide(final)
    queued = queued_by(decision)
    assert [(r.kind, r.language) for r in queued] == [
        (Kind.DECISION, "en"),
        (Kind.CERTIFICATE, "en"),
    ]


# --- Who may ask and read ----------------------------------------------------------------------


def download(user: User, report: Report) -> int:
    url = reverse("reports:download", args=[report.audit_id, report.pk])
    return client_for(user).get(url).status_code


def test_who_reads_the_decision_letter_and_the_certificate_pdf(decided: Review) -> None:
    reports = documents(decided)
    letter, certificate_pdf = reports[Kind.DECISION], reports[Kind.CERTIFICATE]
    users = decided.world.users
    expected = {
        # ERNST admins: both; the institution's coordinators: both; the review team: the letter.
        "admin": (200, 200),
        "coordinator_a": (200, 200),
        "lead": (200, 404),
        # Contributors: neither; another institution and an auditor off the team: no audit.
        "contributor_a": (404, 404),
        "coordinator_b": (404, 404),
        "stranger": (404, 404),
    }
    people = users | {"lead": decided.lead, "stranger": decided.stranger}
    answers = {
        role: (download(people[role], letter), download(people[role], certificate_pdf))
        for role in expected
    }
    assert answers == expected
    audit = decided.reload()
    contributor = users["contributor_a"]
    for kind in (Kind.DECISION, Kind.CERTIFICATE):
        assert not report_policy.can(contributor, audit, kind)
        assert not report_policy.can(users["coordinator_b"], audit, kind)
    assert not report_policy.reports_for(contributor, audit).exists()
    with pytest.raises(PermissionError):
        services.report_request(audit=audit, user=contributor, kind=Kind.DECISION)
    with pytest.raises(PermissionError):
        services.report_request(
            audit=audit,
            user=decided.lead,
            kind=Kind.CERTIFICATE,
            certificate=certificate_pdf.certificate,
        )
    # The coordinator asks for their certificate's PDF: the ready one is given back.
    asked = services.report_request(
        audit=audit,
        user=users["coordinator_a"],
        kind=Kind.CERTIFICATE,
        certificate=certificate_pdf.certificate,
    )
    assert asked.reused
    assert asked.report == certificate_pdf


def test_the_letter_waits_for_the_decision(final: Review) -> None:  # noqa: F811
    audit: Audit = final.reload()
    coordinator = final.world.users["coordinator_a"]
    assert not report_policy.can(coordinator, audit, Kind.DECISION)
    assert report_policy.can(final.admin, audit, Kind.DECISION)
    with pytest.raises(ActionRefusedError, match="once the decision is taken"):
        services.report_request(audit=audit, user=final.admin, kind=Kind.DECISION)
    decide(final)
    assert report_policy.can(coordinator, final.reload(), Kind.DECISION)
