from django.contrib import admin

from audits.models import Audit


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "target_level", "created_at"]
    list_filter = ["status", "catalogue_version__component"]
    list_select_related = ["institution", "catalogue_version"]
    raw_id_fields = ["institution", "created_by"]
