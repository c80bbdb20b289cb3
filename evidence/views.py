"""Evidence pages: upload (several files, one transaction each), download, replace, links,
delete, personal-data review.

Every view resolves the audit and the file through the policies first: a file outside the user's
reach is a 404, whatever the URL. Someone who may see a file but not change it (an auditor, an
admin, a contributor on another standard) gets a 403 with the reason; a sealed dossier a 400.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from audits.models import Audit
from audits.permissions import AssessmentAction, AuditAction, assessment_policy, audit_policy
from audits.services.seal import SEALED_MESSAGE
from audits.views_dossier import dashboard_page, standard_page, standard_refusal
from evidence import services
from evidence.filters import ReusableFileFilter
from evidence.forms import EffectiveDateForm, LinksForm, ReplaceForm, UploadForm
from evidence.models import EvidenceFile, EvidenceRevision
from evidence.permissions import EvidenceAction, evidence_policy
from rescue.confirm import Confirmation, confirmation_page
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.files import (
    INLINE_POLICIES,
    StoredFileMissingError,
    private_attachment,
    private_inline,
    stored_file_open,
)
from rescue.http import AuthenticatedHttpRequest
from rescue.lists import list_page

NOT_YOURS = gettext_lazy("You can see this file but not change it.")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _return_code(request: HttpRequest) -> str:
    return request.POST.get("return_to", "")


def _visible_code(request: HttpRequest, audit: Audit, code: str) -> str:
    """``code`` if it names a standard of the audit the user sees, else ""."""
    if not code or "\x00" in code or len(code) > 20:
        return ""
    visible = assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, audit)
    return code if visible.filter(standard__code=code).exists() else ""


def _back(request: HttpRequest, audit: Audit) -> HttpResponse:
    code = _return_code(request)
    if (
        code
        and assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, audit)
        .filter(standard__code=code)
        .exists()
    ):
        return redirect("audits:standard", audit_id=audit.pk, code=code)
    return redirect("audits:detail", audit_id=audit.pk)


def _page(
    request: AuthenticatedHttpRequest,
    audit: Audit,
    code: str,
    status: int,
    upload_form: UploadForm | None = None,
) -> HttpResponse:
    """The standard page the form came from (or the dashboard) with the messages, re-rendered."""
    if code:
        assessment = (
            assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, audit)
            .select_related("standard__section", "audit__catalogue_version", "audit__institution")
            .filter(standard__code=code)
            .first()
        )
        if assessment is not None:
            return standard_page(request, assessment, upload_form=upload_form, status=status)
    return dashboard_page(request, audit, status=status)


def _upload_refusal(
    audit: Audit, form: UploadForm, codes: list[str], editable: list
) -> tuple[str, int] | None:
    if audit.is_sealed:
        return str(SEALED_MESSAGE), 400
    if len(editable) != len(codes):
        return _("You cannot add evidence to these standards."), 403
    if not form.is_valid():
        return "; ".join(str(e) for errs in form.errors.values() for e in errs), 400
    return None


@login_required
@require_POST
def evidence_upload(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    form = UploadForm(request.POST, request.FILES)
    codes = sorted(set(request.POST.getlist("standards")))
    visible = assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, audit)
    if not codes or visible.filter(standard__code__in=codes).count() != len(codes):
        raise Http404(_("No such standard in this audit."))
    editable = list(
        assessment_policy.assessments_for(request.user, AssessmentAction.EDIT, audit)
        .filter(standard__code__in=codes)
        .select_related("standard")
    )
    # Files the upload handler refused (too large) never reach the form.
    refused = [
        {"name": name, "reason": _("%(file)s: %(reason)s") % {"file": name, "reason": reason}}
        for name, reason in getattr(request, "upload_refusals", [])
    ]
    stored: list[EvidenceFile] = []
    status = 400
    if refusal := _upload_refusal(audit, form, codes, editable):
        refused.append({"name": "", "reason": refusal[0]})
        status = refusal[1]
    elif not form.cleaned_data["files"] and not refused:
        refused.append({"name": "", "reason": _("Choose at least one file.")})
    elif form.cleaned_data["files"]:
        outcome = services.evidence_upload_many(
            audit=audit,
            user=request.user,
            files=form.cleaned_data["files"],
            assessments=editable,
            confirmed_no_personal_data=form.cleaned_data["confirmed_no_personal_data"],
            effective_date=form.cleaned_data["effective_date"],
        )
        stored = outcome.stored
        refused += [{"name": name, "reason": message} for name, message in outcome.refused]
    if not refused:
        status = 201
    if _wants_json(request):
        uploaded = [
            {
                "id": evidence.pk,
                "name": evidence.current.original_name,
                "sha256": evidence.current.sha256,
                "size": evidence.current.size,
                "flagged": evidence.current.is_flagged,
            }
            for evidence in stored
        ]
        # The page reloads once every file is stored: it shows these messages then.
        for evidence in stored:
            messages.success(request, _uploaded(evidence))
        return JsonResponse({"uploaded": uploaded, "refused": refused}, status=status)
    for evidence in stored:
        messages.success(request, _uploaded(evidence))
    for item in refused:
        messages.error(request, item["reason"])
    if refused:
        return _page(request, audit, _return_code(request) or codes[0], status, upload_form=form)
    return _back(request, audit)


def _uploaded(evidence: EvidenceFile) -> str:
    if evidence.current.is_flagged:
        return _("%(file)s uploaded; it may contain personal data: review it below.") % {
            "file": evidence.current.original_name
        }
    return _("%(file)s uploaded.") % {"file": evidence.current.original_name}


@login_required
def evidence_download(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> FileResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    evidence = evidence_policy.get_or_404(request.user, EvidenceAction.VIEW, audit, evidence_id)
    revision = evidence.current_revision
    number = request.GET.get("revision")
    if number:
        if not (number.isascii() and number.isdigit()):  # "²" is a digit int() refuses
            raise Http404(_("No such revision."))
        revision = (
            EvidenceRevision.objects.for_institution(audit.institution_id)
            .filter(evidence=evidence, number=int(number))
            .first()
        )
    if revision is None:
        raise Http404(_("No such revision."))
    try:
        stored = stored_file_open(
            revision.file, label=f"evidence {evidence.pk} revision {revision.number}"
        )
    except StoredFileMissingError:
        raise Http404(_("The stored file is missing; ask the platform administrators.")) from None
    return private_attachment(
        stored, filename=revision.original_name, content_type=revision.mime_type
    )


@login_required
def evidence_preview(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> FileResponse:
    """The current revision of a PDF or an image, shown by the browser (after the same check as
    a download); any other type is not previewed (404: the page offers its download)."""
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    evidence = evidence_policy.get_or_404(request.user, EvidenceAction.VIEW, audit, evidence_id)
    revision = evidence.current_revision
    if revision is None or revision.mime_type not in INLINE_POLICIES:
        raise Http404(_("This file has no preview; download it instead."))
    try:
        stored = stored_file_open(
            revision.file, label=f"evidence {evidence.pk} revision {revision.number}"
        )
    except StoredFileMissingError:
        raise Http404(_("The stored file is missing; ask the platform administrators.")) from None
    return private_inline(stored, filename=revision.original_name, content_type=revision.mime_type)


def _change_refusal(
    request: AuthenticatedHttpRequest, audit: Audit, evidence: EvidenceFile, code: str
) -> HttpResponse | None:
    """The page refusing a change to the file (sealed dossier 400, a file the user may only see
    403), or None when it may be changed."""
    if audit.is_sealed:
        messages.error(request, SEALED_MESSAGE)
        return _page(request, audit, code, 400)
    if (
        not evidence_policy.files_for(request.user, EvidenceAction.CHANGE, audit)
        .filter(pk=evidence.pk)
        .exists()
    ):
        messages.error(request, NOT_YOURS)
        return _page(request, audit, code, 403)
    return None


def _change(
    request: AuthenticatedHttpRequest,
    audit_id: int,
    evidence_id: int,
    action: Callable[[Audit, EvidenceFile], object],
    success: Callable[[EvidenceFile], str],
) -> HttpResponse:
    """Resolve the file (404 outside reach), refuse a sealed dossier (400) or a file the user may
    only see (403), run ``action``; a domain refusal re-renders the page with its message (400)."""
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    evidence = evidence_policy.get_or_404(request.user, EvidenceAction.VIEW, audit, evidence_id)
    code = _return_code(request)
    if refused := _change_refusal(request, audit, evidence, code):
        return refused
    try:
        action(audit, evidence)
    except ActionForbiddenError as exc:
        messages.error(request, exc.message)
        return _page(request, audit, code, 403)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return _page(request, audit, code, 400)
    except PermissionError:
        messages.error(request, NOT_YOURS)
        return _page(request, audit, code, 403)
    messages.success(request, success(evidence))
    return _back(request, audit)


def _replace(request: AuthenticatedHttpRequest) -> Callable[[Audit, EvidenceFile], object]:
    def action(audit: Audit, evidence: EvidenceFile) -> object:
        form = ReplaceForm(request.POST, request.FILES)
        refusals = getattr(request, "upload_refusals", [])
        if refusals:
            raise ActionRefusedError(
                "; ".join(_("%(file)s: %(reason)s") % {"file": n, "reason": r} for n, r in refusals)
            )
        if not form.is_valid():
            raise ActionRefusedError(_("Choose the new version of the file."))
        return services.evidence_replace(
            evidence=evidence,
            user=request.user,
            uploaded=form.cleaned_data["file"],
            confirmed_no_personal_data=form.cleaned_data["confirmed_no_personal_data"],
        )

    return action


@login_required
@require_POST
def evidence_replace(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> HttpResponse:
    return _change(
        request,
        audit_id,
        evidence_id,
        _replace(request),
        lambda evidence: _("New version of %(file)s stored.") % {"file": evidence},
    )


def _links(request: AuthenticatedHttpRequest) -> Callable[[Audit, EvidenceFile], object]:
    def action(audit: Audit, evidence: EvidenceFile) -> object:
        editable = assessment_policy.assessments_for(request.user, AssessmentAction.EDIT, audit)
        form = LinksForm(request.POST, assessments=editable)
        if not form.is_valid():
            raise ActionRefusedError(_("Choose at least one standard of this audit."))
        return services.evidence_links_set(
            evidence=evidence, user=request.user, assessments=list(form.cleaned_data["assessments"])
        )

    return action


@login_required
@require_POST
def evidence_links(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> HttpResponse:
    return _change(
        request,
        audit_id,
        evidence_id,
        _links(request),
        lambda evidence: _("The standards supported by %(file)s are saved.") % {"file": evidence},
    )


def _effective_date(request: AuthenticatedHttpRequest) -> Callable[[Audit, EvidenceFile], object]:
    def action(audit: Audit, evidence: EvidenceFile) -> object:
        form = EffectiveDateForm(request.POST)
        if not form.is_valid():
            raise ActionRefusedError(
                _("%(file)s: enter the date as YYYY-MM-DD, or leave it empty.") % {"file": evidence}
            )
        return services.evidence_effective_date_set(
            evidence=evidence, user=request.user, effective_date=form.cleaned_data["effective_date"]
        )

    return action


@login_required
@require_POST
def evidence_date(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> HttpResponse:
    return _change(
        request,
        audit_id,
        evidence_id,
        _effective_date(request),
        lambda evidence: _("Effective date of %(file)s saved.") % {"file": evidence},
    )


@login_required
@require_http_methods(["GET", "POST"])
def evidence_delete(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> HttpResponse:
    """GET asks first, naming the file and the standards it supports; POST removes it."""
    if request.method == "GET":
        return _delete_confirmation(request, audit_id, evidence_id)
    return _change(
        request,
        audit_id,
        evidence_id,
        lambda audit, evidence: services.evidence_delete(evidence=evidence, user=request.user),
        lambda evidence: _("%(file)s removed from the dossier.") % {"file": evidence},
    )


def _file_to_change(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> tuple[Audit, EvidenceFile, str] | HttpResponse:
    """The file a page of changes is about and the standard it came from (``return_to``, if the
    user sees it), or the page refusing it: 404 outside reach, 400 sealed, 403 not theirs."""
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    evidence = evidence_policy.get_or_404(request.user, EvidenceAction.VIEW, audit, evidence_id)
    code = _visible_code(request, audit, request.GET.get("return_to", ""))
    if refused := _change_refusal(request, audit, evidence, code):
        return refused
    return audit, evidence, code


def _back_url(audit: Audit, code: str) -> str:
    """The standard's page to go back to, else the dossier's."""
    if code:
        return reverse("audits:standard", kwargs={"audit_id": audit.pk, "code": code})
    return reverse("audits:detail", kwargs={"audit_id": audit.pk})


@login_required
def evidence_file_view(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> HttpResponse:
    """A file's own page, for those who may change it: its versions, a new version, its
    effective date, the standards it supports (one checkbox per standard the user may edit),
    removal. Reached from the file's row on a standard page (``return_to``), where each of its
    forms leads back."""
    found = _file_to_change(request, audit_id, evidence_id)
    if isinstance(found, HttpResponse):
        return found
    audit, evidence, code = found
    linked = set(
        evidence.links.filter(institution=audit.institution_id).values_list(
            "assessment_id", flat=True
        )
    )
    editable = (
        assessment_policy.assessments_for(request.user, AssessmentAction.EDIT, audit)
        .select_related("standard")
        .order_by("standard__order")
    )
    back = _back_url(audit, code)
    context = {
        "audit": audit,
        "file": evidence,
        "revision": evidence.current,
        "revisions": list(
            EvidenceRevision.objects.for_institution(audit.institution_id).filter(evidence=evidence)
        ),
        "links": [{"assessment": a, "checked": a.pk in linked} for a in editable],
        "return_to": code,
        "back": back,
        "back_label": code or _("The dossier"),
    }
    return render(request, "evidence/file.html", context)


@login_required
def standard_reuse_view(
    request: AuthenticatedHttpRequest, audit_id: int, code: str
) -> HttpResponse:
    """The dossier's files this standard could use too (those the user may change and not linked
    to it yet), searched by name, 25 a page; each one's button links it (``standard_link``)."""
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    assessment = assessment_policy.get_or_404(request.user, AssessmentAction.VIEW, audit, code)
    if refusal := standard_refusal(request, assessment, AssessmentAction.EDIT):
        return refusal
    files = (
        evidence_policy.files_for(request.user, EvidenceAction.CHANGE, audit)
        .exclude(links__assessment=assessment)
        .select_related("current_revision")
        .order_by("current_revision__original_name", "pk")
    )
    listing = list_page(request, ReusableFileFilter(request.GET, queryset=files))
    return render(
        request,
        "evidence/reuse.html",
        {
            "audit": audit,
            "assessment": assessment,
            "standard": assessment.standard,
            "list": listing,
        },
        status=listing.status,
    )


def _delete_confirmation(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> HttpResponse:
    found = _file_to_change(request, audit_id, evidence_id)
    if isinstance(found, HttpResponse):
        return found
    audit, evidence, code = found
    codes = sorted(
        evidence.links.filter(institution=audit.institution_id).values_list(
            "assessment__standard__code", flat=True
        )
    )
    back = _back_url(audit, code)
    names = {"file": str(evidence), "standards": ", ".join(codes) or "—"}
    return confirmation_page(
        request,
        Confirmation(
            title=_("Remove %(file)s from the dossier?") % names,
            button=_("Remove %(file)s") % names,
            cancel_url=back,
            consequences=[
                _("It no longer supports these standards: %(standards)s.") % names,
                _("Its versions and their digests stay in the audit's history."),
            ],
            hidden={"return_to": code} if code else {},
            breadcrumb=(back, code or _("The dossier")),
        ),
    )


@login_required
@require_POST
def evidence_review(
    request: AuthenticatedHttpRequest, audit_id: int, evidence_id: int
) -> HttpResponse:
    return _change(
        request,
        audit_id,
        evidence_id,
        lambda audit, evidence: services.evidence_flag_review(evidence=evidence, user=request.user),
        lambda evidence: _("%(file)s: reviewed and kept.") % {"file": evidence},
    )
