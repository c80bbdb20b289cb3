"""The lead auditor's consolidation: the divergences side by side, a decision on each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audits.models import Audit
from rescue.errors import ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from reviews.forms import DivergenceForm, form_rebase
from reviews.models import ConsolidatedRating
from reviews.permissions import ReviewAccess, consolidation_require, review_policy
from reviews.selectors import review_standard_rows
from reviews.services.consolidation import ConsolidationConflictError, divergence_decide


def divergences_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    *,
    forms: dict[str, DivergenceForm] | None = None,
    current: dict[str, ConsolidatedRating] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = [row for row in review_standard_rows(access=access) if row.divergent]
    forms = forms or {}
    can_decide = access.is_lead and access.audit.status == Audit.Status.IN_REVIEW
    items = []
    for row in rows:
        consolidated = row.consolidated
        form = forms.get(row.code)
        if form is None and can_decide and consolidated is not None:
            form = DivergenceForm(
                initial={
                    "rating": consolidated.rating,
                    "rationale": consolidated.rationale,
                    "reason": consolidated.reason,
                    "version": consolidated.version,
                },
                auto_id=f"d_{row.code}_%s",
            )
        items.append({"row": row, "form": form, "current": (current or {}).get(row.code)})
    context = {
        "access": access,
        "audit": access.audit,
        "items": items,
        "can_decide": can_decide,
        "open": sum(row.consolidated is not None and row.consolidated.is_open for row in rows),
    }
    return render(request, "reviews/divergences.html", context, status=status)


@login_required
def divergences(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = review_policy.access_or_404(request.user, audit_id)
    consolidation_require(access)
    return divergences_page(request, access)


@login_required
@require_http_methods(["POST"])
def divergence_decide_view(
    request: AuthenticatedHttpRequest, audit_id: int, code: str
) -> HttpResponse:
    access = review_policy.access_or_404(request.user, audit_id)
    consolidation_require(access)
    if not access.is_lead:
        raise PermissionDenied(_("Only the lead auditor decides the divergences."))
    consolidated = (
        ConsolidatedRating.objects.for_institution(access.audit.institution_id)
        .filter(audit=access.audit, assessment__standard__code=code)
        .first()
    )
    if consolidated is None:
        raise Http404("No such standard in this audit.")
    form = DivergenceForm(request.POST, auto_id=f"d_{code}_%s")
    if not form.is_valid():
        return divergences_page(request, access, forms={code: form}, status=400)
    data = form.cleaned_data
    try:
        divergence_decide(
            consolidated=consolidated,
            user=request.user,
            rating=data["rating"],
            rationale=data["rationale"],
            reason=data["reason"],
            base_version=data["version"],
        )
    except ConsolidationConflictError as exc:
        form.add_error(None, exc.message)
        form_rebase(form, exc.current.version if exc.current else 0)
        current = {code: exc.current} if exc.current else {}
        return divergences_page(request, access, forms={code: form}, current=current, status=409)
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        return divergences_page(request, access, forms={code: form}, status=400)
    messages.success(request, _("The consolidated rating of %(code)s is saved.") % {"code": code})
    return redirect(reverse("reviews:divergences", kwargs={"audit_id": audit_id}) + f"#d-{code}")
