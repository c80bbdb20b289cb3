"""A certificate's renewal started from its page (``/certificates/<id>/renew/``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certification.permissions import certificate_or_404
from certification.renewal import renewal_start
from certification.views import certificate_page
from rescue.errors import ActionForbiddenError, ActionRefusedError
from rescue.http import AuthenticatedHttpRequest


@login_required
@require_POST
def certificate_renew_view(request: AuthenticatedHttpRequest, certificate_id: int) -> HttpResponse:
    """Start the renewal audit (a coordinator of the institution; the holder of a certificate
    of competences, through the institution they choose), then open its dossier."""
    certificate = certificate_or_404(request.user, certificate_id)
    chosen = request.POST.get("institution", "")
    try:
        renewal = renewal_start(
            certificate=certificate,
            user=request.user,
            institution_id=int(chosen) if chosen.isdecimal() else None,
        )
    except ActionRefusedError as exc:
        messages.error(request, exc.message)
        return certificate_page(
            request, certificate, status=403 if isinstance(exc, ActionForbiddenError) else 400
        )
    messages.success(
        request,
        _(
            "The renewal audit is started: %(copied)s self-assessments copied as drafts and "
            "%(carried)s files carried forward, to review and confirm."
        )
        % {"copied": renewal.copied, "carried": renewal.carried},
    )
    if certificate.holder_id is not None:
        messages.info(
            request,
            _("A coordinator of %(institution)s endorses the application before you submit it.")
            % {"institution": renewal.audit.institution},
        )
    return redirect("audits:detail", audit_id=renewal.audit_id)
