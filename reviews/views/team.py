"""The review team of an audit: who is on it (seen by the institution, the team and ERNST), and
the ERNST admin's candidates, assignment, replacement and withdrawal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from auditors.filters import AuditorPoolFilter
from auditors.selectors import auditor_load_attach, auditor_pool
from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from audits.services.closure import audit_close as audit_close_service
from rescue.confirm import Confirmation, confirmation_page
from rescue.errors import ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from rescue.lists import list_page
from reviews.forms import TeamAssignForm
from reviews.models import AuditorAssignment
from reviews.permissions import team_active
from reviews.selectors import candidates_for, team_list
from reviews.services import team as services


def audit_label(audit: Audit) -> str:
    return _("%(component)s audit of %(institution)s") % {
        "component": audit.catalogue_version.get_component_display(),
        "institution": audit.institution.name,
    }


def team_page(
    request: AuthenticatedHttpRequest, audit: Audit, *, status: int = 200
) -> HttpResponse:
    can = audit_policy.capabilities(request.user, audit)
    context = {
        "audit": audit,
        "team": team_list(audit=audit),
        "can": can,
        "list": None,
        "team_open": audit.status in services.TEAM_OPEN,
    }
    if can[AuditAction.ASSIGN_AUDITORS]:
        listing = list_page(request, AuditorPoolFilter(request.GET, queryset=auditor_pool()))
        listing.page.object_list = auditor_load_attach(listing.page.object_list)
        context["list"] = listing
        context["candidates"] = candidates_for(audit=audit, users=listing.page.object_list)
        status = max(status, listing.status)
    return render(request, "reviews/team.html", context, status=status)


@login_required
def team(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    return team_page(request, audit)


def _assign_form(audit: Audit, data: object = None, initial: dict | None = None) -> TeamAssignForm:
    return TeamAssignForm(
        data,
        initial=initial,
        auditors=auditor_pool(),
        members=team_active(audit).select_related("auditor"),
        auto_id="assign_%s",
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_assign(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """GET: the form, with the auditor chosen in the candidate list; POST: assign (or replace)."""
    audit = audit_policy.get_or_404(request.user, AuditAction.ASSIGN_AUDITORS, audit_id)
    if request.method == "GET":
        initial = {
            key: request.GET[key] for key in ("auditor", "replacing", "role") if key in request.GET
        }
        form = _assign_form(audit, initial=initial)
        return render(request, "reviews/team_assign.html", {"audit": audit, "form": form})
    form = _assign_form(audit, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assignment = services.team_assign(
                audit=audit,
                auditor=data["auditor"],
                role=data["role"],
                assigned_by=request.user,
                due_on=data["due_on"],
                override_reason=data["override_reason"],
                replacing=data["replacing"],
            )
        except ActionRefusedError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("%(auditor)s is invited as %(role)s; they accept or decline on My reviews.")
                % {
                    "auditor": assignment.auditor_email,
                    "role": assignment.get_role_display().lower(),
                },
            )
            return redirect("reviews:team", audit_id=audit.pk)
    context = {"audit": audit, "form": form}
    return render(request, "reviews/team_assign.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def team_withdraw(
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
    back = reverse("reviews:team", kwargs={"audit_id": audit.pk})
    names = {"auditor": assignment.auditor_email, "audit": audit_label(audit)}
    if request.method == "GET":
        return confirmation_page(
            request,
            Confirmation(
                title=_("Withdraw %(auditor)s from the %(audit)s?") % names,
                button=_("Withdraw %(auditor)s") % names,
                cancel_url=back,
                consequences=[
                    _("%(auditor)s loses access to this audit at once.") % names,
                    _("The ratings they gave stay in the review, attributed to them."),
                    _("The assignment stays in the audit's history."),
                ],
                breadcrumb=(back, names["audit"]),
            ),
        )
    try:
        services.assignment_withdraw(assignment=assignment, ended_by=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return team_page(request, audit, status=400)
    messages.success(request, _("%(auditor)s no longer has access to this audit.") % names)
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def audit_close(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """GET asks first, naming the audit and who loses access; POST closes it."""
    audit = audit_policy.get_or_404(request.user, AuditAction.CLOSE, audit_id)
    back = reverse("reviews:team", kwargs={"audit_id": audit.pk})
    label = audit_label(audit)
    if request.method == "GET":
        auditors = [a.auditor_email for a in team_active(audit)]
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
        audit_close_service(audit=audit, closed_by=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return team_page(request, audit, status=400)
    messages.success(request, _("The audit is closed; auditors no longer have access to it."))
    return redirect(back)
