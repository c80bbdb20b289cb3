"""The report row on the audit page polls while the report is being prepared, turns into the
download once it is ready, and stops polling when the server no longer shows it."""

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from reports.models import Report
from tests.e2e.test_dossier_browser import PASSWORD
from tests.factories import AuditFactory, InstitutionFactory, MembershipFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]


def pending_report(page: Page, base: str) -> Report:
    institution = InstitutionFactory(name="Polling Hospital", setting="hospital")
    coordinator = MembershipFactory(
        institution=institution, role="coordinator", user__email="coord@polling.org"
    ).user
    coordinator.set_password(PASSWORD)
    coordinator.save()
    audit = AuditFactory(institution=institution)
    report = Report.objects.create(
        institution=institution,
        audit=audit,
        kind=Report.Kind.DOSSIER,
        language="en",
        version=1,
        requested_by=coordinator,
        requested_by_email=coordinator.email,
    )
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", coordinator.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{base}/audits/{audit.pk}/")
    expect(page.locator(f"#report-{report.pk}")).to_contain_text("being prepared")
    return report


def test_the_row_turns_into_the_download_when_the_report_is_ready(
    page: Page, live_server: object
) -> None:
    report = pending_report(page, live_server.url)
    report.file.save("dossier.pdf", ContentFile(b"%PDF-1.7 ready"), save=False)
    report.status, report.page_count = Report.Status.READY, 3
    report.save()
    row = page.locator(f"#report-{report.pk}")
    expect(row).to_contain_text("(PDF)", timeout=10_000)
    expect(row).not_to_have_attribute("hx-trigger", "every 2s")


def test_polling_stops_with_a_note_when_the_row_is_gone(page: Page, live_server: object) -> None:
    report = pending_report(page, live_server.url)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/reports/" in r.url else None)
    report.delete()  # the status URL now answers 404

    expect(page.locator(".report-list")).to_contain_text(
        "no longer available to you", timeout=10_000
    )
    seen = len(polls)
    page.wait_for_timeout(4_500)  # two more polling periods
    assert len(polls) == seen
