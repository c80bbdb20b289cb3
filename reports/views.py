"""Report pages: ask for a report, follow its status (htmx polling), download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.permissions import AuditAction, audit_policy
from audits.views_dossier import dashboard_page
from reports.models import Report
from reports.permissions import AUDIT_REPORT_REFUSAL, report_policy
from reports.services import (
    ReportConflictError,
    report_open,
    report_request,
)
from rescue.errors import ActionRefusedError
from rescue.files import StoredFileMissingError, private_attachment
from rescue.http import AuthenticatedHttpRequest


@login_required
@require_POST
def report_create(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    if not report_policy.can(request.user, audit):
        messages.error(request, _("Reports show the whole dossier: ask a coordinator for one."))
        return dashboard_page(request, audit, status=403)
    kind = request.POST.get("kind", Report.Kind.DOSSIER)
    if kind in Report.Kind.values and not report_policy.can(request.user, audit, kind):
        messages.error(request, str(AUDIT_REPORT_REFUSAL))
        return dashboard_page(request, audit, status=403)
    try:
        result = report_request(audit=audit, user=request.user, kind=kind)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return dashboard_page(
            request, audit, status=409 if isinstance(exc, ReportConflictError) else 400
        )
    report = result.report
    if result.reused:
        messages.info(
            request,
            _("Nothing has changed since version %(version)s of this report: here it is.")
            % {"version": report.version},
        )
        return redirect(f"{audit_url(audit.pk)}#report-{report.pk}")
    messages.success(
        request,
        _("%(kind)s v%(version)s is being prepared.")
        % {"kind": report.get_kind_display(), "version": report.version},
    )
    return redirect(f"{audit_url(audit.pk)}#reports")


def audit_url(audit_id: int) -> str:
    return reverse("audits:detail", args=[audit_id])


@login_required
def report_status(request: AuthenticatedHttpRequest, audit_id: int, report_id: int) -> HttpResponse:
    """One report's row: while pending, it asks for itself every 2 seconds (htmx); the row of a
    finished report has no trigger, so the polling stops. A failed latest one offers a retry."""
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    report = report_policy.get_or_404(request.user, audit, report_id)
    retry = report.status == Report.Status.FAILED and not (
        report_policy.reports_for(request.user, audit)
        .filter(kind=report.kind, version__gt=report.version)
        .exists()
    )
    context = {"audit": audit, "report": report, "retry": retry}
    return render(request, "reports/partials/report_row.html", context)


@login_required
def report_download(
    request: AuthenticatedHttpRequest, audit_id: int, report_id: int
) -> HttpResponseBase:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    report = report_policy.get_or_404(request.user, audit, report_id)
    try:
        handle = report_open(report)
    except ActionRefusedError:
        raise Http404(_("The report is not ready.")) from None
    except StoredFileMissingError:
        messages.error(
            request,
            _(
                "The file of %(kind)s v%(version)s is missing from the storage (the incident is "
                "logged): generate a new version."
            )
            % {"kind": report.get_kind_display(), "version": report.version},
        )
        return dashboard_page(request, audit, status=404)
    return private_attachment(handle, filename=report.filename, content_type="application/pdf")
