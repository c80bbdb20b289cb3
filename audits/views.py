"""The audit list. Each view resolves the audit through the policy first (404 outside reach)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from audits.filters import AuditListFilter
from audits.permissions import AuditAction, audit_policy
from audits.selectors import audit_progress_annotate
from rescue.http import AuthenticatedHttpRequest
from rescue.lists import list_page


@login_required
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    audits = audit_policy.audits_for(request.user, AuditAction.VIEW).select_related(
        "institution", "catalogue_version", "applicant"
    )
    listing = list_page(request, AuditListFilter(request.GET, queryset=audits))
    # The progress counts are read for the page's audits only, not for the whole list.
    rows = list(
        audit_progress_annotate(
            audits.filter(pk__in=[audit.pk for audit in listing.page.object_list])
        ).values_list("pk", "standards_total", "standards_ready")  # type: ignore[misc]
    )
    counts = {pk: (total, ready) for pk, total, ready in rows}
    for audit in listing.page.object_list:
        audit.standards_total, audit.standards_ready = counts.get(audit.pk, (0, 0))
    return render(request, "audits/audit_list.html", {"list": listing}, status=listing.status)
