"""Asking for a report, and rendering it exactly once whatever the deliveries.

``report_request`` records the request and sends the task once the transaction commits. If the
broker cannot be reached then, the request still succeeds: the report stays queued and
``reports_recover`` (run by Celery beat) sends it again later, as it does for any report left
queued or rendering for longer than a task can run.

Before that, it computes the digest of what the report would show (``reports.dossier``,
``reports.audit``, ``reports.decision``, ``reports.certificate``): when the latest ready report
of the audit and kind (and certificate, for a certificate PDF) that the user may read has the
same digest and its file is still in the storage, that report is the answer (``reused``), and
nothing is recorded or sent. A pending or failed report is never given back. The renderer stores
the digest of the very context it rendered, so a report's digest always describes its PDF, even
if the dossier changed between the request and the rendering.

``report_render`` is what the task runs. It claims the report with a numbered attempt under a row
lock, renders outside any transaction, then stores the file only if its claim is still the
latest and the report is still rendering. A delivery takes a rendering report over only when the
attempt holding it cannot be running any more: it is the same task's (a redelivery after its
worker died, or a retry), or it started longer ago than the hard time limit (the worker would
have killed it). Any other delivery is a duplicate and does nothing. So a task delivered twice,
redelivered after its worker died, or re-sent by the recovery, leaves exactly one ready file.

Only the attempt holding the report records its outcome: an overtaken attempt neither stores nor
fails anything. A transient error (database or storage unreachable) gives the attempt back, so
the task's retries do not use up ``MAX_ATTEMPTS``, which counts interrupted attempts only; on the
task's last retry the report fails instead.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from accounts.models import User
from audits.events import audit_event_record
from audits.models import Audit, AuditEvent
from certification.models import Certificate, Decision
from reports.models import Report
from reports.permissions import AUDIT_REPORT_STATUSES, report_policy
from reports.rendering import RenderedPdf, render_pdf
from rescue.errors import ActionRefusedError
from rescue.files import stored_file_open

try:  # S3 storage (django-storages on boto3): its connection errors are transient too
    from botocore.exceptions import ConnectionError as StorageConnectionError
    from botocore.exceptions import HTTPClientError as StorageHTTPError

    STORAGE_TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
        StorageConnectionError,  # EndpointConnectionError, ConnectTimeoutError, …
        StorageHTTPError,  # ConnectionClosedError, ReadTimeoutError, …
    )
except ImportError:  # pragma: no cover - files on local disk only
    STORAGE_TRANSIENT_ERRORS = ()

logger = logging.getLogger(__name__)

# Errors worth another try after a pause: the database or the storage briefly unreachable.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    *STORAGE_TRANSIENT_ERRORS,
)
PENDING = (Report.Status.QUEUED, Report.Status.RENDERING)
# Languages the report templates are translated into; others fall back to English.
REPORT_LANGUAGES = ("en", "es", "de", "nl")
# Per kind, where its translation is not in every language of REPORT_LANGUAGES yet (a report
# half in one language, half in English, is worse than one in English).
KIND_LANGUAGES: dict[str, tuple[str, ...]] = {
    Report.Kind.AUDIT: ("en", "es"),
    Report.Kind.DECISION: ("en", "es"),
    Report.Kind.CERTIFICATE: ("en", "es"),
}
# Attempts interrupted (worker killed, lost) before the report is given up.
MAX_ATTEMPTS = 3
# A report still pending after this long was lost (no worker ran it): a new request replaces it.
STALE_AFTER = timedelta(minutes=15)
# The recovery re-sends a report nobody has worked on for the hard time limit and this margin.
RECOVER_MARGIN = timedelta(minutes=2)

TOO_LONG = "Rendering took too long; ask again later."
UNAVAILABLE = "The service was unavailable; ask again."
NOT_RENDERED = "The report could not be rendered."


class ReportConflictError(ActionRefusedError):
    """Another request numbered the same version at the same moment (HTTP 409)."""


@dataclass(frozen=True)
class ReportRequestResult:
    """The answer to a request: a new version queued, or the last ready one ``reused`` (the
    input has not changed since it was rendered)."""

    report: Report
    reused: bool = False


@dataclass(frozen=True)
class RenderedReport:
    pdf: RenderedPdf
    input_digest: str  # of the context the PDF was rendered from


def hard_time_limit() -> timedelta:
    """How long a task may run before its worker kills it."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def report_language(audit: Audit, kind: str = Report.Kind.DOSSIER) -> str:
    preferred = audit.institution.preferred_language
    return preferred if preferred in KIND_LANGUAGES.get(kind, REPORT_LANGUAGES) else "en"


def report_input_digest(
    *, audit: Audit, kind: str, language: str, certificate: Certificate | None = None
) -> str:
    """The digest of what a report of ``kind`` about ``audit`` (a certificate PDF: about
    ``certificate``) would show now."""
    from reports.audit import audit_input_digest  # noqa: PLC0415 - keeps imports light
    from reports.certificate import certificate_input_digest  # noqa: PLC0415
    from reports.decision import decision_input_digest  # noqa: PLC0415
    from reports.dossier import dossier_input_digest  # noqa: PLC0415

    if kind == Report.Kind.CERTIFICATE:
        if certificate is None:
            raise ValueError("A certificate PDF is of a certificate.")
        return certificate_input_digest(certificate, language, kind)
    digesters: dict[str, Callable[[Audit, str, str], str]] = {
        Report.Kind.DOSSIER: dossier_input_digest,
        Report.Kind.AUDIT: audit_input_digest,
        Report.Kind.DECISION: decision_input_digest,
    }
    return digesters[kind](audit, language, kind)


def _reusable(reports: QuerySet[Report], digest: str) -> Report | None:
    """The latest ready report, if it shows ``digest`` and its file is still stored."""
    latest = reports.filter(status=Report.Status.READY).order_by("-version").first()
    if latest is None or not latest.input_digest or latest.input_digest != digest:
        return None
    try:
        stored = bool(latest.file) and latest.file.storage.exists(latest.file.name)
    except TRANSIENT_ERRORS:
        logger.exception("report %s: the storage did not answer; a new version is made", latest.pk)
        return None
    if not stored:
        logger.warning("report %s: its file is missing; a new version is made", latest.pk)
        return None
    return latest


@transaction.atomic
def report_request(
    *,
    audit: Audit,
    user: User,
    kind: str = Report.Kind.DOSSIER,
    supersede: bool = False,
    certificate: Certificate | None = None,
) -> ReportRequestResult:
    """Queue a new version of the report (the task is sent once the request is committed), or
    give back the last ready one if what it shows has not changed since.

    ``supersede``: a step that changes what the report is (the release of the draft audit
    report, the final report) fails a version still pending, which may have read the state
    before the step, and queues a new one rather than being refused.

    ``certificate``: the certificate a certificate PDF is of (that kind only), one of
    ``audit``'s; by default the audit's latest (the pages and the API name none: an audit has
    the one certificate its decision issued). Its versions are numbered with the audit's other
    certificate PDFs; the pending version and the one given back are that certificate's."""
    if not report_policy.can(user, audit):
        raise PermissionError(f"{user} may not ask for reports of audit {audit.pk}")
    if kind not in Report.Kind.values:
        raise ActionRefusedError("Unknown report kind.")
    if not report_policy.can(user, audit, kind):
        raise PermissionError(f"{user} may not ask for {kind} reports of audit {audit.pk}")
    certificate = _certificate_for(audit, kind, certificate)
    locked = (
        Audit.objects.for_institution(audit.institution_id)
        .select_for_update()
        .filter(pk=audit.pk)
        .only("pk", "status")
        .first()
    )  # versions are numbered one request at a time
    status = locked.status if locked is not None else audit.status
    if kind == Report.Kind.AUDIT and status not in AUDIT_REPORT_STATUSES:
        raise ActionRefusedError(
            _(
                "The audit report is made once the review is complete: every standard has its "
                "consolidated rating."
            )
        )
    if kind == Report.Kind.DECISION and not _decided(audit):
        raise ActionRefusedError(_("The decision letter is made once the decision is taken."))
    # Numbered per audit and kind; pending and reused per certificate (None: the other kinds).
    reports = Report.objects.for_institution(audit.institution_id).filter(audit=audit, kind=kind)
    same = reports.filter(certificate=certificate)
    pending = same.filter(status__in=PENDING).first()
    if pending is not None and pending.requested_at < timezone.now() - STALE_AFTER:
        report_fail(report_id=pending.pk, message="It was not rendered in time; asked again.")
        pending = None
    if pending is not None and supersede:
        report_fail(
            report_id=pending.pk,
            message=_("Replaced by version %(version)s: the report changed stage meanwhile.")
            % {"version": _next_version(reports)},
        )
        pending = None
    if pending is not None:
        raise ActionRefusedError(
            f"Version {pending.version} of this report is still being prepared; it will be "
            "ready in a moment."
        )
    language = report_language(audit, kind)
    # Read under the audit's row lock, which every change to the dossier takes too.
    digest = report_input_digest(audit=audit, kind=kind, language=language, certificate=certificate)
    # Only a report the user may read is given back (the institution's coordinators never get
    # a preview the review team rendered before the release).
    readable = report_policy.reports_for(user, audit).filter(kind=kind, certificate=certificate)
    reusable = _reusable(readable, digest)
    if reusable is not None:
        return ReportRequestResult(reusable, reused=True)
    version = _next_version(reports)
    try:
        with transaction.atomic():  # a savepoint: a version taken meanwhile leaves no trace
            report = Report.objects.create(
                institution_id=audit.institution_id,
                audit=audit,
                kind=kind,
                certificate=certificate,
                language=language,
                version=version,
                requested_by=user,
                requested_by_email=user.email,
                input_digest=digest,
            )
    except IntegrityError:
        # Where the audit row lock is not enforced (SQLite has no row locks), two requests at
        # the same moment can both number version N: the first one stands.
        logger.info("report v%s of audit %s: asked for twice at once", version, audit.pk)
        raise ReportConflictError(
            "Someone asked for this report at the same moment: that one is being prepared."
        ) from None
    audit_event_record(
        audit=audit,
        actor=user,
        action=AuditEvent.Action.REPORT_REQUESTED,
        object_label=f"{report.get_kind_display()} v{version}",
        # Nothing of the review reaches the institution before the draft is released, not even
        # that a team preview of the audit report was asked for.
        review_only=kind == Report.Kind.AUDIT and not report_policy.audit_report_released(audit),
    )
    # Not delay_on_commit: a broker error must not fail the request once the row is committed.
    transaction.on_commit(partial(report_send, report_id=report.pk))
    return ReportRequestResult(report)


def _certificate_for(
    audit: Audit, kind: str, certificate: Certificate | None
) -> Certificate | None:
    """The certificate a certificate PDF is of: ``certificate`` or the audit's latest, one of
    the audit's and still in force. No other kind is of a certificate."""
    if kind != Report.Kind.CERTIFICATE:
        if certificate is not None:
            raise ActionRefusedError("Only a certificate PDF is of a certificate.")
        return None
    if certificate is None:
        certificate = (
            Certificate.objects.for_institution(audit.institution_id)
            .filter(audit=audit)
            .order_by("-issued_on", "-pk")
            .first()
        )
        if certificate is None:
            raise ActionRefusedError(_("No certificate was issued on this audit."))
    filed_under = certificate.documents_audit()  # Mastery: the audit of its latest base
    if (
        filed_under is None
        or filed_under.pk != audit.pk
        or certificate.institution_id != audit.institution_id
    ):
        raise ActionRefusedError(_("That certificate was not issued on this audit."))
    if not certificate.is_public:
        raise ActionRefusedError(
            _("The certificate is %(status)s: no new PDF of it is made.")
            % {"status": certificate.status_label.lower()}
        )
    return certificate


def _decided(audit: Audit) -> bool:
    return Decision.objects.for_institution(audit.institution_id).filter(audit=audit).exists()


def _next_version(reports: QuerySet[Report]) -> int:
    return (reports.aggregate(n=Max("version"))["n"] or 0) + 1


def report_send(*, report_id: int) -> bool:
    """Send the render task; if the broker is unreachable, log it and leave the report queued."""
    from reports.tasks import render_report  # noqa: PLC0415 - tasks import this module

    try:
        render_report.delay(report_id)
    except BrokerError:
        logger.exception(
            "report %s: the broker is unreachable, the task was not sent; the report stays "
            "queued until the recovery task sends it",
            report_id,
        )
        return False
    return True


def reports_recover() -> list[int]:
    """Send again the reports nobody has worked on for longer than a task may run.

    A queued report whose task was lost (never sent, or dropped by the broker) and a rendering
    one whose worker vanished both get a new delivery; the claim rules make a re-send harmless.
    Returns the ids sent.
    """
    idle_since = timezone.now() - hard_time_limit() - RECOVER_MARGIN
    stuck = Report.unscoped.filter(status__in=PENDING).filter(
        Q(started_at__lt=idle_since) | Q(started_at__isnull=True, requested_at__lt=idle_since)
    )
    sent = [
        pk for pk in stuck.order_by("pk").values_list("pk", flat=True) if report_send(report_id=pk)
    ]
    if sent:
        logger.warning("reports %s were stuck; their tasks were sent again", sent)
    return sent


def _abandoned(report: Report, task_id: str) -> bool:
    """Whether the attempt holding a rendering report cannot be running any more."""
    if task_id and report.task_id == task_id:
        return True  # this task's own earlier run: its worker died, or it is being retried
    return report.started_at is None or report.started_at < timezone.now() - hard_time_limit()


def _claim(report_id: int, task_id: str = "") -> tuple[Report, int] | None:
    with transaction.atomic():
        report = Report.unscoped.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in (Report.Status.READY, Report.Status.FAILED):
            return None  # gone, or done by an earlier delivery
        if report.status == Report.Status.RENDERING and not _abandoned(report, task_id):
            logger.info(
                "report %s: attempt %s is still running, this delivery does nothing",
                report_id,
                report.attempts,
            )
            return None
        if report.attempts >= MAX_ATTEMPTS:
            report.status = Report.Status.FAILED
            report.error = f"Rendering was interrupted {report.attempts} times; ask again."
            report.finished_at = timezone.now()
            report.save(update_fields=["status", "error", "finished_at"])
            return None
        report.attempts += 1
        report.status = Report.Status.RENDERING
        report.started_at = timezone.now()
        report.task_id = task_id
        report.save(update_fields=["attempts", "status", "started_at", "task_id"])
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


def _release(report_id: int, attempt: int) -> bool:
    """Give ``attempt`` back after a transient error: queued again, the attempt not counted."""
    return bool(
        Report.unscoped.filter(
            pk=report_id, status=Report.Status.RENDERING, attempts=attempt
        ).update(status=Report.Status.QUEUED, attempts=attempt - 1, task_id="")
    )


ContextReader = Callable[[Any], dict[str, Any]]
InputReader = Callable[..., dict[str, Any]]


def _audit_of(report: Report) -> Audit:
    return report.audit


def _certificate_of(report: Report) -> Certificate:
    if report.certificate_id is None:
        raise ValueError(f"report {report.pk}: a certificate PDF without its certificate")
    return Certificate.objects.for_institution(report.institution_id).get(pk=report.certificate_id)


def _renderer(
    read_context: ContextReader,
    read_input: InputReader,
    template: str,
    subject: Callable[[Report], Any] = _audit_of,
) -> Callable[[Report], RenderedReport]:
    """Renders a report from the context ``read_context`` reads of its ``subject`` (the audit;
    for a certificate PDF, the certificate)."""
    from reports.dossier import input_digest  # noqa: PLC0415 - keeps imports light

    def render(report: Report) -> RenderedReport:
        with translation.override(report.language):  # labels made in Python, the chart's too
            context = read_context(subject(report))
        digest = input_digest(read_input(context, language=report.language, kind=report.kind))
        pdf = render_pdf(template, context | {"report": report}, language=report.language)
        return RenderedReport(pdf, digest)

    return render


def _renderers() -> dict[str, Callable[[Report], RenderedReport]]:
    from reports.audit import audit_context, audit_input  # noqa: PLC0415
    from reports.certificate import certificate_context, certificate_input  # noqa: PLC0415
    from reports.decision import decision_context, decision_input  # noqa: PLC0415
    from reports.dossier import dossier_context, dossier_input  # noqa: PLC0415

    return {
        Report.Kind.DOSSIER: _renderer(dossier_context, dossier_input, "pdf/dossier.html"),
        Report.Kind.AUDIT: _renderer(audit_context, audit_input, "pdf/audit.html"),
        Report.Kind.DECISION: _renderer(decision_context, decision_input, "pdf/decision.html"),
        Report.Kind.CERTIFICATE: _renderer(
            certificate_context, certificate_input, "pdf/certificate.html", _certificate_of
        ),
    }


def report_render(*, report_id: int, task_id: str = "", last_try: bool = True) -> Report | None:
    """Render the report unless it is done; store the file if this attempt still holds it.

    An error after the claim is recorded for this attempt, then raised again. A transient one
    gives the attempt back for the caller's retry, unless ``last_try``: then the report fails.
    """
    claimed = _claim(report_id, task_id)
    if claimed is None:
        return Report.unscoped.filter(pk=report_id).first()
    report, attempt = claimed

    def store(report: Report) -> None:
        content = rendered.pdf.content
        report.file.save(report.filename, ContentFile(content), save=False)
        report.sha256 = hashlib.sha256(content).hexdigest()
        report.size = len(content)
        report.page_count = rendered.pdf.page_count
        report.input_digest = rendered.input_digest  # what this PDF shows, read at rendering
        report.status = Report.Status.READY
        report.error = ""

    try:
        rendered = _renderers()[report.kind](
            Report.unscoped.select_related("audit__institution").get(pk=report.pk)
        )
        stored = _finish(report_id, attempt, store)
    except TRANSIENT_ERRORS:
        if last_try:
            _record(report_fail, report_id=report_id, attempt=attempt, message=UNAVAILABLE)
        else:
            _record(_release, report_id=report_id, attempt=attempt)
        raise
    except Exception as exc:
        message = TOO_LONG if isinstance(exc, SoftTimeLimitExceeded) else NOT_RENDERED
        _record(report_fail, report_id=report_id, attempt=attempt, message=message)
        raise
    return stored or Report.unscoped.get(pk=report_id)


def _record(action: Callable[..., bool], *, report_id: int, **kwargs: object) -> None:
    """Record an attempt's outcome after an error; if the database is down too, log it (the
    report stays pending and the recovery sends it again)."""
    try:
        action(report_id=report_id, **kwargs)
    except DatabaseError:
        logger.exception("report %s: the outcome of the attempt could not be recorded", report_id)


def report_fail(
    *, report_id: int, message: str, attempt: int | None = None, task_id: str | None = None
) -> bool:
    """Record a rendering that cannot succeed (the message is for the person who asked).

    With ``attempt``, or ``task_id`` (all a worker knows of a task it killed at the hard time
    limit), the report fails only while that attempt holds it: an overtaken or duplicate
    delivery leaves the current attempt alone. Without either, any pending report fails.
    Returns whether the report failed.
    """
    reports = Report.unscoped.filter(pk=report_id, status__in=PENDING)
    if attempt is not None:
        reports = reports.filter(status=Report.Status.RENDERING, attempts=attempt)
    if task_id is not None:
        if not task_id:
            return False
        reports = reports.filter(status=Report.Status.RENDERING, task_id=task_id)
    failed = reports.update(
        status=Report.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )
    return bool(failed)


def report_open(report: Report) -> File:
    """The report's file, open for reading; StoredFileMissingError if the storage lost it."""
    if report.status != Report.Status.READY or not report.file:
        raise ActionRefusedError("The report is not ready yet.")
    return stored_file_open(report.file, label=f"report {report.pk}")
