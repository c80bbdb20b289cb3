"""Reports through real Celery worker processes on the local Redis.

These tests commit their data (the worker is another process with its own connection), so they
use ``transactional_db``; each worker listens on a queue of the test's own.
"""

import time
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports.models import Report
from reports.services import TOO_LONG
from reports.tasks import render_report, reports_recover_task
from tests.reports.conftest import sealed_dossier
from tests.reports.worker import Worker
from tests.world import client_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]


def wait_for(report_id: int, condition: Callable[[Report], bool], worker: Worker) -> Report:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        report = Report.unscoped.get(pk=report_id)
        if condition(report):
            return report
        time.sleep(0.1)
    raise AssertionError(f"report {report_id} is {report.status}; worker log:\n{worker.output()}")


def report_files(report: Report) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "reports" / str(report.institution_id)
    return sorted((folder / str(report.audit_id)).glob("*.pdf"))


def test_report_asked_for_on_the_page_is_rendered_by_a_worker(worker_factory: Callable) -> None:
    audit, coordinator = sealed_dossier()
    worker = worker_factory()
    client = client_for(coordinator)
    assert client.post(reverse("reports:create", args=[audit.pk])).status_code == 302
    report = Report.objects.for_institution(audit.institution_id).get(audit=audit)
    report = wait_for(report.pk, lambda r: r.status == "ready", worker)

    response = client.get(reverse("reports:download", args=[audit.pk, report.pk]))
    content = b"".join(response.streaming_content)
    reader = PdfReader(BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    for code in audit.assessments.values_list("standard__code", flat=True):
        assert code in text
    assert text.count(audit.manifest_digest) == 2  # on one line, cover and index
    assert len(reader.pages) == report.page_count
    assert report_files(report) == [Path(report.file.path)]


def test_a_worker_killed_mid_render_leaves_exactly_one_report(worker_factory: Callable) -> None:
    audit, coordinator = sealed_dossier()
    slow = worker_factory(app="tests.reports.slow_worker", RESCUE_TEST_RENDER_PAUSE="60")
    client_for(coordinator).post(reverse("reports:create", args=[audit.pk]))
    report = Report.objects.for_institution(audit.institution_id).get(audit=audit)
    wait_for(report.pk, lambda r: r.status == "rendering" and r.attempts == 1, slow)
    time.sleep(1)  # well into the render (it pauses 60 s before storing)
    slow.kill()
    assert Report.unscoped.get(pk=report.pk).status == "rendering"
    assert report_files(report) == []

    # A new worker takes the unacknowledged task again once its visibility timeout (2 s) passes.
    worker = worker_factory()
    report = wait_for(report.pk, lambda r: r.status == "ready", worker)
    assert report.attempts == 2
    files = report_files(report)
    assert files == [Path(report.file.path)]
    assert files[0].read_bytes().startswith(b"%PDF")
    assert Report.unscoped.filter(audit=audit).count() == 1
    # Once ready, another delivery changes nothing.
    time.sleep(3)
    again = Report.unscoped.get(pk=report.pk)
    assert (again.attempts, again.file.name, again.sha256) == (2, report.file.name, report.sha256)


def test_a_task_killed_at_the_hard_time_limit_fails_its_report(
    worker_factory: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker kills the task's process and acknowledges it: the report must not stay
    "rendering" for ever. The render pauses through the soft limit, as one stuck in C code."""
    # The time limits travel in the message, from the sender's settings.
    monkeypatch.setattr(render_report, "soft_time_limit", 8)
    monkeypatch.setattr(render_report, "time_limit", 10)
    monkeypatch.setattr(render_report, "_exec_options", None)
    audit, coordinator = sealed_dossier()
    slow = worker_factory(
        app="tests.reports.slow_worker",
        RESCUE_TEST_RENDER_PAUSE="60",
        RESCUE_TEST_IGNORE_SOFT_LIMIT="1",
        CELERY_TASK_SOFT_TIME_LIMIT="8",
        CELERY_TASK_TIME_LIMIT="10",
    )
    client_for(coordinator).post(reverse("reports:create", args=[audit.pk]))
    report = Report.objects.for_institution(audit.institution_id).get(audit=audit)
    report = wait_for(report.pk, lambda r: r.status == "failed", slow)
    assert (report.error, report.attempts) == (TOO_LONG, 1)
    assert "Hard time limit (10s) exceeded" in slow.output()
    assert report_files(report) == []


def test_a_report_whose_task_could_not_be_sent_is_rendered_after_the_recovery(
    worker_factory: Callable, broker_down: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit, coordinator = sealed_dossier()
    client = client_for(coordinator)
    assert client.post(reverse("reports:create", args=[audit.pk])).status_code == 302
    report = Report.objects.for_institution(audit.institution_id).get(audit=audit)
    monkeypatch.undo()  # Redis is back; the report has waited longer than a task may run
    Report.unscoped.filter(pk=report.pk).update(requested_at=timezone.now() - timedelta(hours=1))
    worker = worker_factory()
    assert reports_recover_task() == 1
    report = wait_for(report.pk, lambda r: r.status == "ready", worker)
    assert (report.attempts, report_files(report)) == (1, [Path(report.file.path)])
