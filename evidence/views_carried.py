"""A renewal's carried-forward files: ``/audits/<id>/evidence/carried/`` lists the files the
renewal brought from the last audit that are not confirmed yet, each with its standards, its
date and a download; whoever may change them confirms the ones that still hold (POST, several at
once), or removes a file through its standard page. Until confirmed, each is a gap."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from audits.models import Audit
from audits.permissions import AuditAction, audit_policy
from audits.services.seal import SEALED_MESSAGE
from evidence.models import EvidenceFile
from evidence.permissions import EvidenceAction, evidence_policy
from evidence.services import evidence_carried_confirm
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.http import AuthenticatedHttpRequest

PAGE_LIMIT = 500  # a renewal carries a dossier's files; the page lists them in one go


def _carried(request: AuthenticatedHttpRequest, audit: Audit) -> list[EvidenceFile]:
    return list(
        evidence_policy.files_for(request.user, EvidenceAction.VIEW, audit)
        .filter(carried_from__isnull=False, carried_confirmed_at__isnull=True)
        .select_related("current_revision")
        .prefetch_related("links__assessment__standard")
        .order_by("pk")[:PAGE_LIMIT]
    )


def _page(request: AuthenticatedHttpRequest, audit: Audit, status: int = 200) -> HttpResponse:
    files = _carried(request, audit)
    changeable = set(
        evidence_policy.files_for(request.user, EvidenceAction.CHANGE, audit)
        .filter(pk__in=[f.pk for f in files])
        .values_list("pk", flat=True)
    )
    context = {
        "audit": audit,
        "files": files,
        "changeable": changeable,
        "can_confirm": bool(changeable) and not audit.is_sealed,
    }
    return render(request, "evidence/carried.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def carried_view(request: AuthenticatedHttpRequest, audit_id: int) -> HttpResponse:
    audit = audit_policy.get_or_404(request.user, AuditAction.VIEW, audit_id)
    if request.method == "GET":
        return _page(request, audit)
    if audit.is_sealed:
        messages.error(request, SEALED_MESSAGE)
        return _page(request, audit, 400)
    wanted = [value for value in request.POST.getlist("files") if value.isdigit()]
    files = list(
        evidence_policy.files_for(request.user, EvidenceAction.VIEW, audit)
        .filter(pk__in=wanted)
        .select_related("current_revision", "audit")
    )
    if not files:
        messages.error(request, _("Choose the files that still hold."))
        return _page(request, audit, 400)
    try:
        confirmed = evidence_carried_confirm(files=files, user=request.user)
    except (ActionRefusedError, PermissionError) as exc:
        forbidden = not isinstance(exc, ActionRefusedError) or isinstance(exc, ActionForbiddenError)
        message = (
            exc.message
            if isinstance(exc, ActionRefusedError)
            else _("You can see these files but not confirm them.")
        )
        messages.error(request, message)
        return _page(request, audit, 403 if forbidden else 400)
    messages.success(
        request,
        ngettext(
            "%(count)s carried-forward file confirmed.",
            "%(count)s carried-forward files confirmed.",
            confirmed,
        )
        % {"count": confirmed},
    )
    return redirect("audits:evidence_carried", audit_id=audit.pk)
