"""The ERNST admin's pages: the decision on an audit with a final report
(``/audits/<id>/decision/``), the certificates (``/certificates/``) and a certificate's page with
its history and the changes of status; the coordinators read their institution's."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import is_platform_admin
from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from certification.forms import CertificateChangeForm, DecisionForm
from certification.models import Certificate, Decision
from certification.permissions import certificate_or_404, certificates_for
from certification.renewal import renewal_panel
from certification.services import (
    certificate_change,
    certificate_listing_set,
    decision_refusal,
    decision_take,
    open_conditions,
    proposal_of,
)
from institutions.models import Membership
from reports.models import Report
from reports.permissions import report_policy
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.http import AuthenticatedHttpRequest
from reviews.selectors import audit_evaluation
from reviews.services.report import level_choices, review_report_of

PAGE_SIZE = 50


def _status(exc: ActionRefusedError) -> int:
    return 403 if isinstance(exc, ActionForbiddenError) else 400


def decision_page(
    request: AuthenticatedHttpRequest,
    audit: Audit,
    *,
    form: DecisionForm | None = None,
    status: int = 200,
    refusal: str | None = None,
) -> HttpResponse:
    """The decision page; ``refusal``: why the user may not decide, when the caller asked it."""
    decision = (
        Decision.objects.for_institution(audit.institution_id)
        .filter(audit=audit)
        .prefetch_related("certificates")
        .first()
    )
    refusal = refusal or decision_refusal(request.user, audit)
    evaluation = audit_evaluation(audit=audit)  # read once: the proposal and the page show it
    can_decide = decision is None and refusal is None and audit.status == Audit.Status.FINAL_REPORT
    if form is None and can_decide:
        proposal = proposal_of(audit, evaluation)
        form = DecisionForm(
            initial={"outcome": proposal.outcome, "level": proposal.level},
            levels=level_choices(audit),
            auto_id="dec_%s",
        )
    context: dict[str, Any] = {
        "audit": audit,
        "decision": decision,
        "refusal": refusal,
        "form": form if decision is None else None,
        "can_decide": can_decide,
        "evaluation": evaluation,
        "report": review_report_of(audit),
        "conditions": open_conditions(audit),
    }
    return render(request, "certification/decision.html", context, status=status)


def _audit_for_admin(request: AuthenticatedHttpRequest, audit_id: int) -> Audit:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    if not is_platform_admin(request.user):
        raise PermissionDenied(_("Only ERNST administrators take certification decisions."))
    return audit


@login_required
def decision_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    """The final report's outcome beside the decision form; a member of the audit team reads
    why they may not decide (403)."""
    audit = _audit_for_admin(request, audit_id)
    refusal = decision_refusal(request.user, audit)
    return decision_page(request, audit, status=403 if refusal else 200, refusal=refusal)


@login_required
@require_POST
def decision_take_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = _audit_for_admin(request, audit_id)
    form = DecisionForm(request.POST, levels=level_choices(audit), auto_id="dec_%s")
    if not form.is_valid():
        return decision_page(request, audit, form=form, status=400)
    data = form.cleaned_data
    try:
        decision = decision_take(
            audit=audit,
            user=request.user,
            outcome=data["outcome"],
            level=data.get("level", ""),
            reason=data["reason"],
            departure_reason=data.get("departure_reason", ""),
            conditions_due_on=data.get("conditions_due_on"),
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return decision_page(request, audit, form=form, status=_status(exc))
    certificate = decision.certificates.first()
    if certificate is not None:
        messages.success(
            request,
            _("The decision is recorded and certificate %(number)s is issued.")
            % {"number": certificate.number},
        )
        return redirect("certification:certificate", certificate_id=certificate.pk)
    messages.success(request, _("The decision is recorded."))
    return redirect("certification:decision", audit_id=audit.pk)


@login_required
def certificate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    certificates = certificates_for(request.user).order_by("-issued_on", "-pk")
    coordinates = Membership.objects.filter(
        user=request.user, role=Membership.Role.COORDINATOR
    ).exists()
    # A holder of a certificate of competences reads their own, wherever they work now.
    if not (is_platform_admin(request.user) or coordinates or certificates.exists()):
        raise PermissionDenied(
            _(
                "Certificates are read by ERNST administrators, the institutions' coordinators "
                "and the holders of a certificate of competences."
            )
        )
    page = Paginator(certificates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certification/certificate_list.html", {"page": page})


def certificate_page(
    request: AuthenticatedHttpRequest,
    certificate: Certificate,
    *,
    form: CertificateChangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    admin = is_platform_admin(request.user)
    if (
        form is None
        and admin
        and certificate.status
        in (
            Certificate.Status.ACTIVE,
            Certificate.Status.SUSPENDED,
        )
    ):
        form = CertificateChangeForm(auto_id="chg_%s")
    context = {
        "certificate": certificate,
        "events": list(certificate.events.all()),
        "form": form,
        "admin": admin,
        "documents": _documents(request, certificate),
        "renewal": renewal_panel(request.user, certificate),
        "holds": certificate.holder_id is not None and certificate.holder_id == request.user.pk,
    }
    return render(request, "certification/certificate.html", context, status=status)


@login_required
@require_POST
def certificate_listing_view(
    request: AuthenticatedHttpRequest, certificate_id: int
) -> HttpResponse:
    """The holder of a certificate of competences lists it in the public register, or not."""
    certificate = certificate_or_404(request.user, certificate_id)
    listed = request.POST.get("listed") == "1"
    try:
        certificate_listing_set(certificate=certificate, user=request.user, listed=listed)
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return certificate_page(request, certificate, status=403)
    if listed:
        messages.success(
            request,
            _(
                "Your certificate is listed in the public register: your name, country and "
                "validity."
            ),
        )
    else:
        messages.success(request, _("Your certificate is no longer listed in the public register."))
    return redirect("certification:certificate", certificate_id=certificate.pk)


def _documents(request: AuthenticatedHttpRequest, certificate: Certificate) -> list[Report]:
    """The certificate's PDFs and its decision letter, as far as the user reads them."""
    audit = certificate.documents_audit()
    if audit is None:
        return []
    mine = Q(kind=Report.Kind.CERTIFICATE, certificate=certificate)
    if certificate.audit_id is not None:  # Mastery has no decision of its own
        mine |= Q(kind=Report.Kind.DECISION)
    reports = list(
        report_policy.reports_for(request.user, audit).filter(mine).order_by("kind", "-version")
    )
    for report in reports:
        report.audit = audit  # their links name the audit they are filed under
    return reports


@login_required
def certificate_view(request: AuthenticatedHttpRequest, certificate_id: int) -> HttpResponse:
    return certificate_page(request, certificate_or_404(request.user, certificate_id))


@login_required
@require_POST
def certificate_change_view(request: AuthenticatedHttpRequest, certificate_id: int) -> HttpResponse:
    certificate = certificate_or_404(request.user, certificate_id)
    form = CertificateChangeForm(request.POST, auto_id="chg_%s")
    if not form.is_valid():
        return certificate_page(request, certificate, form=form, status=400)
    try:
        certificate_change(
            certificate=certificate,
            user=request.user,
            change=form.cleaned_data["change"],
            reason=form.cleaned_data["reason"],
            until=form.cleaned_data.get("until"),
        )
    except ActionRefusedError as exc:
        form.add_error(None, exc.message)
        messages.error(request, exc.message)
        return certificate_page(request, certificate, form=form, status=_status(exc))
    messages.success(request, _("The certificate's status is changed."))
    return redirect("certification:certificate", certificate_id=certificate.pk)
