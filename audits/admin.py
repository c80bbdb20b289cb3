from django.contrib import admin

from audits.models import Audit, AuditorAssignment
from institutions.admin_mixins import TenantAdminMixin


@admin.register(Audit)
class AuditAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "target_level", "created_at"]
    list_filter = ["status", "catalogue_version__component"]
    list_select_related = ["institution", "catalogue_version"]
    raw_id_fields = ["institution", "created_by"]


@admin.register(AuditorAssignment)
class AuditorAssignmentAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Assignments are made on the audit page, where the object permission is granted."""

    list_display = ["auditor_email", "audit", "assigned_at", "ended_at"]
    list_select_related = ["audit__institution", "audit__catalogue_version"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
