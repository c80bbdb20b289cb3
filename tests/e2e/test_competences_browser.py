"""A peer supporter's certification of competences in the browser, from the application to the
certificate that outlives their membership.

The peer supporter applies on the institution's page, self-assesses a competence and uploads a
reflective statement for it; the coordinator finds the application, endorses it and sees none
of its content (its dossier is a 404); the applicant submits. Two auditors accept on My reviews
and rate the first competence blind (the second sees nothing of the lead's) and complete. The
ERNST admin certifies on the decision page. The holder downloads the certificate's PDF, whose QR
code opens the verification page naming them; after they leave the institution, the
certificate still verifies and still downloads.

The other thirteen self-assessments and ratings, the report's course (recommendation, release,
reply, final) and the PDF's rendering go through the services: each has its own browser test
(tests/e2e/test_dossier_browser.py, test_review_browser.py, test_report_browser.py with a real
worker)."""

from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from accounts.roles import AUDITORS, ERNST_ADMINS
from accounts.services import platform_groups_ensure
from audits.models import Audit, StandardAssessment
from audits.services.assessments import assessment_self_rate
from certification.models import Certificate
from evidence.models import EvidenceFile
from evidence.services import evidence_upload
from institutions.models import Membership
from institutions.services import membership_remove
from reports.models import Report
from reports.services import report_render
from reviews.models import AuditorAssignment, ReviewReport
from reviews.services.ratings import rating_save
from reviews.services.report import (
    recommendation_set,
    replies_done,
    report_finalise,
    report_release,
)
from reviews.services.team import team_assign
from standards.choices import Component
from tests.e2e.test_review_browser import accept, open_standard, signed_in
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory
from tests.reviews.conftest import qualify

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]

SECRET = "Reflection: what the night-shift nurse taught me about listening"
LEAD_SECRET = "Lead: the role play shows it"
REFLECTION = b"A reflective statement on my practice as a peer supporter, 2025."


def cast() -> dict[str, Any]:
    institution = InstitutionFactory(name="Browser Hospital", setting="hospital")
    coordinator = MembershipFactory(institution=institution, role=Membership.Role.COORDINATOR).user
    peer = MembershipFactory(
        institution=institution,
        role=Membership.Role.PEER_SUPPORTER,
        user__first_name="Marta",
        user__last_name="Ibáñez",
    ).user
    admin = UserFactory(email="admin@browser.org")
    admin.groups.add(platform_groups_ensure()[ERNST_ADMINS])
    lead, second = UserFactory(email="lead@browser.org"), UserFactory(email="second@browser.org")
    for auditor in (lead, second):
        auditor.groups.add(platform_groups_ensure()[AUDITORS])
        qualify(auditor, Component.COMPETENCES)
    return {
        "institution": institution,
        "coordinator": coordinator,
        "peer": peer,
        "admin": admin,
        "lead": lead,
        "second": second,
    }


def assessments(audit: Audit) -> list[StandardAssessment]:
    return list(
        StandardAssessment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("standard")
        .order_by("standard__order")
    )


def applies_with_evidence(page: Page, base: str, people: dict[str, Any], tmp: Path) -> Audit:
    """The peer supporter applies, self-assesses the first competence and uploads for it."""
    page.goto(f"{base}/institutions/{people['institution'].pk}/")
    page.click("text=Apply for the certification of your competences")
    expect(page.locator("main")).to_contain_text("no session notes")
    with page.expect_navigation():
        page.click("main button:has-text('Start my application')")
    expect(page.locator("main")).to_contain_text("Your evidence is about you")
    application = Audit.unscoped.get(applicant=people["peer"])
    first, *others = assessments(application)
    assert first.standard.code == "COM01"
    assert len(others) == 13
    page.goto(f"{base}/audits/{application.pk}/standards/COM01/")
    page.check("input[name=self_rating][value=met]")
    page.fill("textarea[name=narrative]", SECRET)
    page.click("form[action$='/rating/'] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Self-assessment of COM01 saved.")
    reflection = tmp / "reflection.txt"
    reflection.write_bytes(REFLECTION)
    page.set_input_files("form[data-upload] input[type=file]", [str(reflection)])
    page.check("form[data-upload] input[name=confirmed_no_personal_data]")
    with page.expect_navigation():
        page.click("form[data-upload] button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("reflection.txt uploaded.")
    # The other thirteen, through the services.
    for assessment in others:
        assessment_self_rate(
            assessment=assessment,
            user=people["peer"],
            self_rating="met",
            narrative=f"How I meet {assessment.standard.code}.",
        )
    evidence_upload(
        audit=application,
        user=people["peer"],
        uploaded=SimpleUploadedFile(
            "supervision.txt", b"Record of supervised practice, 2024-2026.", "text/plain"
        ),
        assessments=others,
        confirmed_no_personal_data=True,
    )
    return application


def coordinator_endorses_blind(
    page: Page, base: str, application: Audit, coordinator: User
) -> None:
    """The coordinator follows the application and endorses it; its content stays closed."""
    page.goto(f"{base}/institutions/{application.institution_id}/")
    page.click("text=Peer supporters' applications")
    expect(page.locator("table")).to_contain_text("Marta Ibáñez")
    page.click("table a:has-text('Marta Ibáñez')")
    expect(page.locator("dl")).to_contain_text("EndorsedNot yet")
    with page.expect_navigation():
        page.click("button:has-text('Endorse the application')")
    expect(page.locator(".messages")).to_contain_text("You endorsed Marta Ibáñez's application.")
    expect(page.locator("dl")).to_contain_text(f"by {coordinator.email}")
    for hidden in (SECRET, "reflection.txt", "supervision.txt"):
        expect(page.locator("body")).not_to_contain_text(hidden)
    for url in (
        f"/audits/{application.pk}/",
        f"/audits/{application.pk}/standards/COM01/",
        f"/audits/{application.pk}/history/",
    ):
        response = page.goto(base + url)
        assert response is not None
        assert response.status == 404, url


def submits(page: Page, base: str, application: Audit) -> None:
    page.goto(f"{base}/audits/{application.pk}/")
    expect(page.locator(".progress-figure")).to_contain_text("14 of 14")
    page.click("text=Submit the dossier")
    expect(page.locator(".messages")).to_contain_text("submitted and sealed")


def auditors_rate_blind(browser: Browser, base: str, people: dict[str, Any], audit: Audit) -> None:
    """Both accept and rate COM01 in the browser, blind; the rest through the services."""
    for auditor, role in ((people["lead"], "lead"), (people["second"], "second")):
        team_assign(audit=audit, auditor=auditor, role=role, assigned_by=people["admin"])
    review = f"{base}/audits/{audit.pk}/review"
    contexts = {key: signed_in(browser, base, people[key]) for key in ("lead", "second")}
    pages = {key: context.new_page() for key, context in contexts.items()}
    for key, page in pages.items():
        accept(page, base)
        open_standard(page, f"{review}/COM01/")
        if key == "second":
            expect(page.locator("main")).not_to_contain_text(LEAD_SECRET)
        page.check("#rating_rating_0")  # met
        page.fill("#rating_rationale", LEAD_SECRET if key == "lead" else "Second: met")
        page.click("#rating-panel button:has-text('Save the rating')")
        expect(page.locator("#rating-panel [role=status]")).to_contain_text("saved (version 1)")
        place = AuditorAssignment.objects.for_institution(audit.institution_id).get(
            audit=audit, auditor=people[key]
        )
        for assessment in assessments(audit)[1:]:
            rating_save(
                assignment=place,
                assessment=assessment,
                user=people[key],
                rating="met",
                base_version=0,
            )
        page.goto(f"{review}/complete/")
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        expect(page.locator("#messages")).to_contain_text("Your review is complete.")
    for context in contexts.values():
        context.close()


def the_report_is_final(people: dict[str, Any], audit: Audit) -> None:
    lead = people["lead"]
    recommendation_set(
        audit=audit,
        user=lead,
        recommendation=ReviewReport.Recommendation.CERTIFY,
        level="",
        reason="Every competence is met, with evidence and the interview.",
        base_version=None,
    )
    report_release(audit=audit, user=lead)
    replies_done(audit=audit, user=people["peer"])
    report_finalise(audit=audit, user=lead)


def admin_certifies(browser: Browser, base: str, admin: User, audit: Audit) -> Certificate:
    context = signed_in(browser, base, admin)
    page = context.new_page()
    page.goto(f"{base}/audits/{audit.pk}/decision/")
    page.check("input[name=outcome][value=certify]")
    page.fill("textarea[name=reason]", "Every competence met, the core ones with evidence.")
    with page.expect_navigation():
        page.click("button:has-text('Record the decision')")
    expect(page.locator("main")).to_contain_text("RESCUE-COM-")
    context.close()
    certificate = Certificate.unscoped.get(audit=audit)
    for report in Report.objects.for_institution(audit.institution_id).filter(
        audit=audit, status=Report.Status.QUEUED
    ):
        report_render(report_id=report.pk)
    return certificate


def downloads_the_certificate(page: Page, base: str, certificate: Certificate, tmp: Path) -> str:
    """The holder opens the certificate from their list and downloads the PDF; what its QR
    code says."""
    page.goto(f"{base}/certificates/")
    page.click(f"text={certificate.number}")
    row = page.locator(".report-row", has_text="Certificate")
    with page.expect_download() as download:
        row.get_by_role("link", name="Download v").click()
    path = tmp / download.value.suggested_filename
    download.value.save_as(path)
    image = pypdfium2.PdfDocument(BytesIO(path.read_bytes()))[0].render(scale=3).to_pil()
    [code] = [
        barcode.text
        for barcode in zxingcpp.read_barcodes(image)
        if barcode.format == zxingcpp.BarcodeFormat.QRCode
    ]
    return code


def verifies(browser: Browser, url: str, certificate: Certificate) -> None:
    """Anyone with the code reads the holder's name and the live status, nothing of where they
    work."""
    context = browser.new_context()
    page = context.new_page()
    response = page.goto(url)
    assert response is not None
    assert response.status == 200
    expect(page.locator("main")).to_contain_text(certificate.number)
    expect(page.locator("main")).to_contain_text("Marta Ibáñez")
    expect(page.locator("main")).to_contain_text("Valid")
    expect(page.locator("main")).not_to_contain_text("Browser Hospital")
    context.close()


def test_a_peer_supporter_is_certified_and_keeps_the_certificate_after_leaving(
    browser: Browser, live_server: Any, tmp_path: Path
) -> None:
    base, people = live_server.url, cast()
    peer_context = signed_in(browser, base, people["peer"])
    peer = peer_context.new_page()
    errors: list[str] = []
    peer.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    application = applies_with_evidence(peer, base, people, tmp_path)

    coordinator_context = signed_in(browser, base, people["coordinator"])
    coordinator_endorses_blind(
        coordinator_context.new_page(), base, application, people["coordinator"]
    )
    coordinator_context.close()

    submits(peer, base, application)
    auditors_rate_blind(browser, base, people, application)
    the_report_is_final(people, application)
    certificate = admin_certifies(browser, base, people["admin"], application)
    assert certificate.holder == people["peer"]
    assert certificate.number.startswith("RESCUE-COM-")

    code_url = downloads_the_certificate(peer, base, certificate, tmp_path)
    assert code_url.endswith(f"/{certificate.code}/"), code_url
    local = base + urlsplit(code_url).path  # the code names the site; the test serves it here
    verifies(browser, local, certificate)

    # The holder leaves the institution: the certificate is still theirs and still valid.
    membership_remove(
        membership=Membership.objects.get(user=people["peer"], institution=people["institution"]),
        removed_by=people["coordinator"],
    )
    (tmp_path / "again").mkdir()
    assert downloads_the_certificate(peer, base, certificate, tmp_path / "again") == code_url
    verifies(browser, local, certificate)
    assert EvidenceFile.objects.for_institution(application.institution_id).count() == 2
    assert errors == [], errors
    peer_context.close()
