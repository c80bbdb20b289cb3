from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from accounts.permissions import is_auditor, is_platform_admin
from auditors.selectors import auditor_assignment_list
from audits.permissions import AuditAction, audit_policy
from audits.selectors import assessment_list_assigned
from institutions.selectors import membership_list_for_user
from rescue.http import AuthenticatedHttpRequest
from standards.selectors import catalogue_version_list


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
