"""Render attempts: which delivery may take a report over, which may fail it, what a retry costs.

Deliveries are told apart by their task id, as the worker gives them; the task runs eagerly here,
retries included (an eager retry runs at once).
"""

from collections.abc import Callable
from datetime import timedelta

import pytest
from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError
from django.utils import timezone

from reports import services, tasks
from reports.models import Report
from tests.reports.conftest import sealed_dossier

pytestmark = pytest.mark.django_db
S3 = "https://s3.example.org/reports"


@pytest.fixture
def report(catalogue: None) -> Report:
    audit, coordinator = sealed_dossier()
    return services.report_request(audit=audit, user=coordinator).report


@pytest.fixture
def eager_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors stay in the eager result instead of raising, as on a worker."""
    monkeypatch.setitem(tasks.render_report.app.conf, "task_eager_propagates", False)


def past_the_time_limit(report: Report) -> None:
    """The attempt holding the report started longer ago than a task may run."""
    Report.unscoped.filter(pk=report.pk).update(
        started_at=timezone.now() - services.hard_time_limit() - timedelta(seconds=1)
    )


def test_a_running_attempt_is_taken_over_only_once_it_cannot_be_running(report: Report) -> None:
    assert services._claim(report.pk, "task-1")[1] == 1
    # Another delivery (a duplicate message) while attempt 1 may still run: it does nothing.
    assert services._claim(report.pk, "task-2") is None
    # The same task delivered again (its worker died, the broker redelivered it): it takes over.
    assert services._claim(report.pk, "task-1")[1] == 2
    # Past the hard time limit the worker has killed attempt 2: any delivery takes over.
    past_the_time_limit(report)
    assert services._claim(report.pk, "task-3")[1] == 3
    report.refresh_from_db()
    assert (report.status, report.attempts, report.task_id) == ("rendering", 3, "task-3")


def test_a_stale_attempt_drops_its_result(report: Report) -> None:
    """Attempt 1 is overtaken by attempt 2 (its worker was thought dead): only 2 stores."""
    _, attempt_1 = services._claim(report.pk, "task-1")
    _, attempt_2 = services._claim(report.pk, "task-1")
    assert (attempt_1, attempt_2) == (1, 2)
    assert services._finish(report.pk, attempt_1, lambda r: None) is None
    stored = services._finish(report.pk, attempt_2, lambda r: setattr(r, "status", "ready"))
    assert stored is not None
    assert stored.status == "ready"


def test_a_report_interrupted_too_often_fails_with_a_message(report: Report) -> None:
    for _ in range(services.MAX_ATTEMPTS):
        services._claim(report.pk, "task-1")
    assert services.report_render(report_id=report.pk, task_id="task-1").status == "failed"
    report.refresh_from_db()
    assert "interrupted 3 times" in report.error


def test_only_the_attempt_holding_the_report_fails_it(report: Report) -> None:
    _, first = services._claim(report.pk, "task-1")
    past_the_time_limit(report)
    _, second = services._claim(report.pk, "task-2")
    assert not services.report_fail(report_id=report.pk, attempt=first, message="old attempt")
    assert not services.report_fail(report_id=report.pk, task_id="task-1", message="old task")
    assert not services.report_fail(report_id=report.pk, task_id="", message="no task")
    report.refresh_from_db()
    assert (report.status, report.error, report.attempts) == ("rendering", "", 2)
    assert services.report_fail(report_id=report.pk, attempt=second, message="It broke.")
    report.refresh_from_db()
    assert (report.status, report.error) == ("failed", "It broke.")


def overtaken_while_rendering(report: Report, error: Exception) -> Callable:
    """A renderer during which a later delivery takes the report over, then ``error``."""

    def render(_: Report) -> None:
        past_the_time_limit(report)
        assert services._claim(report.pk, "task-2") is not None
        raise error

    return render


@pytest.mark.parametrize(
    "error", [ValueError("layout failed"), SoftTimeLimitExceeded()], ids=["raises", "times out"]
)
def test_an_overtaken_delivery_that_fails_leaves_the_current_attempt_alone(
    report: Report, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    renderer = overtaken_while_rendering(report, error)
    monkeypatch.setattr(services, "_renderers", lambda: {Report.Kind.DOSSIER: renderer})
    assert tasks.render_report.apply(args=[report.pk], task_id="task-1").get() == "failed"
    report.refresh_from_db()
    assert (report.status, report.error, report.attempts, report.task_id) == (
        "rendering",
        "",
        2,
        "task-2",
    )


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ValueError("layout failed"), services.NOT_RENDERED),
        (SoftTimeLimitExceeded(), services.TOO_LONG),
    ],
    ids=["raises", "times out"],
)
def test_the_attempt_holding_the_report_fails_it_with_a_message(
    report: Report, monkeypatch: pytest.MonkeyPatch, error: Exception, message: str
) -> None:
    def render(_: Report) -> None:
        raise error

    monkeypatch.setattr(services, "_renderers", lambda: {Report.Kind.DOSSIER: render})
    assert tasks.render_report.apply(args=[report.pk], task_id="task-1").get() == "failed"
    report.refresh_from_db()
    assert (report.status, report.error) == ("failed", message)


def test_a_task_killed_at_the_hard_time_limit_fails_the_report_it_holds(report: Report) -> None:
    services._claim(report.pk, "task-1")
    # What the worker's main process calls once it has killed the task's process.
    tasks.render_report.on_failure(TimeLimitExceeded(180), "task-1", (report.pk,), {}, None)
    report.refresh_from_db()
    assert (report.status, report.error) == ("failed", services.TOO_LONG)


def test_a_task_killed_at_the_hard_time_limit_leaves_a_later_attempt_alone(
    report: Report,
) -> None:
    services._claim(report.pk, "task-1")
    past_the_time_limit(report)
    services._claim(report.pk, "task-2")
    tasks.render_report.on_failure(TimeLimitExceeded(180), "task-1", (report.pk,), {}, None)
    # Other failures were recorded by the service for their attempt: the hook leaves them.
    tasks.render_report.on_failure(ValueError("boom"), "task-2", (report.pk,), {}, None)
    report.refresh_from_db()
    assert (report.status, report.error, report.task_id) == ("rendering", "", "task-2")


def test_a_transient_error_before_the_claim_is_retried(
    report: Report, monkeypatch: pytest.MonkeyPatch, eager_retries: None
) -> None:
    calls: list[int] = []
    real_render = services.report_render

    def flaky(**kwargs: object) -> Report | None:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database restarted")
        return real_render(**kwargs)

    monkeypatch.setattr(tasks, "report_render", flaky)
    assert tasks.render_report.apply(args=[report.pk]).get() == "ready"
    assert len(calls) == 2  # one failure, one retry


def failing_after_the_claim(
    monkeypatch: pytest.MonkeyPatch, where: str, error: Exception, times: int
) -> list[int]:
    """Make the render (database) or the storing (S3) fail ``times`` times, after the claim."""
    calls: list[int] = []

    def fail_first(real: Callable) -> Callable:
        def wrapper(*args: object, **kwargs: object) -> object:
            calls.append(Report.unscoped.get().attempts)  # the attempt claimed for this run
            if len(calls) <= times:
                raise error
            return real(*args, **kwargs)

        return wrapper

    if where == "render":
        renderers = services._renderers
        monkeypatch.setattr(
            services,
            "_renderers",
            lambda: {kind: fail_first(render) for kind, render in renderers().items()},
        )
    else:
        monkeypatch.setattr(FileSystemStorage, "_save", fail_first(FileSystemStorage._save))
    return calls


TRANSIENT_AFTER_CLAIM = [
    ("render", OperationalError("the database restarted")),
    ("store", EndpointConnectionError(endpoint_url=S3)),
    ("store", ConnectionClosedError(endpoint_url=S3)),
    ("store", ReadTimeoutError(endpoint_url=S3)),
]


@pytest.mark.parametrize(("where", "error"), TRANSIENT_AFTER_CLAIM)
def test_a_transient_error_after_the_claim_gives_the_attempt_back(
    report: Report,
    monkeypatch: pytest.MonkeyPatch,
    eager_retries: None,
    where: str,
    error: Exception,
) -> None:
    """More transient failures than MAX_ATTEMPTS: the retries still get to render it."""
    times = services.MAX_ATTEMPTS + 1
    calls = failing_after_the_claim(monkeypatch, where, error, times)
    assert tasks.render_report.apply(args=[report.pk]).get() == "ready"
    assert calls == [1] * (times + 1)  # every run claimed attempt 1 again
    report.refresh_from_db()
    assert (report.status, report.attempts, report.error) == ("ready", 1, "")
    assert report.file.read().startswith(b"%PDF")


@pytest.mark.parametrize(("where", "error"), TRANSIENT_AFTER_CLAIM)
def test_transient_errors_after_the_claim_fail_the_report_on_the_last_retry(
    report: Report,
    monkeypatch: pytest.MonkeyPatch,
    eager_retries: None,
    where: str,
    error: Exception,
) -> None:
    calls = failing_after_the_claim(monkeypatch, where, error, times=100)
    result = tasks.render_report.apply(args=[report.pk])
    assert result.failed()
    assert len(calls) == tasks.render_report.max_retries + 1
    report.refresh_from_db()
    assert (report.status, report.error, report.attempts) == ("failed", services.UNAVAILABLE, 1)
    assert not report.file
