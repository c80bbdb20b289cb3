"""Findings on the review's pages: the nonconformities the completed review made, which the lead
auditor grades and states, and the observations the lead adds. The team and ERNST read them; the
institution sees none before the draft report is released."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.models import Audit, StandardAssessment
from rescue.errors import ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from reviews.forms import FindingForm, ObservationForm, form_rebase
from reviews.models import Finding
from reviews.permissions import ReviewAccess, consolidation_require, review_policy
from reviews.selectors import finding_get, finding_list, standard_choices
from reviews.services.findings import FindingConflictError, finding_grade, observation_add


def findings_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    *,
    forms: dict[int, FindingForm] | None = None,
    current: dict[int, Finding] | None = None,
    observation: ObservationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    findings = finding_list(audit=access.audit)
    can_edit = access.is_lead and access.audit.status == Audit.Status.REVIEW_COMPLETE
    items = []
    for finding in findings:
        form = (forms or {}).get(finding.pk)
        if form is None and can_edit:
            form = FindingForm(
                initial={
                    "grade": finding.grade,
                    "statement": finding.statement,
                    "version": finding.version,
                },
                finding=finding,
                auto_id=f"f{finding.pk}_%s",
            )
        items.append({"finding": finding, "form": form, "current": (current or {}).get(finding.pk)})
    if observation is None and can_edit:
        observation = ObservationForm(codes=standard_choices(audit=access.audit), auto_id="obs_%s")
    context = {
        "access": access,
        "audit": access.audit,
        "items": items,
        "can_edit": can_edit,
        "ungraded": sum(f.kind == Finding.Kind.NONCONFORMITY and not f.grade for f in findings),
        "observation": observation,
    }
    return render(request, "reviews/findings.html", context, status=status)


def _lead_access(request: AuthenticatedHttpRequest, audit_id: int) -> ReviewAccess:
    access = review_policy.access_or_404(request.user, audit_id)
    consolidation_require(access)
    if not access.is_lead:
        raise PermissionDenied(_("Only the lead auditor grades findings and adds observations."))
    return access


@login_required
def findings(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = review_policy.access_or_404(request.user, audit_id)
    consolidation_require(access)
    return findings_page(request, access)


@login_required
@require_POST
def finding_grade_view(
    request: AuthenticatedHttpRequest, audit_id: int, finding_id: int
) -> HttpResponse:
    access = _lead_access(request, audit_id)
    finding = finding_get(audit=access.audit, finding_id=finding_id)
    if finding is None:
        raise Http404("No such finding in this audit.")
    form = FindingForm(request.POST, finding=finding, auto_id=f"f{finding.pk}_%s")
    if not form.is_valid():
        return findings_page(request, access, forms={finding.pk: form}, status=400)
    data = form.cleaned_data
    try:
        finding_grade(
            finding=finding,
            user=request.user,
            grade=data.get("grade", ""),
            statement=data["statement"],
            base_version=data["version"],
        )
    except FindingConflictError as exc:
        form.add_error(None, exc.message)
        form_rebase(form, exc.current.version)
        return findings_page(
            request,
            access,
            forms={finding.pk: form},
            current={finding.pk: exc.current},
            status=409,
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)  # also when the form is no longer shown
        return findings_page(request, access, forms={finding.pk: form}, status=400)
    code = finding.assessment.standard.code
    messages.success(request, _("The finding on %(code)s is saved.") % {"code": code})
    return redirect(reverse("reviews:findings", kwargs={"audit_id": audit_id}) + f"#f-{finding.pk}")


@login_required
@require_POST
def observation_add_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = _lead_access(request, audit_id)
    form = ObservationForm(
        request.POST, codes=standard_choices(audit=access.audit), auto_id="obs_%s"
    )
    if not form.is_valid():
        return findings_page(request, access, observation=form, status=400)
    assessment = (
        StandardAssessment.objects.for_institution(access.audit.institution_id)
        .filter(audit=access.audit, standard__code=form.cleaned_data["code"])
        .select_related("standard")
        .get()
    )
    try:
        observation_add(
            audit=access.audit,
            assessment=assessment,
            user=request.user,
            statement=form.cleaned_data["statement"],
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)  # also when the form is no longer shown
        return findings_page(request, access, observation=form, status=400)
    messages.success(
        request,
        _("The observation on %(code)s is recorded.") % {"code": assessment.standard.code},
    )
    return redirect("reviews:findings", audit_id=audit_id)
