from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from evidence.models import EvidenceFile, EvidenceRevision
from institutions.admin_mixins import ReadOnlyAdminMixin, TenantAdminMixin


class RevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = EvidenceRevision
    fields = ("number", "original_name", "size", "sha256", "uploaded_by_email", "uploaded_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[EvidenceRevision]:
        # Across institutions on purpose, like every admin list; Django narrows it to the file.
        return EvidenceRevision.unscoped.all()


@admin.register(EvidenceFile)
class EvidenceFileAdmin(ReadOnlyAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    """Read-only, and no file link: evidence is downloaded on the audit's pages, after the
    permission check, never from a storage URL."""

    list_display = ["__str__", "audit", "created_at", "deleted_at"]
    list_select_related = ["current_revision", "audit__institution", "audit__catalogue_version"]
    fields = ("audit", "effective_date", "created_at", "deleted_at")
    readonly_fields = fields
    inlines = [RevisionInline]
