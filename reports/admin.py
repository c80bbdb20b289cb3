from django.contrib import admin

from institutions.admin_mixins import ReadOnlyAdminMixin, TenantAdminMixin
from reports.models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    """Read-only: reports are asked for on the audit page and rendered by the workers; deleting
    one here would leave its file behind and a gap in its versions."""

    list_display = ["__str__", "status", "requested_by_email", "requested_at", "attempts"]
    list_filter = ["status", "kind"]
    list_select_related = ["audit__institution"]
    exclude = ["file"]  # downloaded on the audit page, after the permission check
