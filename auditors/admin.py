from django.contrib import admin

from auditors.models import AuditorProfile, ConflictOfInterest


@admin.register(AuditorProfile)
class AuditorProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    list_display = ["auditor", "institution", "declared_at"]
    list_select_related = ["auditor", "institution"]
    raw_id_fields = ["auditor", "institution"]
