"""The assessment interviews of a competences application, on the review's pages: the team and
ERNST read them; an auditor who accepted a place on the team records one while the review is
open. The applicant reads them in the audit report once the draft is released."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from reviews.forms import InterviewForm
from reviews.permissions import ReviewAccess, review_policy
from reviews.selectors import assessments_by_code, interview_list, standard_choices
from reviews.services.interviews import interview_record, interview_refusal


def _access(request: AuthenticatedHttpRequest, audit_id: int) -> ReviewAccess:
    access = review_policy.access_or_404(request.user, audit_id)
    if not access.audit.is_application:  # an institution's audit has no interviews
        raise Http404("No such application.")
    return access


def interviews_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    *,
    form: InterviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    audit = access.audit
    refusal = interview_refusal(audit)
    can_record = access.has_accepted and not refusal
    if form is None and can_record:
        form = InterviewForm(codes=standard_choices(audit=audit))
    context = {
        "access": access,
        "audit": audit,
        "interviews": interview_list(audit=audit),
        "form": form if can_record else None,
        "refusal": refusal if access.has_accepted else "",
    }
    return render(request, "reviews/interviews.html", context, status=status)


@login_required
def interviews(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    return interviews_page(request, _access(request, audit_id))


@login_required
@require_POST
def interview_add(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = _access(request, audit_id)
    audit = access.audit
    form = InterviewForm(request.POST, codes=standard_choices(audit=audit))
    if not form.is_valid():
        return interviews_page(request, access, form=form, status=400)
    data = form.cleaned_data
    competences = assessments_by_code(audit=audit, codes=data["codes"])
    try:
        interview_record(
            audit=audit,
            user=request.user,
            held_on=data["held_on"],
            mode=data["mode"],
            participants=data["participants"],
            competences=competences,
            outcome=data["outcome"],
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        status = 403 if isinstance(exc, ActionForbiddenError) else 400
        return interviews_page(request, access, form=form, status=status)
    messages.success(request, _("The interview is recorded; it appears in the audit report."))
    return redirect("reviews:interviews", audit_id=audit.pk)
