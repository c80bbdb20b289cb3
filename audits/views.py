"""Audit pages. Each view resolves the audit through the policy first (404 outside reach)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from auditors.forms import AssignAuditorForm
from auditors.selectors import auditor_pool
from audits.models import Audit, AuditorAssignment
from audits.permissions import AuditAction, audit_policy
from audits.selectors import audit_progress_annotate
from audits.services import assignments as services
from rescue.errors import ActionRefusedError
from rescue.http import AuthenticatedHttpRequest


@login_required
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    audits = audit_progress_annotate(
        audit_policy.audits_for(request.user, AuditAction.VIEW)
        .select_related("institution", "catalogue_version")
        .order_by("-created_at")
    )
    return render(request, "audits/audit_list.html", {"audits": audits})


def _detail_page(
    request: AuthenticatedHttpRequest,
    audit: Audit,
    form: AssignAuditorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can = audit_policy.capabilities(request.user, audit)
    assignments = (
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("auditor")
    )
    if can[AuditAction.ASSIGN_AUDITORS] and form is None:
        form = AssignAuditorForm(auditors=auditor_pool())
    context = {"audit": audit, "assignments": assignments, "can": can, "assign_form": form}
    return render(request, "audits/audit_detail.html", context, status=status)


@login_required
def audit_detail(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    return _detail_page(request, audit)


@login_required
@require_POST
def auditor_assign(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.ASSIGN_AUDITORS, audit_id)
    form = AssignAuditorForm(request.POST, auditors=auditor_pool())
    if not form.is_valid():
        return _detail_page(request, audit, form=form, status=400)
    try:
        services.auditor_assign(
            audit=audit, auditor=form.cleaned_data["auditor"], assigned_by=request.user
        )
    except ActionRefusedError as exc:
        form.add_error("auditor", exc.message)
        return _detail_page(request, audit, form=form, status=400)
    messages.success(request, f"{form.cleaned_data['auditor'].email} is assigned to this audit.")
    return redirect("audits:auditors", audit_id=audit.pk)


@login_required
@require_POST
def assignment_end(
    request: AuthenticatedHttpRequest, audit_id: int, assignment_id: int
) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.ASSIGN_AUDITORS, audit_id)
    assignment = get_object_or_404(
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("auditor", "audit"),
        pk=assignment_id,
    )
    try:
        services.auditor_assignment_end(assignment=assignment, ended_by=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return _detail_page(request, audit, status=400)
    messages.success(request, f"{assignment.auditor_email} no longer has access to this audit.")
    return redirect("audits:auditors", audit_id=audit.pk)


@login_required
@require_POST
def audit_close(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.CLOSE, audit_id)
    try:
        services.audit_close(audit=audit, closed_by=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return _detail_page(request, audit, status=400)
    messages.success(request, "The audit is closed; auditors no longer have access to it.")
    return redirect("audits:auditors", audit_id=audit.pk)
