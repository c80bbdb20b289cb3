from django.contrib import admin

from audits.models import Audit, AuditEvent, PriorCertificationConfirmation
from institutions.admin_mixins import ReadOnlyAdminMixin, TenantAdminMixin


@admin.register(Audit)
class AuditAdmin(ReadOnlyAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    """Read-only: audits start, change and are sealed through their services, which check the
    rules and record the history. An edit here could move a dossier to another institution or
    break its seal."""

    list_display = ["__str__", "status", "target_level", "created_at", "submitted_at"]
    list_filter = ["status", "component"]
    list_select_related = ["institution", "catalogue_version"]
    search_fields = ["institution__name"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "audit_label", "action", "object_label", "actor_email"]
    list_filter = ["action"]
    search_fields = ["audit_label", "object_label", "actor_email"]


@admin.register(PriorCertificationConfirmation)
class PriorCertificationConfirmationAdmin(ReadOnlyAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    """Recorded on the institution page, with the reason."""

    list_display = ["institution", "confirmed_by_email", "confirmed_at"]
    list_select_related = ["institution"]
