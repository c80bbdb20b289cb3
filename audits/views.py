"""Audit pages. Each view resolves the audit through the policy first (404 outside reach)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from auditors.forms import AssignAuditorForm
from auditors.selectors import auditor_pool
from audits.filters import AuditListFilter
from audits.models import Audit, AuditorAssignment
from audits.permissions import AuditAction, audit_policy
from audits.selectors import audit_progress_annotate
from audits.services import assignments as services
from rescue.confirm import Confirmation, confirmation_page
from rescue.errors import ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from rescue.lists import list_page


@login_required
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    audits = audit_policy.audits_for(request.user, AuditAction.VIEW).select_related(
        "institution", "catalogue_version"
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
@require_http_methods(["GET", "POST"])
def assignment_end(
    request: AuthenticatedHttpRequest, audit_id: int, assignment_id: int
) -> HttpResponse:
    """GET asks first, naming the auditor and the audit; POST withdraws the auditor."""
    audit = audit_policy.get_or_404(request.user, AuditAction.ASSIGN_AUDITORS, audit_id)
    assignment = get_object_or_404(
        AuditorAssignment.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .select_related("auditor", "audit"),
        pk=assignment_id,
    )
    back = reverse("audits:auditors", kwargs={"audit_id": audit.pk})
    names = {"auditor": assignment.auditor_email, "audit": _audit_label(audit)}
    if request.method == "GET":
        return confirmation_page(
            request,
            Confirmation(
                title=_("Withdraw %(auditor)s from the %(audit)s?") % names,
                button=_("Withdraw %(auditor)s") % names,
                cancel_url=back,
                consequences=[
                    _("%(auditor)s loses access to this audit at once.") % names,
                    _("The assignment stays in the audit's history."),
                ],
                breadcrumb=(back, names["audit"]),
            ),
        )
    try:
        services.auditor_assignment_end(assignment=assignment, ended_by=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return _detail_page(request, audit, status=400)
    messages.success(request, _("%(auditor)s no longer has access to this audit.") % names)
    return redirect(back)


def _audit_label(audit: Audit) -> str:
    return _("%(component)s audit of %(institution)s") % {
        "component": audit.catalogue_version.get_component_display(),
        "institution": audit.institution.name,
    }


@login_required
@require_http_methods(["GET", "POST"])
def audit_close(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """GET asks first, naming the audit and who loses access; POST closes it."""
    audit = audit_policy.get_or_404(request.user, AuditAction.CLOSE, audit_id)
    back = reverse("audits:auditors", kwargs={"audit_id": audit.pk})
    label = _audit_label(audit)
    if request.method == "GET":
        auditors = [
            a.auditor_email
            for a in AuditorAssignment.objects.for_institution(audit.institution_id).filter(
                audit=audit, ended_at__isnull=True
            )
        ]
        consequences = [_("The audit cannot be reopened.")]
        if auditors:
            consequences.insert(
                0,
                _("These auditors lose access to it at once: %(auditors)s.")
                % {"auditors": ", ".join(auditors)},
            )
        return confirmation_page(
            request,
            Confirmation(
                title=_("Close the %(audit)s?") % {"audit": label},
                button=_("Close the %(audit)s") % {"audit": label},
                cancel_url=back,
                consequences=consequences,
                breadcrumb=(back, label),
            ),
        )
    try:
        services.audit_close(audit=audit, closed_by=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return _detail_page(request, audit, status=400)
    messages.success(request, _("The audit is closed; auditors no longer have access to it."))
    return redirect(back)
