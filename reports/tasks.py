"""Celery tasks of the reports: they take ids, never objects, and are safe to run twice.

Their results are not kept (``ignore_result``): the ``Report`` row is the state. Sending a task
therefore touches only the broker, and an unreachable Redis fails fast with a broker error that
``report_send`` handles (with a result backend, the sender would first retry the Redis result
store for 20 seconds, then raise an error that asks to restart the process).
"""

import logging
from typing import Any

from celery import Task, shared_task
from celery.contrib.django.task import DjangoTask
from celery.exceptions import TimeLimitExceeded
from django.db import DatabaseError, close_old_connections, connection

from reports.services import (
    TOO_LONG,
    TRANSIENT_ERRORS,
    report_fail,
    report_render,
    reports_recover,
)

logger = logging.getLogger(__name__)


class RenderReportTask(DjangoTask):
    def on_failure(
        self, exc: Exception, task_id: str, args: tuple, kwargs: dict, einfo: Any
    ) -> None:
        """Fail the report of a task its worker killed at the hard time limit.

        The worker calls this in its main process, the task's own process being gone; the task
        knew which attempt it held, this hook knows only the task id. Other failures were
        recorded by the service for their attempt already.
        """
        if not isinstance(exc, TimeLimitExceeded):
            return
        report_id = kwargs.get("report_id", args[0] if args else None)
        if report_id is None:
            return
        if not connection.in_atomic_block:
            close_old_connections()  # the main process keeps its connection for long
        try:
            failed = report_fail(report_id=report_id, task_id=task_id, message=TOO_LONG)
        except DatabaseError:
            logger.exception("report %s: killed at the hard time limit, not recorded", report_id)
            return
        logger.warning(
            "report %s: task %s killed at the hard time limit (%s)",
            report_id,
            task_id,
            "report failed" if failed else "a later attempt holds the report",
        )


@shared_task(
    bind=True,
    base=RenderReportTask,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def render_report(self: Task, report_id: int) -> str:
    """Render one report; a no-op when an earlier delivery finished it or another renders it."""
    try:
        report = report_render(
            report_id=report_id,
            task_id=self.request.id or "",
            last_try=self.request.retries >= self.max_retries,
        )
    except TRANSIENT_ERRORS:
        raise  # retried after a pause; the service gave the attempt back (or, last, failed it)
    except Exception:
        logger.exception("report %s: rendering failed", report_id)
        return "failed"  # the service recorded it on the report
    return report.status if report else "missing"


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def reports_recover_task() -> int:
    """Run by Celery beat: send again the reports left queued or rendering too long."""
    return len(reports_recover())
