"""Asking for a report, and rendering it exactly once whatever the deliveries.

``report_request`` records the request and queues the task when the transaction commits.
``report_render`` is what the task runs. It claims the report with a numbered attempt under a row
lock, renders outside any transaction, then stores the file only if its claim is still the
latest and the report is still rendering. A task delivered twice, or redelivered after its worker
died mid-render, therefore leaves exactly one ready file; a stale attempt discards its work.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent
from reports.models import Report
from reports.permissions import report_policy
from reports.rendering import RenderedPdf, render_pdf
from rescue.errors import ActionRefusedError

logger = logging.getLogger(__name__)

# Languages the report templates are translated into; others fall back to English.
REPORT_LANGUAGES = ("en", "es", "de", "nl")
MAX_ATTEMPTS = 3
# A report still pending after this long was lost (no worker ran it): a new request replaces it.
STALE_AFTER = timedelta(minutes=15)


def report_language(audit: Audit) -> str:
    preferred = audit.institution.preferred_language
    return preferred if preferred in REPORT_LANGUAGES else "en"


@transaction.atomic
def report_request(*, audit: Audit, user: User, kind: str = Report.Kind.DOSSIER) -> Report:
    """Queue a new version of the report; the task starts once the request is committed."""
    if not report_policy.can(user, audit):
        raise PermissionError(f"{user} may not ask for reports of audit {audit.pk}")
    if kind not in Report.Kind.values:
        raise ActionRefusedError("Unknown report kind.")
    Audit.objects.for_institution(audit.institution_id).select_for_update().filter(
        pk=audit.pk
    ).first()  # versions are numbered one request at a time
    reports = Report.objects.for_institution(audit.institution_id).filter(audit=audit, kind=kind)
    pending = reports.filter(status__in=[Report.Status.QUEUED, Report.Status.RENDERING]).first()
    if pending is not None and pending.requested_at < timezone.now() - STALE_AFTER:
        report_fail(report_id=pending.pk, message="It was not rendered in time; asked again.")
        pending = None
    if pending is not None:
        raise ActionRefusedError(
            f"Version {pending.version} of this report is still being prepared; it will be "
            "ready in a moment."
        )
    version = (reports.aggregate(n=Max("version"))["n"] or 0) + 1
    report = Report.objects.create(
        institution_id=audit.institution_id,
        audit=audit,
        kind=kind,
        language=report_language(audit),
        version=version,
        requested_by=user,
        requested_by_email=user.email,
    )
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.REPORT_REQUESTED,
        object_label=f"{report.get_kind_display()} v{version}",
    )
    from reports.tasks import render_report  # noqa: PLC0415 - tasks import this module

    render_report.delay_on_commit(report.pk)
    return report


def _claim(report_id: int) -> tuple[Report, int] | None:
    with transaction.atomic():
        report = Report.unscoped.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in (Report.Status.READY, Report.Status.FAILED):
            return None  # gone, or done by an earlier delivery
        if report.attempts >= MAX_ATTEMPTS:
            report.status = Report.Status.FAILED
            report.error = f"Rendering was interrupted {report.attempts} times; ask again."
            report.finished_at = timezone.now()
            report.save(update_fields=["status", "error", "finished_at"])
            return None
        report.attempts += 1
        report.status = Report.Status.RENDERING
        report.started_at = timezone.now()
        report.save(update_fields=["attempts", "status", "started_at"])
        return report, report.attempts


def _finish(report_id: int, attempt: int, update: Callable[[Report], None]) -> Report | None:
    """Apply ``update`` if ``attempt`` still holds the report; None when a later one does."""
    with transaction.atomic():
        report = Report.unscoped.select_for_update().get(pk=report_id)
        if report.attempts != attempt or report.status != Report.Status.RENDERING:
            logger.info("report %s: attempt %s is stale, its result is dropped", report_id, attempt)
            return None
        update(report)
        report.finished_at = timezone.now()
        report.save()
        return report


def _renderers() -> dict[str, Callable[[Report], RenderedPdf]]:
    from reports.dossier import dossier_context  # noqa: PLC0415 - keeps imports light

    def dossier(report: Report) -> RenderedPdf:
        context = dossier_context(report.audit) | {"report": report}
        return render_pdf("pdf/dossier.html", context, language=report.language)

    return {Report.Kind.DOSSIER: dossier}


def report_render(*, report_id: int) -> Report | None:
    """Render the report unless it is done; store the file if this attempt still holds it."""
    claimed = _claim(report_id)
    if claimed is None:
        return Report.unscoped.filter(pk=report_id).first()
    report, attempt = claimed
    rendered = _renderers()[report.kind](
        Report.unscoped.select_related("audit__institution").get(pk=report.pk)
    )

    def store(report: Report) -> None:
        report.file.save(report.filename, ContentFile(rendered.content), save=False)
        report.sha256 = hashlib.sha256(rendered.content).hexdigest()
        report.size = len(rendered.content)
        report.page_count = rendered.page_count
        report.status = Report.Status.READY
        report.error = ""

    return _finish(report_id, attempt, store) or Report.unscoped.get(pk=report_id)


def report_fail(*, report_id: int, message: str) -> None:
    """Record a rendering that cannot succeed (the message is for the person who asked)."""
    with transaction.atomic():
        Report.unscoped.filter(
            pk=report_id, status__in=[Report.Status.QUEUED, Report.Status.RENDERING]
        ).update(status=Report.Status.FAILED, error=message[:2000], finished_at=timezone.now())


def report_open(report: Report):
    if report.status != Report.Status.READY or not report.file:
        raise ActionRefusedError("The report is not ready yet.")
    return report.file.open("rb")
