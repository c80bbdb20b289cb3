from django.contrib import admin

from institutions.admin_mixins import ReadOnlyAdminMixin, TenantAdminMixin
from reviews.models import AuditorAssignment


@admin.register(AuditorAssignment)
class AuditorAssignmentAdmin(ReadOnlyAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    """Review teams are formed on the audit's team page, where the object permission is granted
    and the history recorded. Ratings are not shown here: the review pages apply the blind rule."""

    list_display = ["auditor_email", "audit", "role", "state", "assigned_at", "ended_at"]
    list_filter = ["role", "state"]
    list_select_related = ["audit__institution", "audit__catalogue_version"]
