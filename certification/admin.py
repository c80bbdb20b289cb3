from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from certification.models import Appeal, AppealFile
from institutions.admin_mixins import ReadOnlyAdminMixin, TenantAdminMixin


class AppealFileInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AppealFile
    fields = ("original_name", "size", "sha256", "mime_type", "uploaded_by_email", "uploaded_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[AppealFile]:
        # Across institutions on purpose, like every admin list; Django narrows it to the appeal.
        return AppealFile.unscoped.all()


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, TenantAdminMixin, admin.ModelAdmin):
    """Read-only, and no file link: appeals are lodged, taken up and decided on their pages,
    which apply the impartiality rules and record the history; files are downloaded there,
    after the permission check."""

    list_display = ["__str__", "institution", "state", "outcome", "lodged_at", "handler_email"]
    list_filter = ["state", "outcome"]
    list_select_related = ["institution", "decision"]
    search_fields = ["institution__name", "lodged_by_email", "handler_email"]
    fields = (
        "institution",
        "decision",
        "state",
        "statement",
        "lodged_by_email",
        "lodged_at",
        "handler_email",
        "taken_at",
        "outcome",
        "new_outcome",
        "new_level",
        "new_conditions_due_on",
        "reason",
        "decided_at",
    )
    readonly_fields = fields
    inlines = [AppealFileInline]
