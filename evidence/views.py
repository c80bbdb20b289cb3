"""Evidence pages: upload (several files, one transaction each), download, replace, links,
delete, personal-data review. Every view resolves the audit and the file through the policies
first: a file outside the user's reach is a 404, whatever the URL."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from audits.models import Audit
from audits.permissions import AssessmentAction, AuditAction, assessment_policy, audit_policy
from audits.views_dossier import dashboard_page, standard_page
from evidence import services
from evidence.forms import LinksForm, ReplaceForm, UploadForm
from evidence.models import EvidenceFile, EvidenceRevision
from evidence.permissions import EvidenceAction, evidence_policy
from rescue.errors import ActionRefusedError


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, audit: Audit) -> HttpResponse:
    code = request.POST.get("return_to", "")
    if (
        code
        and assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, audit)
        .filter(standard__code=code)
        .exists()
    ):
        return redirect("audits:standard", audit_id=audit.pk, code=code)
    return redirect("audits:detail", audit_id=audit.pk)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    editable = assessment_policy.assessments_for(request.user, AssessmentAction.EDIT, audit)
    form = UploadForm(request.POST, request.FILES)
    refused: list[dict[str, str]] = [
        {"name": name, "reason": f"{name}: {reason}"}
        for name, reason in getattr(request, "upload_refusals", [])
    ]
    uploaded: list[dict[str, object]] = []
    codes = request.POST.getlist("standards")
    assessments = list(editable.filter(standard__code__in=codes).select_related("standard"))
    if not form.is_valid():
        refused.append(
            {"name": "", "reason": "; ".join(e for errs in form.errors.values() for e in errs)}
        )
    elif audit.is_sealed:
        refused.append(
            {"name": "", "reason": "The dossier is submitted and can no longer be changed."}
        )
    elif not assessments or len(assessments) != len(set(codes)):
        raise Http404("No such standard in this audit.")
    elif not form.cleaned_data["files"] and not refused:
        refused.append({"name": "", "reason": "Choose at least one file."})
    else:
        for file in form.cleaned_data["files"]:
            try:
                with transaction.atomic():
                    evidence = services.evidence_upload(
                        audit=audit,
                        user=request.user,
                        uploaded=file,
                        assessments=assessments,
                        confirmed_no_personal_data=form.cleaned_data["confirmed_no_personal_data"],
                        effective_date=form.cleaned_data["effective_date"],
                    )
            except ActionRefusedError as exc:
                refused.append({"name": file.name, "reason": exc.message})
            else:
                revision = evidence.current_revision
                uploaded.append(
                    {
                        "id": evidence.pk,
                        "name": revision.original_name,
                        "sha256": revision.sha256,
                        "size": revision.size,
                        "flagged": revision.is_flagged,
                    }
                )
    status = 400 if refused else 201
    if _wants_json(request):
        return JsonResponse({"uploaded": uploaded, "refused": refused}, status=status)
    for item in uploaded:
        messages.success(request, f"{item['name']} uploaded.")
    for item in refused:
        messages.error(request, item["reason"])
    if refused:
        return _standard_or_dashboard(request, audit, codes, status=400)
    return _back(request, audit)


def _standard_or_dashboard(
    request: HttpRequest, audit: Audit, codes: list[str], status: int
) -> HttpResponse:
    if codes:
        assessment = (
            assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, audit)
            .select_related("standard__section", "audit__catalogue_version", "audit__institution")
            .filter(standard__code=codes[0])
            .first()
        )
        if assessment is not None:
            return standard_page(request, assessment, status=status)
    return dashboard_page(request, audit, status=status)


@login_required
def evidence_download(request: HttpRequest, audit_id: int, evidence_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    evidence = evidence_policy.get_or_404(request.user, EvidenceAction.VIEW, audit, evidence_id)
    revision = evidence.current_revision
    number = request.GET.get("revision")
    if number:
        if not number.isdigit():
            raise Http404("No such revision.")
        revision = (
            EvidenceRevision.objects.for_institution(audit.institution_id)
            .filter(evidence=evidence, number=int(number))
            .first()
        )
    if revision is None:
        raise Http404("No such revision.")
    response = FileResponse(
        revision.file.open("rb"),
        as_attachment=True,
        filename=revision.original_name,
        content_type=revision.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _changeable(
    request: HttpRequest, audit_id: int, evidence_id: int
) -> tuple[Audit, EvidenceFile]:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    evidence = evidence_policy.get_or_404(request.user, EvidenceAction.VIEW, audit, evidence_id)
    return audit, evidence


def _run(request: HttpRequest, audit: Audit, action: object, success: str) -> HttpResponse:
    try:
        action()
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        codes = [request.POST["return_to"]] if request.POST.get("return_to") else []
        return _standard_or_dashboard(request, audit, codes, status=400)
    except PermissionError:
        raise Http404 from None
    messages.success(request, success)
    return _back(request, audit)


@login_required
@require_POST
def evidence_replace(request: HttpRequest, audit_id: int, evidence_id: int) -> HttpResponse:
    audit, evidence = _changeable(request, audit_id, evidence_id)
    form = ReplaceForm(request.POST, request.FILES)
    if not form.is_valid():
        refusals = getattr(request, "upload_refusals", [])
        reason = (
            "; ".join(f"{n}: {r}" for n, r in refusals) or "Choose the new version of the file."
        )
        messages.error(request, reason)
        return _standard_or_dashboard(request, audit, [request.POST.get("return_to", "")], 400)
    return _run(
        request,
        audit,
        lambda: services.evidence_replace(
            evidence=evidence,
            user=request.user,
            uploaded=form.cleaned_data["file"],
            confirmed_no_personal_data=form.cleaned_data["confirmed_no_personal_data"],
        ),
        f"New version of {evidence} stored.",
    )


@login_required
@require_POST
def evidence_links(request: HttpRequest, audit_id: int, evidence_id: int) -> HttpResponse:
    audit, evidence = _changeable(request, audit_id, evidence_id)
    editable = assessment_policy.assessments_for(request.user, AssessmentAction.EDIT, audit)
    form = LinksForm(request.POST, assessments=editable)
    if not form.is_valid():
        messages.error(request, "Choose at least one standard of this audit.")
        return _standard_or_dashboard(request, audit, [request.POST.get("return_to", "")], 400)
    return _run(
        request,
        audit,
        lambda: services.evidence_links_set(
            evidence=evidence, user=request.user, assessments=list(form.cleaned_data["assessments"])
        ),
        f"The standards supported by {evidence} are saved.",
    )


@login_required
@require_POST
def evidence_delete(request: HttpRequest, audit_id: int, evidence_id: int) -> HttpResponse:
    audit, evidence = _changeable(request, audit_id, evidence_id)
    return _run(
        request,
        audit,
        lambda: services.evidence_delete(evidence=evidence, user=request.user),
        f"{evidence} removed from the dossier.",
    )


@login_required
@require_POST
def evidence_review(request: HttpRequest, audit_id: int, evidence_id: int) -> HttpResponse:
    audit, evidence = _changeable(request, audit_id, evidence_id)
    return _run(
        request,
        audit,
        lambda: services.evidence_flag_review(evidence=evidence, user=request.user),
        f"{evidence}: reviewed and kept.",
    )
