from django.contrib import admin

from institutions.admin_mixins import TenantAdminMixin
from reports.models import Report


@admin.register(Report)
class ReportAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Read-only: reports are asked for on the audit page and rendered by the workers."""

    list_display = ["__str__", "status", "requested_by_email", "requested_at", "attempts"]
    list_filter = ["status", "kind"]
    list_select_related = ["audit__institution"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
