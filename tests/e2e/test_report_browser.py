"""A coordinator asks for the dossier report on the audit page, watches the row while a real
Celery worker renders it, and downloads the PDF."""

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.test_dossier_browser import PASSWORD
from tests.reports.conftest import celery_queue, sealed_dossier, worker_factory

__all__ = ["celery_queue", "worker_factory"]  # fixtures, used by name

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]


def test_the_coordinator_downloads_the_dossier_report_rendered_by_a_worker(
    page: Page, live_server: object, worker_factory: Callable, tmp_path: Path
) -> None:
    audit, coordinator = sealed_dossier()
    coordinator.set_password(PASSWORD)
    coordinator.save()
    worker = worker_factory()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", coordinator.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{base}/audits/{audit.pk}/")

    page.click("text=Generate the dossier report (PDF)")
    row = page.locator(".report-row").first
    expect(row).to_contain_text("Dossier report v1")
    try:
        expect(row.get_by_role("link", name="Download v")).to_be_visible(timeout=90_000)
    except AssertionError:
        raise AssertionError(f"not ready; worker log:\n{worker.output()}") from None
    with page.expect_download() as download:
        row.get_by_role("link", name="Download v").click()
    path = tmp_path / "report.pdf"
    download.value.save_as(path)

    assert download.value.suggested_filename.endswith("-v1.pdf")
    reader = PdfReader(BytesIO(path.read_bytes()))
    text = "".join(p.extract_text() for p in reader.pages)
    assert audit.manifest_digest in text
    for code in audit.assessments.values_list("standard__code", flat=True):
        assert code in text
    expect(row).to_contain_text(f"{len(reader.pages)} pages")
