"""The institution side of an audit: start, dashboard, standard pages, submission, history."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import PERM_MANAGE_ALL_INSTITUTIONS
from audits.forms import (
    AssigneesForm,
    AuditStartForm,
    PriorCertificationForm,
    ReuseForm,
    SelfRatingForm,
)
from audits.models import Audit, StandardAssessment
from audits.permissions import (
    AssessmentAction,
    AuditAction,
    assessment_policy,
    audit_policy,
)
from audits.selectors import (
    assessment_live_files,
    assessment_summary,
    audit_event_list,
    audit_progress_annotate,
    dossier_summary,
    flagged_file_list,
)
from audits.services.applications import audit_create, prior_certification_confirm
from audits.services.assessments import assessment_assignees_set, assessment_self_rate
from audits.services.seal import SEALED_MESSAGE
from audits.services.submission import DossierIncompleteError, audit_submit, carried_to_confirm
from evidence.forms import UploadForm
from evidence.models import EvidenceRevision
from evidence.permissions import EvidenceAction, evidence_policy
from evidence.services import evidence_link_add
from institutions.models import Membership
from institutions.permissions import InstitutionAction, institution_policy
from reports.permissions import report_policy
from rescue.errors import ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from reviews.models import EvidenceRequest, ReviewReport
from reviews.permissions import evidence_requests_for, outcome_visible
from reviews.services.report import review_report_of

HISTORY_PAGE_SIZE = 100


@login_required
def audit_start(request: AuthenticatedHttpRequest, institution_id: int) -> HttpResponse:
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.START_AUDIT, institution_id
    )
    form = AuditStartForm(request.POST or None, initial={"setting": institution.setting})
    if request.method == "POST" and form.is_valid():
        try:
            audit = audit_create(institution=institution, user=request.user, **form.cleaned_data)
        except ActionRefusedError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The audit is started. Work through the standards below."))
            return redirect("audits:detail", audit_id=audit.pk)
    status = 400 if form.errors else 200
    context = {"institution": institution, "form": form}
    return render(request, "audits/audit_start.html", context, status=status)


@login_required
@require_POST
def prior_certification(request: AuthenticatedHttpRequest, institution_id: int) -> HttpResponse:
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.VIEW, institution_id
    )
    if not request.user.has_perm(PERM_MANAGE_ALL_INSTITUTIONS):
        raise Http404
    form = PriorCertificationForm(request.POST)
    if form.is_valid():
        try:
            prior_certification_confirm(
                institution=institution,
                user=request.user,
                reason=form.cleaned_data["reason"],
                valid_until=form.cleaned_data["valid_until"],
            )
        except ActionRefusedError as exc:
            messages.error(request, exc.message)
            return redirect("institutions:detail", institution_id=institution.pk)
        messages.success(
            request,
            _("Execution certification of %(institution)s recorded.")
            % {"institution": institution},
        )
    else:
        messages.error(
            request, _("Record what the confirmation rests on and the date it is valid until.")
        )
    return redirect("institutions:detail", institution_id=institution.pk)


def dashboard_page(
    request: AuthenticatedHttpRequest, audit: Audit, gaps: list | None = None, status: int = 200
) -> HttpResponse:
    visible = assessment_policy.assessments_for(request.user, AssessmentAction.VIEW, audit)
    sections = dossier_summary(audit=audit, assessments=visible)
    items = [item for section in sections for item in section.items]
    done = sum(item.complete for item in items)
    # Someone who sees only some standards (a contributor: theirs) is told so, and is shown the
    # whole dossier's state beside their own.
    if assessment_policy.reaches_every_standard(request.user, audit):
        dossier = {"standards_total": len(items), "standards_ready": done}
    else:
        dossier = (
            audit_progress_annotate(Audit.objects.for_institution(audit.institution_id))
            .values("standards_total", "standards_ready")  # type: ignore[misc]
            .get(pk=audit.pk)
        )
    partial = len(items) < dossier["standards_total"]
    context = {
        "audit": audit,
        "sections": sections,
        "done": done,
        "total": len(items),
        "percent": round(100 * done / len(items)) if items else 0,
        "partial": partial,
        "dossier_done": dossier["standards_ready"],
        "dossier_total": dossier["standards_total"],
        "dossier_gaps": dossier["standards_total"] - dossier["standards_ready"],
        "dossier_percent": round(100 * dossier["standards_ready"] / dossier["standards_total"])
        if dossier["standards_total"]
        else 0,
        "missing": [item for item in items if not item.complete],
        "flagged": flagged_file_list(audit=audit, assessments=visible)
        if any(item.flagged for item in items)
        else [],
        "gaps": gaps,
        "events": audit_event_list(audit=audit, user=request.user, visible=visible, limit=8),
        "can": audit_policy.capabilities(request.user, audit),
        "can_report": report_policy.can(request.user, audit),
        "reports": report_policy.reports_for(request.user, audit)[:5],
        "evidence_requests": _evidence_requests(request.user, audit),
        "review_report": _released_report(request.user, audit),
        "renewal": _renewal(audit, items),
    }
    return render(request, "audits/audit_dashboard.html", context, status=status)


def _renewal(audit: Audit, items: list[Any]) -> dict[str, Any] | None:
    """A renewal dossier: the certificate renewed, the copied self-assessments not saved again
    and the carried files not confirmed yet (the certification app's ``Renewal``, read through
    its reverse accessor)."""
    renewal = getattr(audit, "renewal", None)
    if renewal is None:
        return None
    return {
        "certificate": renewal.certificate,
        "drafts": sum(item.assessment.copied_at is not None for item in items),
        "to_confirm": carried_to_confirm(audit).count(),
    }


RELEASED_STAGES = (
    Audit.Status.DRAFT_RELEASED,
    Audit.Status.FINAL_REPORT,
    Audit.Status.DECIDED,
    Audit.Status.CLOSED,
)


def _released_report(user: Any, audit: Audit) -> ReviewReport | None:
    """The released audit report's course, for those who read the review's outcome."""
    if audit.status not in RELEASED_STAGES or not outcome_visible(user, audit):
        return None
    report = review_report_of(audit)
    return report if report.is_released else None


def _evidence_requests(
    user: Any, audit: Audit, assessment: StandardAssessment | None = None
) -> list[EvidenceRequest]:
    """The auditors' evidence requests the user reaches (a sealed dossier only has any)."""
    if not audit.is_sealed:
        return []
    requests = evidence_requests_for(user, audit).prefetch_related("assessments__standard")
    if assessment is not None:
        requests = requests.filter(assessments=assessment)
    return list(requests[:20])


@login_required
def audit_dashboard(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    return dashboard_page(request, audit)


@login_required
@require_POST
def audit_submit_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    if audit.is_sealed:
        messages.error(request, _("This dossier has been submitted already."))
        return dashboard_page(request, audit, status=400)
    if not audit_policy.can(request.user, AuditAction.SUBMIT, audit):
        messages.error(request, _("Only a coordinator of the institution submits the dossier."))
        return dashboard_page(request, audit, status=403)
    try:
        audit_submit(audit=audit, user=request.user)
    except DossierIncompleteError as exc:
        messages.error(request, exc.message)
        return dashboard_page(request, audit, gaps=exc.gaps, status=400)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return dashboard_page(request, audit, status=400)
    messages.success(request, _("The dossier is submitted and sealed."))
    return redirect("audits:detail", audit_id=audit.pk)


@login_required
def audit_history(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    page = Paginator(assessment_policy.events_for(request.user, audit), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"audit": audit, "events": page.object_list, "page": page}
    return render(request, "audits/audit_history.html", context)


def _members(audit: Audit) -> QuerySet[User]:
    return User.objects.filter(
        memberships__institution_id=audit.institution_id,
        memberships__role__in=Membership.DOSSIER_ROLES,
        is_active=True,
    ).order_by("email")


FILES_PER_PAGE = 25


def standard_page(
    request: AuthenticatedHttpRequest,
    assessment: StandardAssessment,
    rating_form: SelfRatingForm | None = None,
    upload_form: UploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    audit = assessment.audit
    user = request.user
    progress = assessment_summary(assessment=assessment)
    can_edit = assessment_policy.can(user, AssessmentAction.EDIT, assessment)
    can_assign = assessment_policy.can(user, AssessmentAction.ASSIGN, assessment)
    changeable_files = evidence_policy.files_for(user, EvidenceAction.CHANGE, audit)
    # Each file's changes are on its own page, and the files this standard could use too are
    # picked on a searchable list: the page's size follows this standard's files only.
    # The standard's files, FILES_PER_PAGE at a time (its progress counts them all in SQL).
    files = assessment_live_files(assessment=assessment)
    files_page = Paginator(files, FILES_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(files_page.object_list)
    if evidence_policy.changes_every_file(user, audit):
        changeable = {f.pk for f in shown if f.audit_id == audit.pk}
    else:
        changeable = set(
            changeable_files.filter(pk__in=[f.pk for f in shown]).values_list("pk", flat=True)
        )
    revisions: dict[int, list[EvidenceRevision]] = {}
    for revision in EvidenceRevision.objects.for_institution(audit.institution_id).filter(
        evidence__in=[f.pk for f in shown]
    ):  # newest first
        revisions.setdefault(revision.evidence_id, []).append(revision)
    context = {
        "audit": audit,
        "assessment": assessment,
        "standard": assessment.standard,
        "progress": progress,
        "changeable": changeable,
        "file_rows": [{"file": f, "revisions": revisions.get(f.pk, [])} for f in shown],
        "files_list": {"page": files_page, "querystring": "", "filtered": False},
        "can_reuse": can_edit and changeable_files.exclude(links__assessment=assessment).exists(),
        "max_size": filesizeformat(settings.EVIDENCE_MAX_FILE_SIZE),
        "evidence_requests": _evidence_requests(user, audit, assessment),
        "can_edit": can_edit,
        "can_assign": can_assign,
        "can_review_flags": can_assign,
        "rating_form": rating_form
        or SelfRatingForm(
            application=audit.is_application,
            initial={
                "self_rating": assessment.self_rating,
                "narrative": assessment.narrative,
                "justification": assessment.justification,
            },
        ),
        "upload_form": upload_form or UploadForm(),
        "assignees_form": AssigneesForm(
            members=_members(audit), initial={"assignees": list(assessment.assignees.all())}
        )
        if can_assign
        else None,
    }
    return render(request, "audits/standard_detail.html", context, status=status)


@login_required
def standard_detail(request: AuthenticatedHttpRequest, audit_id: int, code: str) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    assessment = assessment_policy.get_or_404(request.user, AssessmentAction.VIEW, audit, code)
    return standard_page(request, assessment)


@login_required
@require_POST
def standard_rate(request: AuthenticatedHttpRequest, audit_id: int, code: str) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    assessment = assessment_policy.get_or_404(request.user, AssessmentAction.VIEW, audit, code)
    if refusal := standard_refusal(request, assessment, AssessmentAction.EDIT):
        return refusal
    form = SelfRatingForm(request.POST, application=audit.is_application)
    if not form.is_valid():
        return standard_page(request, assessment, rating_form=form, status=400)
    try:
        assessment_self_rate(assessment=assessment, user=request.user, **form.cleaned_data)
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        return standard_page(request, assessment, rating_form=form, status=400)
    messages.success(
        request,
        _("Self-assessment of %(code)s saved.") % {"code": assessment.standard.code},
    )
    return redirect("audits:standard", audit_id=audit.pk, code=code)


def standard_refusal(
    request: AuthenticatedHttpRequest, assessment: StandardAssessment, action: AssessmentAction
) -> HttpResponse | None:
    """The page with the reason when the dossier is sealed (400) or the action is not the
    user's (403); None when the user may go on."""
    if assessment.audit.is_sealed:
        messages.error(request, SEALED_MESSAGE)
        return standard_page(request, assessment, status=400)
    if not assessment_policy.can(request.user, action, assessment):
        if action == AssessmentAction.ASSIGN and assessment.audit.is_application:
            messages.error(
                request,
                _("An application is its applicant's own work: nobody is assigned to it."),
            )
            return standard_page(request, assessment, status=403)
        messages.error(request, _("You can read this standard but not change it."))
        return standard_page(request, assessment, status=403)
    return None


@login_required
@require_POST
def standard_assignees(request: AuthenticatedHttpRequest, audit_id: int, code: str) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    assessment = assessment_policy.get_or_404(request.user, AssessmentAction.VIEW, audit, code)
    if refusal := standard_refusal(request, assessment, AssessmentAction.ASSIGN):
        return refusal
    form = AssigneesForm(request.POST, members=_members(audit))
    if not form.is_valid():
        messages.error(request, _("Choose members of the institution."))
        return standard_page(request, assessment, status=400)
    try:
        assessment_assignees_set(
            assessment=assessment, user=request.user, assignees=form.cleaned_data["assignees"]
        )
    except ActionRefusedError as exc:  # sealed or a member removed meanwhile
        messages.error(request, exc.message)
        return standard_page(request, assessment, status=400)
    messages.success(request, _("People assigned to %(code)s saved.") % {"code": code})
    return redirect("audits:standard", audit_id=audit.pk, code=code)


@login_required
@require_POST
def standard_link(request: AuthenticatedHttpRequest, audit_id: int, code: str) -> HttpResponse:
    """Use a file already in the dossier for this standard too."""
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    assessment = assessment_policy.get_or_404(request.user, AssessmentAction.VIEW, audit, code)
    if refusal := standard_refusal(request, assessment, AssessmentAction.EDIT):
        return refusal
    form = ReuseForm(
        request.POST, files=evidence_policy.files_for(request.user, EvidenceAction.CHANGE, audit)
    )
    if not form.is_valid():
        messages.error(request, _("Choose a file of this dossier."))
        return standard_page(request, assessment, status=400)
    evidence = form.cleaned_data["evidence"]
    try:
        evidence_link_add(evidence=evidence, user=request.user, assessment=assessment)
    except ActionRefusedError as exc:  # sealed meanwhile
        messages.error(request, exc.message)
        return standard_page(request, assessment, status=400)
    messages.success(
        request,
        _("%(file)s now also supports %(code)s.") % {"file": evidence, "code": code},
    )
    return redirect("audits:standard", audit_id=audit.pk, code=code)
