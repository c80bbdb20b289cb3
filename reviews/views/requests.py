"""Evidence requests on the pages. The review team asks and decides on
``/audits/<id>/review/requests/``; the institution reads each request and answers it on
``/audits/<id>/requests/<id>/`` (the dossier's dashboard and standard pages list the open ones)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audits.permissions import AuditAction, audit_policy
from evidence.uploads import upload_refusals
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from reviews.forms import EvidenceAnswerForm, EvidenceDecisionForm, EvidenceRequestForm
from reviews.models import EvidenceRequest
from reviews.permissions import (
    ReviewAccess,
    evidence_request_or_404,
    evidence_requests_for,
    review_policy,
)
from reviews.selectors import assessments_by_code, standard_choices
from reviews.services.requests import (
    evidence_request_answer,
    evidence_request_create,
    evidence_request_decide,
    may_answer,
)


def _listed(user: object, access: ReviewAccess) -> list[EvidenceRequest]:
    return list(
        evidence_requests_for(user, access.audit).prefetch_related(
            "assessments__standard", "answers__files__current_revision"
        )
    )


def team_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    *,
    form: EvidenceRequestForm | None = None,
    decisions: dict[int, EvidenceDecisionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_ask = access.has_accepted and access.audit.status in ("in_review", "review_complete")
    if form is None and can_ask:
        preselected = request.GET.getlist("code")
        form = EvidenceRequestForm(
            codes=standard_choices(audit=access.audit),
            initial={"codes": preselected},
            auto_id="req_%s",
        )
    items = []
    for item in _listed(request.user, access):
        decision = (decisions or {}).get(item.pk)
        if decision is None and can_ask and item.state in ("open", "answered"):
            decision = EvidenceDecisionForm(auto_id=f"dec{item.pk}_%s")
        items.append({"request": item, "decision": decision})
    context = {
        "access": access,
        "audit": access.audit,
        "items": items,
        "form": form,
        "can_ask": can_ask,
    }
    return render(request, "reviews/requests.html", context, status=status)


@login_required
def team_requests(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = review_policy.access_or_404(request.user, audit_id)
    return team_page(request, access)


@login_required
@require_POST
def request_create_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = review_policy.access_or_404(request.user, audit_id)
    form = EvidenceRequestForm(
        request.POST, codes=standard_choices(audit=access.audit), auto_id="req_%s"
    )
    if not form.is_valid():
        return team_page(request, access, form=form, status=400)
    assessments = assessments_by_code(audit=access.audit, codes=form.cleaned_data["codes"])
    try:
        evidence_request_create(
            audit=access.audit,
            user=request.user,
            assessments=assessments,
            message=form.cleaned_data["message"],
            due_on=form.cleaned_data["due_on"],
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return team_page(request, access, form=form, status=403 if _forbidden(exc) else 400)
    messages.success(request, _("The request is sent to the institution."))
    return redirect("reviews:requests", audit_id=audit_id)


def _forbidden(exc: ActionRefusedError) -> bool:
    return isinstance(exc, ActionForbiddenError)


@login_required
@require_POST
def request_decide_view(
    request: AuthenticatedHttpRequest, audit_id: int, request_id: int
) -> HttpResponse:
    access = review_policy.access_or_404(request.user, audit_id)
    item = evidence_request_or_404(request.user, access.audit, request_id)
    form = EvidenceDecisionForm(request.POST, auto_id=f"dec{item.pk}_%s")
    if not form.is_valid():
        return team_page(request, access, decisions={item.pk: form}, status=400)
    data = form.cleaned_data
    try:
        evidence_request_decide(
            request=item,
            user=request.user,
            accept=data["decision"] == EvidenceDecisionForm.Decision.ACCEPT,
            reason=data.get("reason", ""),
            reopen_until=data.get("reopen_until")
            if data["decision"] == EvidenceDecisionForm.Decision.REOPEN
            else None,
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return team_page(
            request, access, decisions={item.pk: form}, status=403 if _forbidden(exc) else 400
        )
    messages.success(request, _("The decision on the request is recorded."))
    return redirect("reviews:requests", audit_id=audit_id)


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(
    request: AuthenticatedHttpRequest, audit_id: int, request_id: int
) -> HttpResponse:
    """The request as the institution reads it, with its answers and the decisions; the answer
    form for a coordinator or a contributor assigned to one of its standards."""
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    item = evidence_request_or_404(request.user, audit, request_id)
    can_answer = item.state == EvidenceRequest.State.OPEN and may_answer(request.user, item)
    form = EvidenceAnswerForm(auto_id="ans_%s") if can_answer else None
    status = 200
    if request.method == "POST":
        form = EvidenceAnswerForm(request.POST, request.FILES, auto_id="ans_%s")
        if dropped := upload_refusals(request):
            for refusal in dropped:
                form.add_error("files", refusal)
        if form.is_valid():
            try:
                evidence_request_answer(
                    request=item,
                    user=request.user,
                    uploads=form.cleaned_data["files"],
                    comment=form.cleaned_data["comment"],
                    confirmed_no_personal_data=form.cleaned_data["confirmed_no_personal_data"],
                )
            except ActionRefusedError as exc:
                form.add_error(None, exc.message)
                messages.error(request, exc.message)
                status = 403 if _forbidden(exc) else 400
            else:
                messages.success(request, _("Your answer is sent and sealed with the dossier."))
                return redirect("reviews:request", audit_id=audit_id, request_id=request_id)
        else:
            status = 400
    context = {"audit": audit, "item": item, "form": form, "can_answer": can_answer}
    return render(request, "reviews/request_detail.html", context, status=status)
