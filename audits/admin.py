from django.contrib import admin

from audits.models import Audit
from institutions.admin_mixins import TenantAdminMixin


@admin.register(Audit)
class AuditAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "target_level", "created_at"]
    list_filter = ["status", "catalogue_version__component"]
    list_select_related = ["institution", "catalogue_version"]
    raw_id_fields = ["institution", "created_by"]
