"""The review's outcome as the institution reads it, once the draft report is released:
``/audits/<id>/outcome/``. The consolidated rating and rationale of every standard, the findings
(never the auditors' notes nor their own ratings), the reply (a comment on each finding and on
the report as a whole, while the window is open), and the corrective actions: a plan for each
nonconformity, then each action reported done with its evidence. Coordinators act; the review
team and ERNST read the same page."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from evidence.uploads import upload_refusals
from reports.models import Report
from reports.permissions import report_policy
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from reviews.forms import ActionDoneForm, CommentForm, PlanActionFormSet, PlanForm
from reviews.models import CorrectiveAction, CorrectiveActionPlan, Finding
from reviews.permissions import OutcomeAccess, outcome_access_or_404
from reviews.selectors import report_outcome
from reviews.services.plans import action_done, plan_submit
from reviews.services.report import replies_done, report_comment_add


def _status(exc: ActionRefusedError) -> int:
    return 403 if isinstance(exc, ActionForbiddenError) else 400


def outcome_page(
    request: AuthenticatedHttpRequest,
    access: OutcomeAccess,
    *,
    comment_forms: dict[int | None, CommentForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    audit, report = access.audit, access.report
    outcome = report_outcome(audit=audit)
    can_comment = access.is_coordinator and report.reply_open
    forms: dict[int | None, CommentForm] = dict(comment_forms or {})

    def form_for(key: int | None) -> CommentForm | None:
        if not can_comment:
            return forms.get(key)
        return forms.get(key) or CommentForm(
            initial={"finding": key}, auto_id=f"c{key or 'all'}_%s"
        )

    findings = [
        {
            "item": item,
            "form": form_for(item.finding.pk) if item.finding.withdrawn_at is None else None,
        }
        for item in outcome.findings
    ]
    context: dict[str, Any] = {
        "audit": audit,
        "report": report,
        "access": access,
        "outcome": outcome,
        "findings": findings,
        "general_form": form_for(None),
        "can_comment": can_comment,
        "reports": [
            r for r in report_policy.reports_for(request.user, audit) if r.kind == Report.Kind.AUDIT
        ],
        "can_report": report_policy.can(request.user, audit, kind=Report.Kind.AUDIT),
    }
    return render(request, "reviews/outcome.html", context, status=status)


@login_required
def outcome_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    return outcome_page(request, outcome_access_or_404(request.user, audit_id))


@login_required
@require_POST
def comment_add_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = outcome_access_or_404(request.user, audit_id)
    form = CommentForm(request.POST)
    key = None
    if form.is_valid():
        key = form.cleaned_data.get("finding")
        form.auto_id = f"c{key or 'all'}_%s"
        try:
            comment = report_comment_add(
                audit=access.audit,
                user=request.user,
                text=form.cleaned_data["text"],
                finding_id=key,
            )
        except ActionRefusedError as exc:
            form.add_error(None, exc.message)
            messages.error(request, exc.message)
            return outcome_page(request, access, comment_forms={key: form}, status=_status(exc))
        messages.success(request, _("Your comment is sent to the lead auditor."))
        url = reverse("reviews:outcome", kwargs={"audit_id": audit_id})
        return redirect(f"{url}#comment-{comment.pk}")
    return outcome_page(request, access, comment_forms={key: form}, status=400)


@login_required
@require_POST
def replies_done_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = outcome_access_or_404(request.user, audit_id)
    try:
        replies_done(audit=access.audit, user=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return outcome_page(request, access, status=_status(exc))
    messages.success(
        request,
        _(
            "The reply is over: the lead auditor now answers any open comment and issues the "
            "final report."
        ),
    )
    return redirect("reviews:outcome", audit_id=audit_id)


def _nonconformity_or_404(access: OutcomeAccess, finding_id: int) -> Finding:
    finding = (
        Finding.objects.for_institution(access.audit.institution_id)
        .filter(audit=access.audit, pk=finding_id, kind=Finding.Kind.NONCONFORMITY)
        .select_related("assessment__standard", "assessment__consolidated_rating")
        .first()
    )
    if finding is None:
        raise Http404("No such nonconformity on this audit.")
    return finding


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_view(
    request: AuthenticatedHttpRequest, audit_id: int, finding_id: int
) -> HttpResponse:
    """The corrective-action plan of one nonconformity: the cause and the actions."""
    access = outcome_access_or_404(request.user, audit_id)
    finding = _nonconformity_or_404(access, finding_id)
    plan = (
        CorrectiveActionPlan.objects.for_institution(access.audit.institution_id)
        .filter(finding=finding)
        .prefetch_related("actions")
        .first()
    )
    editable = (
        access.is_coordinator
        and finding.withdrawn_at is None
        and (plan is None or plan.state != CorrectiveActionPlan.State.ACCEPTED)
    )
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, auto_id="plan_%s")
        actions = PlanActionFormSet(request.POST, prefix="actions")
        if form.is_valid() and actions.is_valid():
            try:
                plan_submit(
                    finding=finding,
                    user=request.user,
                    cause=form.cleaned_data["cause"],
                    actions=[a.cleaned_data for a in actions.forms if a.cleaned_data],
                )
            except ActionRefusedError as exc:
                form.add_error(None, exc.message)
                messages.error(request, exc.message)
                status = _status(exc)
            else:
                messages.success(request, _("The plan is submitted to the lead auditor."))
                url = reverse("reviews:outcome", kwargs={"audit_id": audit_id})
                return redirect(f"{url}#f-{finding.pk}")
        else:
            status = 400
    else:
        form = PlanForm(initial={"cause": plan.cause if plan else ""}, auto_id="plan_%s")
        initial = (
            [
                {"description": a.description, "owner": a.owner, "due_on": a.due_on}
                for a in plan.actions.all()
            ]
            if plan
            else []
        )
        actions = PlanActionFormSet(prefix="actions", initial=initial or [{}])
        # One empty row more than the plan has, to add an action without scripts.
        actions.extra = 1 if initial else 0
    context = {
        "audit": access.audit,
        "access": access,
        "finding": finding,
        "plan": plan,
        "form": form if editable else None,
        "actions": actions if editable else None,
    }
    return render(request, "reviews/plan.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def action_done_view(
    request: AuthenticatedHttpRequest, audit_id: int, action_id: int
) -> HttpResponse:
    """Report one action of an accepted plan done, with its evidence."""
    access = outcome_access_or_404(request.user, audit_id)
    action = (
        CorrectiveAction.objects.for_institution(access.audit.institution_id)
        .filter(audit=access.audit, pk=action_id)
        .select_related("plan__finding__assessment__standard")
        .prefetch_related("reports__files__current_revision")
        .first()
    )
    if action is None:
        raise Http404("No such corrective action on this audit.")
    can_report = (
        access.is_coordinator
        and action.plan.state == CorrectiveActionPlan.State.ACCEPTED
        and action.state == CorrectiveAction.State.OPEN
    )
    form = ActionDoneForm(auto_id="done_%s") if can_report else None
    status = 200
    if request.method == "POST":
        form = ActionDoneForm(request.POST, request.FILES, auto_id="done_%s")
        if dropped := upload_refusals(request):
            for refusal in dropped:
                form.add_error("files", refusal)
        if form.is_valid():
            try:
                action_done(
                    action=action,
                    user=request.user,
                    note=form.cleaned_data["note"],
                    uploads=form.cleaned_data["files"],
                    confirmed_no_personal_data=form.cleaned_data["confirmed_no_personal_data"],
                )
            except ActionRefusedError as exc:
                form.add_error(None, exc.message)
                messages.error(request, exc.message)
                status = _status(exc)
            else:
                messages.success(
                    request, _("The action is reported done; an auditor will verify it.")
                )
                url = reverse("reviews:outcome", kwargs={"audit_id": audit_id})
                return redirect(f"{url}#action-{action.pk}")
        else:
            status = 400
    context = {
        "audit": access.audit,
        "access": access,
        "action": action,
        "form": form,
        "can_report": can_report,
    }
    return render(request, "reviews/action_done.html", context, status=status)
