"""Celery tasks of the reports: they take ids, never objects, and are safe to run twice."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from reports.services import report_fail, report_render

logger = logging.getLogger(__name__)

# Errors worth another try after a pause: the database or the storage briefly unreachable.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=5,
)
def render_report(self, report_id: int) -> str:
    """Render one report; a no-op when an earlier delivery already finished it."""
    try:
        report = report_render(report_id=report_id)
    except SoftTimeLimitExceeded:
        report_fail(report_id=report_id, message="Rendering took too long; ask again later.")
        return "failed"
    except TRANSIENT:
        if self.request.retries >= self.max_retries:
            report_fail(report_id=report_id, message="The service was unavailable; ask again.")
        raise
    except Exception:
        logger.exception("report %s: rendering failed", report_id)
        report_fail(report_id=report_id, message="The report could not be rendered.")
        return "failed"
    return report.status if report else "missing"
