"""The appeal pages.

- The institution's coordinators: ``/audits/<id>/appeal/``, reached from the review's outcome
  and the certificate: the decision, the time left to appeal, the form (a statement and files),
  then the appeal's course and outcome. ERNST admins read it too; contributors are told who
  appeals (403).
- ERNST admins: ``/appeals/`` (open ones first) and ``/appeals/<id>/``: the appeal, the
  decision, the files, why they may or may not handle it, taking it up and deciding it.
- ``/appeals/<id>/files/<id>/``: a file of the statement, for the institution's coordinators
  and ERNST admins (404 for anyone else).

Forms in error answer 400; a step the rules refuse answers 400 with the reason, one that is not
the user's to take 403 with the reason.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_platform_admin
from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from certification.appeals import (
    appeal_deadline,
    appeal_decide,
    appeal_handling_refusal,
    appeal_lodge,
    appeal_of,
    appeal_refusal,
    appeal_take,
)
from certification.filters import AppealListFilter
from certification.forms import AppealDecisionForm, AppealForm
from certification.models import Appeal, Decision
from certification.permissions import appeal_file_or_404, appeal_or_404, appeals_for
from evidence.uploads import upload_refusals
from institutions.models import Membership
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.files import StoredFileMissingError, private_attachment, stored_file_open
from rescue.http import AuthenticatedHttpRequest
from rescue.lists import list_page
from reviews.services.report import level_choices


def _status(exc: ActionRefusedError) -> int:
    return 403 if isinstance(exc, ActionForbiddenError) else 400


# --- The institution's page -----------------------------------------------------------------


def _decision_for_appeal(request: AuthenticatedHttpRequest, audit_id: int) -> Decision:
    """The decision on the audit, for its institution's coordinators and ERNST admins."""
    user = request.user
    audit = audit_policy.get_or_404(user, AuditAction.VIEW, audit_id)
    coordinator = audit_policy.dossier_role(user, audit) == Membership.Role.COORDINATOR
    if not (coordinator or is_platform_admin(user)):
        raise PermissionDenied(
            _(
                "An appeal is lodged by the institution's coordinators and handled by ERNST "
                "administrators."
            )
        )
    decision = (
        Decision.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .prefetch_related("certificates")
        .first()
    )
    if decision is None:
        raise Http404(_("No decision has been taken on this audit: there is nothing to appeal."))
    decision.audit = audit
    return decision


def appeal_page(
    request: AuthenticatedHttpRequest,
    decision: Decision,
    *,
    form: AppealForm | None = None,
    status: int = 200,
) -> HttpResponse:
    appeal = appeal_of(decision)
    # Who may not appeal is told so, and so is a coordinator past the time to appeal.
    refusal = appeal_refusal(request.user, decision) if appeal is None else None
    if form is None and appeal is None and refusal is None:
        form = AppealForm(auto_id="appeal_%s")
    context: dict[str, Any] = {
        "audit": decision.audit,
        "decision": decision,
        "appeal": appeal,
        "deadline": appeal_deadline(decision),
        "refusal": refusal.message if refusal is not None else "",
        "form": form if appeal is None and refusal is None else None,
        "admin": is_platform_admin(request.user),
    }
    return render(request, "certification/appeal.html", context, status=status)


@login_required
def appeal_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    return appeal_page(request, _decision_for_appeal(request, audit_id))


@login_required
@require_POST
def appeal_lodge_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    decision = _decision_for_appeal(request, audit_id)
    form = AppealForm(request.POST, request.FILES, auto_id="appeal_%s")
    for dropped in upload_refusals(request):  # over the size limit: dropped while streaming
        form.add_error("files", dropped)
    if not form.is_valid():
        return appeal_page(request, decision, form=form, status=400)
    try:
        appeal_lodge(
            decision=decision,
            user=request.user,
            statement=form.cleaned_data["statement"],
            uploads=form.cleaned_data["files"],
            confirmed_no_personal_data=form.cleaned_data["confirmed_no_personal_data"],
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return appeal_page(request, decision, form=form, status=_status(exc))
    messages.success(
        request,
        _(
            "Your appeal is lodged: an ERNST administrator who took no part in the decision "
            "handles it."
        ),
    )
    return redirect("certification:appeal", audit_id=audit_id)


# --- The ERNST admins' pages ----------------------------------------------------------------


def _admin_required(request: AuthenticatedHttpRequest) -> None:
    if not is_platform_admin(request.user):
        raise PermissionDenied(
            _(
                "Appeals are handled by ERNST administrators; the institution follows its appeal "
                "on the audit's appeal page."
            )
        )


@login_required
def appeal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin_required(request)
    appeals = (
        appeals_for(request.user)
        .select_related("decision__audit__catalogue_version")
        .annotate(
            closed=Case(
                When(state__in=Appeal.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "-lodged_at", "-pk")
    )
    listing = list_page(request, AppealListFilter(request.GET, queryset=appeals))
    return render(
        request, "certification/appeal_list.html", {"list": listing}, status=listing.status
    )


def appeal_detail_page(
    request: AuthenticatedHttpRequest,
    appeal: Appeal,
    *,
    form: AppealDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    audit: Audit = appeal.decision.audit
    refusal = appeal_handling_refusal(request.user, appeal)
    can_take = (
        refusal is None
        and (appeal.state == Appeal.State.LODGED or appeal.handler_id is None)
        and appeal.is_open
    )
    can_decide = (
        refusal is None
        and appeal.state == Appeal.State.IN_HANDLING
        and appeal.handler_id == request.user.pk
    )
    if form is None and can_decide:
        form = AppealDecisionForm(levels=level_choices(audit), auto_id="dec_%s")
    context: dict[str, Any] = {
        "appeal": appeal,
        "decision": appeal.decision,
        "audit": audit,
        "files": list(appeal.files.all()),
        "certificates": list(appeal.decision.certificates.all()),
        "deadline": appeal_deadline(appeal.decision),
        "refusal": refusal if appeal.is_open else "",
        "can_take": can_take,
        "form": form if can_decide or status != 200 else None,
    }
    return render(request, "certification/appeal_detail.html", context, status=status)


def _appeal_for_admin(request: AuthenticatedHttpRequest, appeal_id: int) -> Appeal:
    appeal = appeal_or_404(request.user, appeal_id)  # 404 outside the user's reach
    _admin_required(request)  # the institution's coordinators: told where theirs is (403)
    return appeal


@login_required
def appeal_detail_view(request: AuthenticatedHttpRequest, appeal_id: int) -> HttpResponse:
    appeal = _appeal_for_admin(request, appeal_id)
    return appeal_detail_page(request, appeal)


@login_required
@require_POST
def appeal_take_view(request: AuthenticatedHttpRequest, appeal_id: int) -> HttpResponse:
    appeal = _appeal_for_admin(request, appeal_id)
    try:
        appeal_take(appeal=appeal, user=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return appeal_detail_page(request, appeal, status=_status(exc))
    messages.success(request, _("You have taken the appeal up: you handle and decide it."))
    return redirect("certification:appeal_detail", appeal_id=appeal.pk)


@login_required
@require_POST
def appeal_decide_view(request: AuthenticatedHttpRequest, appeal_id: int) -> HttpResponse:
    appeal = _appeal_for_admin(request, appeal_id)
    form = AppealDecisionForm(
        request.POST, levels=level_choices(appeal.decision.audit), auto_id="dec_%s"
    )
    if not form.is_valid():
        return appeal_detail_page(request, appeal, form=form, status=400)
    data = form.cleaned_data
    try:
        decided = appeal_decide(
            appeal=appeal,
            user=request.user,
            outcome=data["outcome"],
            reason=data["reason"],
            new_outcome=data.get("new_outcome", ""),
            new_level=data.get("new_level", ""),
            new_conditions_due_on=data.get("new_conditions_due_on"),
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return appeal_detail_page(request, appeal, form=form, status=_status(exc))
    if decided.outcome == Appeal.Outcome.CHANGED:
        messages.success(
            request,
            _("The appeal is decided: the decision is changed and its certificates follow."),
        )
    else:
        messages.success(request, _("The appeal is decided: the decision is upheld."))
    return redirect("certification:appeal_detail", appeal_id=appeal.pk)


# --- The statement's files ------------------------------------------------------------------


@login_required
def appeal_file_download(
    request: AuthenticatedHttpRequest, appeal_id: int, file_id: int
) -> FileResponse:
    found = appeal_file_or_404(request.user, appeal_id, file_id)
    try:
        stored = stored_file_open(found.file, label=f"appeal {appeal_id} file {found.pk}")
    except StoredFileMissingError:
        raise Http404(_("The stored file is missing; ask the platform administrators.")) from None
    return private_attachment(stored, filename=found.original_name, content_type=found.mime_type)
