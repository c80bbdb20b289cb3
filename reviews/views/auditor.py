"""The auditor's pages: My reviews, answering an invitation, rating each standard, completing.

Each view resolves the review through ``review_policy.access_or_404`` first: an auditor off the
team gets 404, a member of the institution 403, an ERNST admin reads everything.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_auditor
from audits.models import StandardAssessment
from evidence.models import EvidenceFile
from rescue.confirm import Confirmation, confirmation_page
from rescue.errors import ActionRefusedError
from rescue.files import INLINE_POLICIES
from rescue.http import AuthenticatedHttpRequest
from reviews.forms import AuditorRatingForm, DeclineForm, form_rebase
from reviews.models import AuditorRating
from reviews.permissions import ReviewAccess, rate_refusal, review_policy
from reviews.selectors import StandardRow, audit_evaluation, my_review_page, review_standard_rows
from reviews.services.ratings import RatingConflictError, rating_save, review_complete
from reviews.services.team import assignment_accept, assignment_decline
from reviews.views.team import audit_label
from standards.models import StandardGuidance


@login_required
def my_reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_auditor(request.user):
        raise Http404
    return _my_reviews_page(request)


def _my_reviews_page(request: AuthenticatedHttpRequest, status: int = 200) -> HttpResponse:
    """My reviews: the open reviews first, 25 a page."""
    rows, page = my_review_page(auditor=request.user, number=request.GET.get("page"))
    listing = {"page": page, "querystring": "", "filtered": False}
    return render(
        request, "reviews/my_reviews.html", {"rows": rows, "list": listing}, status=status
    )


@login_required
@require_POST
def invitation_accept(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = review_policy.own_place_or_404(request.user, assignment_id)
    try:
        assignment_accept(assignment=assignment, user=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return _my_reviews_page(request, status=400)
    messages.success(
        request,
        _("You review the %(audit)s. Start with its first standard.")
        % {"audit": audit_label(assignment.audit)},
    )
    return redirect("reviews:overview", audit_id=assignment.audit_id)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_decline(request: AuthenticatedHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = review_policy.own_place_or_404(request.user, assignment_id)
    form = DeclineForm(request.POST or None)
    context = {"assignment": assignment, "form": form, "label": audit_label(assignment.audit)}
    if request.method == "GET":
        return render(request, "reviews/invitation_decline.html", context)
    if form.is_valid():
        try:
            assignment_decline(
                assignment=assignment, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ActionRefusedError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("You declined the %(audit)s; ERNST is told why.") % {"audit": context["label"]},
            )
            return redirect("reviews:mine")
    return render(request, "reviews/invitation_decline.html", context, status=400)


def _neighbours(rows: list[StandardRow], code: str) -> dict[str, str | None]:
    codes = [row.code for row in rows]
    index = codes.index(code)
    unrated = [row.code for row in rows[index + 1 :] + rows[:index] if row.mine is None]
    return {
        "previous": codes[index - 1] if index > 0 else None,
        "next": codes[index + 1] if index + 1 < len(codes) else None,
        "next_unrated": unrated[0] if unrated else None,
    }


def overview_page(
    request: AuthenticatedHttpRequest, access: ReviewAccess, *, status: int = 200
) -> HttpResponse:
    rows = review_standard_rows(access=access)
    rated = sum(row.mine is not None for row in rows)
    # The rule evaluation reads the consolidated ratings: shown to the team and ERNST once the
    # consolidation has started (the rows say whether it has), like the divergences.
    consolidating = any(row.consolidated is not None for row in rows)
    context = {
        "access": access,
        "audit": access.audit,
        "review_url": reverse("reviews:overview", kwargs={"audit_id": access.audit.pk}),
        "rows": rows,
        "rated": rated,
        "first_unrated": next((row.code for row in rows if row.mine is None), None),
        "open_divergences": sum(
            row.consolidated is not None and row.consolidated.is_open for row in rows
        ),
        "evaluation": audit_evaluation(audit=access.audit, rows=rows)
        if consolidating and (access.is_admin or access.has_accepted)
        else None,
    }
    return render(request, "reviews/review_overview.html", context, status=status)


@login_required
def review_overview(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    access = review_policy.access_or_404(request.user, audit_id)
    return overview_page(request, access)


def _files(access: ReviewAccess, assessment: StandardAssessment) -> list[EvidenceFile]:
    """The standard's files in the sealed dossier, by E-number."""
    return list(
        EvidenceFile.objects.for_institution(access.audit.institution_id)
        .filter(links__assessment=assessment, deleted_at__isnull=True)
        .select_related("current_revision")
        .order_by("number", "created_at", "pk")
    )


def _rating_initial(rating: AuditorRating | None) -> dict:
    if rating is None:
        return {"version": 0}
    return {
        "rating": rating.rating,
        "rationale": rating.rationale,
        "notes": rating.notes,
        "evidence": rating.evidence_ids,
        "version": rating.version,
    }


def standard_review_page(
    request: AuthenticatedHttpRequest,
    access: ReviewAccess,
    code: str,
    *,
    form: AuditorRatingForm | None = None,
    conflict: AuditorRating | None = None,
    has_conflict: bool = False,
    saved: bool = False,
    status: int = 200,
) -> HttpResponse:
    rows = review_standard_rows(access=access, texts=True)
    row = next((r for r in rows if r.code == code), None)
    if row is None:
        raise Http404("No such standard in this audit.")
    assessment = row.assessment
    assessment.audit = access.audit  # read with its institution and catalogue version
    files = _files(access, assessment)
    mine = row.mine  # its cited files are prefetched
    if form is None and access.can_rate:
        form = AuditorRatingForm(initial=_rating_initial(mine), files=files, auto_id="rating_%s")
    numbers = {f.pk: f.number for f in files}
    context = {
        "access": access,
        "audit": access.audit,
        "assessment": assessment,
        "standard": assessment.standard,
        "guidance": StandardGuidance.objects.filter(
            standard=assessment.standard, setting=access.audit.setting
        )
        .values_list("text", flat=True)
        .first(),
        "rows": rows,
        "row": row,
        "mine": mine,
        "files": files,
        "numbers": numbers,
        "form": form,
        "conflict": conflict,
        "has_conflict": has_conflict,
        "nav": _neighbours(rows, code),
        "review_url": reverse("reviews:overview", kwargs={"audit_id": access.audit.pk}),
        "cited": sorted(numbers.get(pk, 0) for pk in mine.evidence_ids) if mine else [],
        "previewable": INLINE_POLICIES,
        "saved": saved,
    }
    partial = bool(request.htmx) and request.method == "POST"
    context["oob"] = partial  # the side list is swapped in beside the panel
    template = "reviews/partials/rating_panel.html" if partial else "reviews/standard_review.html"
    return render(request, template, context, status=status)


def _assessment(access: ReviewAccess, code: str) -> StandardAssessment:
    """The standard's assessment, to rate it."""
    assessment = (
        StandardAssessment.objects.for_institution(access.audit.institution_id)
        .filter(audit=access.audit, standard__code=code)
        .select_related("standard__section")
        .first()
    )
    if assessment is None:
        raise Http404("No such standard in this audit.")
    assessment.audit = access.audit  # read with its institution and catalogue version
    return assessment


@login_required
@require_http_methods(["GET", "POST"])
def standard_review(request: AuthenticatedHttpRequest, audit_id: int, code: str) -> HttpResponse:
    """GET: the standard with the evidence and the rating form. POST: save the rating (a plain
    form post, or htmx answering with the panel); a stale version answers 409 with the current
    rating beside the unsaved text."""
    access = review_policy.access_or_404(request.user, audit_id)
    if request.method == "GET":
        return standard_review_page(request, access, code)
    assessment = _assessment(access, code)
    if not access.can_rate or access.assignment is None:
        raise PermissionDenied(rate_refusal(access))
    form = AuditorRatingForm(request.POST, files=_files(access, assessment), auto_id="rating_%s")
    if not form.is_valid():
        return standard_review_page(request, access, code, form=form, status=400)
    data = form.cleaned_data
    try:
        rating_save(
            assignment=access.assignment,
            assessment=assessment,
            user=request.user,
            rating=data["rating"],
            rationale=data["rationale"],
            notes=data["notes"],
            evidence=data["evidence"],
            base_version=data["version"],
        )
    except RatingConflictError as exc:
        form.add_error(None, exc.message)
        form_rebase(form, exc.current.version if exc.current else 0)  # shown beside the text
        return standard_review_page(
            request, access, code, form=form, conflict=exc.current, has_conflict=True, status=409
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        return standard_review_page(request, access, code, form=form, status=400)
    return _after_save(request, access, code)


def _after_save(request: AuthenticatedHttpRequest, access: ReviewAccess, code: str) -> HttpResponse:
    target = code
    if "save_next" in request.POST:
        target = _neighbours(review_standard_rows(access=access), code)["next_unrated"] or code
    if request.htmx and target == code:
        return standard_review_page(request, access, code, saved=True)
    messages.success(request, _("Your rating of %(code)s is saved.") % {"code": code})
    url = reverse("reviews:standard", kwargs={"audit_id": access.audit.pk, "code": target})
    if request.htmx:  # on to the next standard: a whole page
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def review_complete_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """GET asks first (the ratings are then fixed); POST marks the review complete."""
    access = review_policy.access_or_404(request.user, audit_id)
    if not access.can_rate or access.assignment is None:
        raise PermissionDenied(rate_refusal(access))
    back = reverse("reviews:overview", kwargs={"audit_id": access.audit.pk})
    label = audit_label(access.audit)
    if request.method == "GET":
        return confirmation_page(
            request,
            Confirmation(
                title=_("Mark your review of the %(audit)s complete?") % {"audit": label},
                button=_("Mark my review complete"),
                cancel_url=back,
                consequences=[
                    _("Your ratings can no longer change."),
                    _(
                        "With a second auditor, each of you sees the other's ratings once both "
                        "reviews are complete; the lead auditor then consolidates them."
                    ),
                ],
                breadcrumb=(back, label),
            ),
        )
    try:
        review_complete(assignment=access.assignment, user=request.user)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return overview_page(request, access, status=400)  # it lists what is still unrated
    messages.success(request, _("Your review is complete."))
    return redirect(back)
