"""The pages of a competences application that are not the dossier's own: applying, the
institution's list of its peer supporters' applications, an application's status and its
endorsement. The application's dossier (self-assessment, evidence, submission, review) is the
audit's, at ``/audits/<id>/``, for the applicant, the review team and ERNST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.permissions import AuditAction, audit_policy
from competences.selectors import application_or_404, applications_followed, outcome_label
from competences.services import application_create, application_endorse, open_application_of
from institutions.permissions import InstitutionAction, institution_policy
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from standards.choices import Component
from standards.selectors import catalogue_version_active

PAGE_SIZE = 25


@login_required
def application_start(request: AuthenticatedHttpRequest, institution_id: int) -> HttpResponse:
    """A peer supporter of the institution applies for the certification of their competences."""
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.APPLY, institution_id
    )
    error = ""
    if request.method == "POST":
        try:
            audit = application_create(institution=institution, user=request.user)
        except ActionRefusedError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _(
                    "Your application is started. Assess yourself on each competence and add "
                    "your evidence; a coordinator of %(institution)s endorses it before you "
                    "submit it."
                )
                % {"institution": institution},
            )
            return redirect("audits:detail", audit_id=audit.pk)
    version = catalogue_version_active(component=Component.COMPETENCES)
    context = {
        "institution": institution,
        "open_application": open_application_of(request.user),
        "version": version,
        "competence_count": version.standards.count() if version else 0,
        "error": error,
    }
    return render(
        request, "competences/application_start.html", context, status=400 if error else 200
    )


@login_required
def application_list(request: AuthenticatedHttpRequest, institution_id: int) -> HttpResponse:
    """The institution's peer supporters' applications, for its coordinators and ERNST admins:
    who applied, the stage, the endorsement and the outcome."""
    institution = institution_policy.get_or_404(
        request.user, InstitutionAction.FOLLOW_APPLICATIONS, institution_id
    )
    page = Paginator(applications_followed(request.user, institution), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for audit in page:
        audit.outcome_label = outcome_label(audit)  # type: ignore[attr-defined]
    context = {"institution": institution, "list": {"page": page}}
    return render(request, "competences/application_list.html", context)


@login_required
def application_status_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    return _status_page(request, audit_id)


def _status_page(
    request: AuthenticatedHttpRequest, audit_id: int, *, status: int = 200
) -> HttpResponse:
    """What the applicant's institution reads of the application (its applicant, the review
    team and ERNST read it too): the stage, the endorsement and the outcome."""
    audit = application_or_404(request.user, AuditAction.FOLLOW, audit_id)
    context = {
        "audit": audit,
        "outcome": outcome_label(audit),
        "can": audit_policy.capabilities(request.user, audit),
    }
    return render(request, "competences/application_status.html", context, status=status)


@login_required
@require_POST
def application_endorse_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = application_or_404(request.user, AuditAction.ENDORSE, audit_id)
    try:
        application_endorse(audit=audit, user=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return _status_page(
            request, audit.pk, status=403 if isinstance(exc, ActionForbiddenError) else 400
        )
    messages.success(
        request,
        _("You endorsed %(name)s's application.") % {"name": audit.applicant},
    )
    return redirect("competences:status", audit_id=audit.pk)
