from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults

from accounts.permissions import is_auditor, is_platform_admin
from auditors.selectors import auditor_assignment_list
from audits.permissions import AuditAction, audit_policy
from audits.selectors import assessment_list_assigned
from institutions.selectors import membership_list_for_user
from rescue.http import AuthenticatedHttpRequest
from standards.selectors import catalogue_version_list

API_PREFIX = "/api/"


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One page per person: their institutions, their audits, their platform tasks."""
    user = request.user
    platform = {"auditor": is_auditor(user), "admin": is_platform_admin(user)}
    context = {
        "platform": platform,
        "memberships": membership_list_for_user(user=user),
        "audits": audit_policy.audits_for(user, AuditAction.VIEW)
        .select_related("institution", "catalogue_version")
        .order_by("-created_at")[:20],
        "assignments": auditor_assignment_list(auditor=user) if platform["auditor"] else [],
        "assigned": assessment_list_assigned(user=user),
        "catalogue_versions": catalogue_version_list().filter(status="active"),
    }
    return render(request, "home.html", context)


# --- Error answers -------------------------------------------------------------------------------
# Under /api/ an error is JSON, as the schema states (rescue/api/schema.py), even when no view
# was reached: a path that matches no URL, a request Django refuses before routing, a crash.
# Elsewhere, the project's pages.


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("No such object within your reach.")}, status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("The request could not be read.")}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": str(exception) or _("You may not do this.")}, status=403)
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": _("Something went wrong on our side.")}, status=500)
    return defaults.server_error(request)
