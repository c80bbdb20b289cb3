"""The audit report's course on the review team's side, ``/audits/<id>/review/report/``: the
rule evaluation beside the lead's recommendation, the release of the draft, the institution's
comments with the lead's answers, the final report; and the corrective actions: the plans to
accept or return, the actions reported done to verify. The rules are in the services."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.models import Audit
from reports.models import Report
from reports.permissions import report_policy
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from reviews.forms import (
    ActionVerifyForm,
    CommentAnswerForm,
    PlanDecisionForm,
    RecommendationForm,
    form_rebase,
)
from reviews.models import CorrectiveAction, CorrectiveActionPlan, ReportComment, ReviewReport
from reviews.permissions import ReviewAccess, consolidation_require, review_policy
from reviews.selectors import audit_evaluation, report_outcome
from reviews.services.plans import action_verify, plan_decide
from reviews.services.report import (
    RecommendationConflictError,
    finalise_blockers,
    level_choices,
    recommendation_set,
    release_blockers,
    report_comment_answer,
    report_finalise,
    report_release,
    review_report_of,
)

RECOMMENDING = (Audit.Status.REVIEW_COMPLETE, Audit.Status.DRAFT_RELEASED)


def _status(exc: ActionRefusedError) -> int:
    return 403 if isinstance(exc, ActionForbiddenError) else 400


def _access(request: AuthenticatedHttpRequest, audit_id: int) -> ReviewAccess:
    access = review_policy.access_or_404(request.user, audit_id)
    consolidation_require(access)
    if access.audit.status in (Audit.Status.SUBMITTED, Audit.Status.IN_REVIEW):
        raise PermissionDenied(_("The audit report is prepared once the review is complete."))
    return access


def _recommendation_form(access: ReviewAccess, report: ReviewReport) -> RecommendationForm:
    return RecommendationForm(
        initial={
            "recommendation": report.recommendation,
            "level": report.recommended_level,
            "reason": report.recommendation_reason,
            "version": report.version,
        },
        levels=level_choices(access.audit),
        auto_id="rec_%s",
    )


def report_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    *,
    recommendation: RecommendationForm | None = None,
    current: ReviewReport | None = None,
    answers: dict[int, CommentAnswerForm] | None = None,
    decisions: dict[int, PlanDecisionForm] | None = None,
    verifications: dict[int, ActionVerifyForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    audit = access.audit
    report = review_report_of(audit)
    outcome = report_outcome(audit=audit)
    is_lead = access.is_lead and access.has_accepted
    if recommendation is None and is_lead and audit.status in RECOMMENDING:
        recommendation = _recommendation_form(access, report)
    threads: list[dict[str, Any]] = []
    for comment in [c for item in outcome.findings for c in item.comments] + list(
        outcome.general_comments
    ):
        form = (answers or {}).get(comment.pk)
        if form is None and is_lead and not comment.outcome and report.stage == "released":
            form = CommentAnswerForm(finding=comment.finding, auto_id=f"ans{comment.pk}_%s")
        threads.append({"comment": comment, "form": form})
    threads.sort(key=lambda t: (t["comment"].created_at, t["comment"].pk))
    plans = []
    for item in outcome.nonconformities:
        plan = item.plan
        decision = None
        if plan is not None:
            decision = (decisions or {}).get(plan.pk)
            if decision is None and is_lead and plan.state == "submitted":
                decision = PlanDecisionForm(auto_id=f"plan{plan.pk}_%s")
        actions = []
        for action in plan.actions.all() if plan is not None else []:
            verify = (verifications or {}).get(action.pk)
            if verify is None and access.has_accepted and action.state == "done":
                verify = ActionVerifyForm(auto_id=f"act{action.pk}_%s")
            actions.append({"action": action, "form": verify})
        plans.append({"item": item, "plan": plan, "decision": decision, "actions": actions})
    reports = [
        r for r in report_policy.reports_for(request.user, audit) if r.kind == Report.Kind.AUDIT
    ]
    context = {
        "access": access,
        "audit": audit,
        "report": report,
        "is_lead": is_lead,
        "evaluation": audit_evaluation(audit=audit),
        "recommendation": recommendation,
        "current": current,
        "release_blockers": release_blockers(audit, report) if report.stage == "preparing" else [],
        "finalise_blockers": finalise_blockers(audit, report) if report.stage == "released" else [],
        "threads": threads,
        "plans": plans,
        "outcome": outcome,
        "reports": reports,
        "can_report": report_policy.can(request.user, audit, kind=Report.Kind.AUDIT),
    }
    return render(request, "reviews/report.html", context, status=status)


def _back(audit_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("reviews:report", kwargs={"audit_id": audit_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
def report_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    return report_page(request, _access(request, audit_id))


@login_required
@require_POST
def recommendation_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = _access(request, audit_id)
    form = RecommendationForm(request.POST, levels=level_choices(access.audit), auto_id="rec_%s")
    if not form.is_valid():
        return report_page(request, access, recommendation=form, status=400)
    data = form.cleaned_data
    try:
        recommendation_set(
            audit=access.audit,
            user=request.user,
            recommendation=data["recommendation"],
            level=data.get("level", ""),
            reason=data["reason"],
            base_version=data["version"],
        )
    except RecommendationConflictError as exc:
        form.add_error(None, exc.message)
        form_rebase(form, exc.current.version)
        return report_page(request, access, recommendation=form, current=exc.current, status=409)
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return report_page(request, access, recommendation=form, status=_status(exc))
    messages.success(request, _("The recommendation is recorded."))
    return _back(audit_id, "recommendation")


def _step(request: AuthenticatedHttpRequest, audit_id: int, step: Any, done: str) -> HttpResponse:
    access = _access(request, audit_id)
    try:
        step(audit=access.audit, user=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return report_page(request, access, status=_status(exc))
    messages.success(request, done)
    return _back(audit_id)


@login_required
@require_POST
def release_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    return _step(
        request,
        audit_id,
        report_release,
        _(
            "The draft report is released: the institution sees the outcome and may comment "
            "until the reply window closes. Its PDF is being prepared."
        ),
    )


@login_required
@require_POST
def finalise_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    return _step(
        request,
        audit_id,
        report_finalise,
        _(
            "The final report is issued, with the reply thread: the audit awaits the "
            "certification decision. Its PDF is being prepared."
        ),
    )


def _of_audit(model: Any, access: ReviewAccess, pk: int, what: str) -> Any:
    """One comment, plan or action of this audit (404 for any other)."""
    found = model.objects.for_institution(access.audit.institution_id).filter(
        audit=access.audit, pk=pk
    )
    item = found.first()
    if item is None:
        raise Http404(f"No such {what} on this audit.")
    return item


def _form_step(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    form: Any,
    *,
    slot: str,
    key: int,
    act: Any,
    done: str,
    anchor: str,
) -> HttpResponse:
    """A form's step on the report page: an invalid form or a refusal shows the page again with
    the form kept in its ``slot`` (400, or 403 when the step is not the user's), then the
    message; a done step goes back to its ``anchor``."""
    if not form.is_valid():
        return report_page(request, access, **{slot: {key: form}}, status=400)
    try:
        act(form.cleaned_data)
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return report_page(request, access, **{slot: {key: form}}, status=_status(exc))
    messages.success(request, done)
    return _back(access.audit.pk, anchor)


@login_required
@require_POST
def comment_answer_view(
    request: AuthenticatedHttpRequest, audit_id: int, comment_id: int
) -> HttpResponse:
    access = _access(request, audit_id)
    comment = _of_audit(ReportComment, access, comment_id, "comment")
    return _form_step(
        request,
        access,
        CommentAnswerForm(request.POST, finding=comment.finding, auto_id=f"ans{comment.pk}_%s"),
        slot="answers",
        key=comment.pk,
        act=lambda data: report_comment_answer(
            comment=comment,
            user=request.user,
            outcome=data["outcome"],
            answer=data["answer"],
            rating=data.get("rating", ""),
            grade=data.get("grade", ""),
            withdraw=data.get("withdraw", False),
        ),
        done=_("Your answer is recorded; the institution reads it."),
        anchor=f"comment-{comment.pk}",
    )


@login_required
@require_POST
def plan_decision_view(
    request: AuthenticatedHttpRequest, audit_id: int, plan_id: int
) -> HttpResponse:
    access = _access(request, audit_id)
    plan = _of_audit(CorrectiveActionPlan, access, plan_id, "plan")
    return _form_step(
        request,
        access,
        PlanDecisionForm(request.POST, auto_id=f"plan{plan.pk}_%s"),
        slot="decisions",
        key=plan.pk,
        act=lambda data: plan_decide(
            plan=plan,
            user=request.user,
            accept=data["decision"] == "accept",
            reason=data.get("reason", ""),
        ),
        done=_("The decision on the plan is recorded."),
        anchor=f"plan-{plan.pk}",
    )


@login_required
@require_POST
def action_verify_view(
    request: AuthenticatedHttpRequest, audit_id: int, action_id: int
) -> HttpResponse:
    access = _access(request, audit_id)
    action = _of_audit(CorrectiveAction, access, action_id, "corrective action")
    return _form_step(
        request,
        access,
        ActionVerifyForm(request.POST, auto_id=f"act{action.pk}_%s"),
        slot="verifications",
        key=action.pk,
        act=lambda data: action_verify(
            action=action,
            user=request.user,
            close=data["decision"] == "close",
            reason=data.get("reason", ""),
        ),
        done=_("The verification is recorded."),
        anchor=f"action-{action.pk}",
    )
