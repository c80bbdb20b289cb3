"""Reports whose task was lost: the request survives a broker outage, the recovery sends again.

``reports_recover_task`` is called directly here; the tasks it sends go to a queue of the test's
own (``celery_queue``), where they are counted.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit
from reports import services
from reports.models import Report
from reports.tasks import render_report, reports_recover_task
from rescue.celery import app as celery_app
from tests.reports.conftest import sealed_dossier
from tests.world import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(catalogue: None) -> tuple:
    return sealed_dossier()


def queued_tasks(queue: str) -> int:
    with celery_app.connection_for_write() as connection:
        return connection.default_channel._size(queue)


def test_a_report_asked_for_while_the_broker_is_down_stays_queued(
    dossier: tuple, broker_down: None, django_capture_on_commit_callbacks, caplog
) -> None:
    audit, coordinator = dossier
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("reports:create", args=[audit.pk]))
    assert len(callbacks) == 1  # the send ran, and failed
    assert response.status_code == 302
    report = Report.objects.for_institution(audit.institution_id).get(audit=audit)
    assert (report.status, report.attempts) == ("queued", 0)
    assert "the broker is unreachable, the task was not sent" in caplog.text
    page = client.get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert f'id="report-{report.pk}"' in page
    assert "Queued" in page
    # Through the API too (once that one is given up).
    services.report_fail(report_id=report.pk, message="Given up.")
    with django_capture_on_commit_callbacks(execute=True):
        api = client.post(f"/api/v1/audits/{audit.pk}/reports/", {"kind": "dossier"})
    assert api.status_code == 202
    assert (api.json()["version"], api.json()["status"]) == (2, "queued")


def make_report(audit: Audit, version: int, status: str, **times: object) -> Report:
    report = Report.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        kind=Report.Kind.DOSSIER,
        language="en",
        version=version,
        status=status,
        attempts=1 if times.get("started_at") else 0,
        requested_by_email="coord@example.org",
    )
    Report.unscoped.filter(pk=report.pk).update(**times)
    return report


def test_the_recovery_sends_again_the_reports_nobody_works_on(
    dossier: tuple, celery_queue: str
) -> None:
    audit, _ = dossier
    now = timezone.now()
    idle = services.hard_time_limit() + services.RECOVER_MARGIN + timedelta(seconds=5)
    long_ago = now - idle
    lost = make_report(audit, 1, "queued", requested_at=long_ago)
    given_back = make_report(audit, 2, "queued", requested_at=long_ago, started_at=long_ago)
    abandoned = make_report(audit, 3, "rendering", requested_at=long_ago, started_at=long_ago)
    make_report(audit, 4, "queued", requested_at=now - timedelta(seconds=30))  # just asked
    make_report(audit, 5, "rendering", requested_at=long_ago, started_at=now)  # being rendered
    make_report(audit, 6, "ready", requested_at=long_ago, started_at=long_ago)
    make_report(audit, 7, "failed", requested_at=long_ago, started_at=long_ago)
    before = list(Report.unscoped.order_by("pk").values())

    assert reports_recover_task() == 3
    assert queued_tasks(celery_queue) == 3
    assert services.reports_recover() == [lost.pk, given_back.pk, abandoned.pk]
    assert queued_tasks(celery_queue) == 6
    assert list(Report.unscoped.order_by("pk").values()) == before  # sending changes no row

    # A delivery of the re-sent task takes the abandoned attempt over; the others do nothing.
    for _ in range(2):
        assert services.report_render(report_id=abandoned.pk, task_id="resent").status == "ready"
    abandoned.refresh_from_db()
    assert (abandoned.attempts, abandoned.task_id) == (2, "resent")


def test_the_recovery_leaves_the_reports_queued_while_the_broker_is_down(
    dossier: tuple, broker_down: None, caplog
) -> None:
    audit, _ = dossier
    long_ago = timezone.now() - timedelta(hours=1)
    report = make_report(audit, 1, "queued", requested_at=long_ago)
    assert reports_recover_task() == 0
    report.refresh_from_db()
    assert report.status == "queued"
    assert f"report {report.pk}: the broker is unreachable" in caplog.text


def test_celery_beat_runs_the_recovery_more_often_than_a_report_may_wait() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["reports-recover"]
    assert celery_app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert entry["task"] == reports_recover_task.name
    assert entry["task"] in celery_app.tasks
    cutoff = services.hard_time_limit() + services.RECOVER_MARGIN
    assert 0 < entry["schedule"] <= cutoff.total_seconds()
    assert entry["options"]["expires"] <= entry["schedule"]  # runs do not pile up
    assert render_report.ignore_result  # sending touches the broker only
