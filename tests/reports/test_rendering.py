"""Reports in-process: requests, versions, the content, the network-free fetcher, the pages."""

import copy
import http.server
import threading
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audits.models import AuditEvent
from reports import services
from reports.models import Report
from reports.rendering import html_to_pdf, render_pdf
from rescue.errors import ActionRefusedError
from tests.reports.conftest import sealed_dossier
from tests.world import World, client_for

pytestmark = pytest.mark.django_db


def pdf_pages(report: Report) -> list[str]:
    """The text of each page of the report's PDF, as a reader copying it would get it."""
    with report.file.open("rb") as handle:
        return [page.extract_text() for page in PdfReader(BytesIO(handle.read())).pages]


def squeeze(text: str) -> str:
    """Without any white space: text laid out over several lines compares equal."""
    return "".join(text.split())


def squeeze_spaces(text: str) -> str:
    """Line breaks and runs of spaces as single spaces."""
    return " ".join(text.split())


@pytest.fixture
def dossier(catalogue: None) -> tuple:
    return sealed_dossier()


def test_a_request_is_queued_versioned_and_recorded(dossier: tuple) -> None:
    audit, coordinator = dossier
    report = services.report_request(audit=audit, user=coordinator).report
    assert (report.status, report.version, report.language) == ("queued", 1, "en")
    assert (
        AuditEvent.objects.for_institution(audit.institution_id)
        .filter(audit=audit, action=AuditEvent.Action.REPORT_REQUESTED)
        .exists()
    )
    # While one is pending, another is refused with the reason.
    with pytest.raises(ActionRefusedError, match="still being prepared"):
        services.report_request(audit=audit, user=coordinator)
    services.report_render(report_id=report.pk)
    # Once it is ready, asking again for the same dossier gives it back (test_reuse.py); a
    # report that would read differently (here, in another language) is version 2.
    assert services.report_request(audit=audit, user=coordinator).report == report
    audit.institution.preferred_language = "de"
    audit.institution.save()
    assert services.report_request(audit=audit, user=coordinator).report.version == 2


@pytest.fixture
def concurrent_request(dossier: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another request creates the same version between this one's numbering and its insert,
    as two requests at once can where row locks do nothing (SQLite, in the embedded mode)."""
    audit, _ = dossier
    real_next_version = services._next_version

    def next_version(reports: object) -> int:
        version = real_next_version(reports)
        Report.objects.create(
            institution_id=audit.institution_id,
            audit=audit,
            kind=Report.Kind.DOSSIER,
            language="en",
            version=version,
            requested_by_email="other@example.org",
        )
        return version

    monkeypatch.setattr(services, "_next_version", next_version)


def test_a_version_numbered_twice_at_once_is_refused_with_a_conflict(
    dossier: tuple, concurrent_request: None
) -> None:
    audit, coordinator = dossier
    with pytest.raises(services.ReportConflictError, match="at the same moment") as refused:
        services.report_request(audit=audit, user=coordinator)
    assert isinstance(refused.value, ActionRefusedError)  # every caller shows its message


def test_the_page_and_the_api_answer_409_to_a_version_numbered_twice(
    dossier: tuple, concurrent_request: None
) -> None:
    audit, coordinator = dossier
    client = client_for(coordinator)
    page = client.post(reverse("reports:create", args=[audit.pk]))
    assert page.status_code == 409
    assert "Someone asked for this report at the same moment" in page.content.decode()
    Report.objects.for_institution(audit.institution_id).update(status=Report.Status.FAILED)
    api = client.post(f"/api/v1/audits/{audit.pk}/reports/", {"kind": "dossier"})
    assert api.status_code == 409
    assert "at the same moment" in api.json()["detail"]


def test_a_report_lost_by_the_workers_can_be_asked_for_again(dossier: tuple) -> None:
    audit, coordinator = dossier
    lost = services.report_request(audit=audit, user=coordinator).report
    Report.objects.for_institution(audit.institution_id).filter(pk=lost.pk).update(
        requested_at=timezone.now() - services.STALE_AFTER - timedelta(seconds=1)
    )
    again = services.report_request(audit=audit, user=coordinator).report
    assert again.version == 2
    lost.refresh_from_db()
    assert (lost.status, lost.error) == ("failed", "It was not rendered in time; asked again.")
    # A worker that finally gets to the lost one does nothing.
    assert services.report_render(report_id=lost.pk).status == "failed"


def test_rendering_twice_produces_one_file(dossier: tuple) -> None:
    audit, coordinator = dossier
    report = services.report_request(audit=audit, user=coordinator).report
    first = services.report_render(report_id=report.pk)
    assert first.status == "ready"
    assert first.page_count > 5
    name, digest = first.file.name, first.sha256
    second = services.report_render(report_id=report.pk)  # a second delivery of the task
    assert (second.file.name, second.sha256, second.attempts) == (name, digest, 1)


def test_the_pdf_holds_every_standard_and_the_seal(dossier: tuple) -> None:
    audit, coordinator = dossier
    report = services.report_request(audit=audit, user=coordinator).report
    report = services.report_render(report_id=report.pk)
    pages = pdf_pages(report)
    text = "".join(pages)
    squeezed = squeeze(text)
    assert len(pages) == report.page_count
    assessments = audit.assessments.values_list(
        "standard__code", "standard__title", "narrative", "self_rating"
    )
    assert len(assessments) > 20
    for code, title, narrative, rating in assessments:
        assert code in text
        # The standard's own entry, not only its code in the evidence index: the heading (code
        # then title) and the narrative.
        assert squeeze(f"{code} {title}") in squeezed, code
        assert squeeze(narrative) in squeezed, code
        assert rating == "met"
    assert text.count("Self-rating: Met") == len(assessments)
    # The seal digest on one line: copied from the PDF, it is the 64 digits (cover and index).
    assert text.count(audit.manifest_digest) == 2
    assert "Hospital Report" in text
    assert "Evidence index" in text
    assert "in preparation" not in text


def test_a_draft_dossier_can_be_reported_and_says_it_is_not_sealed(catalogue: None) -> None:
    audit, coordinator = sealed_dossier(submit=False)
    assert not audit.is_sealed
    report = services.report_render(
        report_id=services.report_request(audit=audit, user=coordinator).report.pk
    )
    assert report.status == "ready"
    text = "".join(pdf_pages(report))
    assert "not sealed: the dossier is not submitted" in text
    assert "not yet submitted" in text
    assert "This dossier is in preparation: the content may still change." in squeeze_spaces(text)
    assert "Seal digest of the submitted dossier: not sealed" in squeeze_spaces(text)


@pytest.fixture
def http_server() -> Iterator[tuple[str, list[object]]]:
    """A local HTTP server; every connection to it is recorded (an https one too)."""
    connections: list[object] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    class Server(http.server.HTTPServer):
        def verify_request(self, request: object, client_address: object) -> bool:
            connections.append(client_address)
            return True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", connections
    server.shutdown()


def test_the_http_server_records_connections(http_server: tuple) -> None:
    base, connections = http_server
    with urllib.request.urlopen(f"{base}/style.css", timeout=5) as response:  # noqa: S310
        assert response.read() == b"body { color: red }"
    assert len(connections) == 1


def test_external_resources_are_never_fetched(http_server: tuple) -> None:
    base, connections = http_server
    html = f"""
      <link rel="stylesheet" href="{base}/style.css">
      <style>@import url("{base}/imported.css"); body {{ background: url("{base}/bg.png") }}</style>
      <img src="{base}/logo.png"><img src="file:///etc/passwd"><img src="data:image/png;base64,AA">
      <link rel="stylesheet" href="/static/css/print.css">
      <p>Report body</p>
    """
    rendered = html_to_pdf(html)
    assert rendered.content.startswith(b"%PDF")
    assert connections == []
    refused = " ".join(rendered.refused_urls)
    for url in (f"{base}/style.css", f"{base}/logo.png", "file:///etc/passwd", "data:image"):
        assert url in refused
    assert "print.css" not in refused  # the project's own stylesheet is served


@pytest.fixture
def test_templates(settings: object) -> None:
    """Templates of the tests (tests/reports/templates/) found before the project's."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [Path(__file__).parent / "templates", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


def test_a_report_template_cannot_fetch_anything_either(
    http_server: tuple, test_templates: None
) -> None:
    """Through render_pdf, as the reports are rendered: a template in pdf/ refers to http(s)."""
    base, connections = http_server
    tls = base.replace("http://", "https://")
    rendered = render_pdf(
        "pdf/test_external_resources.html", {"server": base, "tls_server": tls}, language="nl"
    )
    assert "Report body" in "".join(PdfReader(BytesIO(rendered.content)).pages[0].extract_text())
    assert connections == []
    refused = set(rendered.refused_urls)
    assert {f"{base}/style.css", f"{tls}/style.css", f"{base}/logo.png", f"{tls}/logo.png"} <= (
        refused
    )
    assert not [url for url in refused if "print.css" in url]  # pdf/base.html's own stylesheet


def test_page_shows_polling_row_and_download_after_render(dossier: tuple) -> None:
    audit, coordinator = dossier
    client = client_for(coordinator)
    response = client.post(reverse("reports:create", args=[audit.pk]))
    assert response.status_code == 302
    report = Report.objects.for_institution(audit.institution_id).get(audit=audit)
    status_url = reverse("reports:status", args=[audit.pk, report.pk])
    row = client.get(status_url).content.decode()
    assert f'hx-get="{status_url}" hx-trigger="every 2s" hx-swap="outerHTML"' in row
    assert "(PDF)</a>" not in row
    services.report_render(report_id=report.pk)
    row = client.get(status_url).content.decode()
    assert "hx-get" not in row  # the row replaces itself with one that does not poll
    assert "hx-trigger" not in row
    assert "(PDF)</a>" in row
    download = client.get(reverse("reports:download", args=[audit.pk, report.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_failed_report_stops_polling_and_offers_to_try_again(
    dossier: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit, coordinator = dossier
    client = client_for(coordinator)
    create_url = reverse("reports:create", args=[audit.pk])
    client.post(create_url)
    report = Report.objects.for_institution(audit.institution_id).get(audit=audit)
    status_url = reverse("reports:status", args=[audit.pk, report.pk])
    assert 'hx-trigger="every 2s"' in client.get(status_url).content.decode()

    def broken(report: Report) -> None:
        raise ValueError("layout failed")

    monkeypatch.setattr(services, "_renderers", lambda: {Report.Kind.DOSSIER: broken})
    with pytest.raises(ValueError, match="layout failed"):
        services.report_render(report_id=report.pk)
    row = client.get(status_url).content.decode()
    assert "hx-get" not in row
    assert "hx-trigger" not in row
    assert "The report could not be rendered." in row
    assert f'action="{create_url}"' in row
    assert "csrfmiddlewaretoken" in row
    assert "Ask again for the" in row
    assert (
        "Ask again for the"
        in client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    )

    # Trying again asks for version 2; version 1's row no longer offers it.
    assert client.post(create_url, {"kind": "dossier"}).status_code == 302
    assert "Ask again for the" not in client.get(status_url).content.decode()
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert "Ask again for the" not in page
    assert page.count('hx-trigger="every 2s"') == 1  # version 2, pending


def test_pending_report_cannot_be_downloaded(world: World) -> None:
    report = world.report_a
    report.status = Report.Status.RENDERING
    report.save()
    url = reverse("reports:download", args=[world.audit_a.pk, report.pk])
    assert world.client("coordinator_a").get(url).status_code == 404


@pytest.mark.parametrize(
    "lost",
    [
        "deleted",
        ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, "HeadObject"),
        ClientError({"Error": {"Code": "NoSuchKey", "Message": "No such key"}}, "GetObject"),
    ],
    ids=["disk", "s3-head", "s3-get"],
)
def test_a_report_whose_file_is_lost_answers_404_with_a_message(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, lost: object
) -> None:
    report = world.report_a
    if lost == "deleted":
        report.file.storage.delete(report.file.name)
    else:

        def open_lost(*args: object, **kwargs: object) -> None:
            raise lost

        monkeypatch.setattr(FileSystemStorage, "open", open_lost)
    url = reverse("reports:download", args=[world.audit_a.pk, report.pk])
    response = world.client("coordinator_a").get(url)
    assert response.status_code == 404
    assert "The file of Dossier report v1 is missing from the storage" in response.content.decode()
    assert f"report {report.pk}: its file {report.file.name} is missing" in caplog.text


def test_other_storage_errors_are_not_taken_for_a_lost_file(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def open_refused(*args: object, **kwargs: object) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Denied"}}, "GetObject")

    monkeypatch.setattr(FileSystemStorage, "open", open_refused)
    with pytest.raises(ClientError):
        services.report_open(world.report_a)


def test_api_lists_and_queues_reports(world: World) -> None:
    client = world.client("coordinator_a")
    url = f"/api/v1/audits/{world.audit_a.pk}/reports/"
    listed = client.get(url).json()
    assert [r["version"] for r in listed] == [1]
    assert listed[0]["download_url"].endswith("/download/")
    queued = client.post(url, {"kind": "dossier"}, content_type="application/json")
    assert queued.status_code == 202
    assert (queued.json()["version"], queued.json()["status"]) == (2, "queued")
    again = client.post(url, {"kind": "dossier"}, content_type="application/json")
    assert again.status_code == 400
    assert "still being prepared" in again.json()["detail"]
    bad = client.post(url, {"kind": "certificate"}, content_type="application/json")
    assert bad.status_code == 400
    # A contributor sees only their standards: no whole-dossier report.
    assert world.client("contributor_a").post(url, {}).status_code == 403
    assert Report.objects.for_institution(world.institution_a.pk).count() == 2


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        (
            "es",
            ["Informe del dosier", "Índice de evidencias", "Cumplido", "Hospital", "Sin valorar"],
            "Summary",
        ),
        (
            "de",
            ["Dossierbericht", "Nachweisverzeichnis", "Erfüllt", "Krankenhaus", "Noch nicht"],
            "Summary",
        ),
        (
            "nl",
            ["Dossierrapport", "Overzicht van bewijsstukken", "Voldaan", "Ziekenhuis", "Nog niet"],
            "Summary",
        ),
        # No French yet: English throughout.
        ("fr", ["Dossier report", "Evidence index", "Met", "Hospital", "Not rated yet"], "Résumé"),
    ],
)
def test_the_report_speaks_the_institutions_language_where_translated(
    dossier: tuple, language: str, expected: list[str], absent: str
) -> None:
    audit, coordinator = dossier
    audit.institution.preferred_language = language
    audit.institution.save()
    report = services.report_request(audit=audit, user=coordinator).report
    assert report.language == (language if language != "fr" else "en")
    report = services.report_render(report_id=report.pk)
    text = "".join(pdf_pages(report))
    for phrase in expected:
        assert phrase in text
    assert absent not in text


def test_the_report_content_is_read_in_a_constant_number_of_queries(catalogue: None) -> None:
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from reports.dossier import dossier_context  # noqa: PLC0415

    counts = []
    for files in (1, 3):
        audit, _ = sealed_dossier(files_per_standard=files, name=f"Hospital {files}")
        with CaptureQueriesContext(connection) as queries:
            context = dossier_context(audit)
        assert context["counts"]["files"] == files * context["counts"]["standards"]
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8
