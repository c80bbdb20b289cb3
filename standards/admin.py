"""Catalogue content is loaded from files; the admin shows it and changes only the status."""

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from standards.models import CatalogueVersion, Standard, StandardGuidance
from standards.services import catalogue_version_status_set


class ReadOnlyInlineMixin:
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "name", "publication_date", "status", "is_working_catalogue"]
    list_filter = ["component", "status"]
    fields = [
        "component",
        "version",
        "name",
        "publication_date",
        "status",
        "is_working_catalogue",
        "provenance",
        "elementary_met_share",
        "advanced_met_share",
        "core_met_share",
        "non_core_met_share",
        "lookback_years",
        "validity_years",
        "content_hash",
        "source_name",
        "loaded_at",
        "content",
    ]

    def get_readonly_fields(
        self, request: HttpRequest, obj: CatalogueVersion | None = None
    ) -> list[str]:
        return [str(name) for name in self.fields if name != "status"]

    @admin.display(description="Content")
    def content(self, obj: CatalogueVersion) -> str:
        url = reverse("admin:standards_standard_changelist")
        return format_html(
            '<a href="{}?catalogue_version__id__exact={}">{} standards in {} sections</a>',
            url,
            obj.pk,
            obj.standards.count(),
            obj.sections.count(),
        )

    def save_model(
        self, request: HttpRequest, obj: CatalogueVersion, form: Any, change: bool
    ) -> None:
        for other in catalogue_version_status_set(version=obj, status=obj.status):
            self.message_user(
                request,
                f"{other} was retired: only one version of a component is active.",
                messages.WARNING,
            )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions come from catalogue files (manage.py load_catalogue)

    def has_delete_permission(
        self, request: HttpRequest, obj: CatalogueVersion | None = None
    ) -> bool:
        return False


class GuidanceInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = StandardGuidance
    fields = ["setting", "text"]
    show_change_link = False


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "catalogue_version", "section", "level", "is_core"]
    list_filter = ["catalogue_version__component", "catalogue_version", "level", "is_core"]
    list_select_related = ["catalogue_version", "section"]
    search_fields = ["code", "title"]
    inlines = [GuidanceInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Standard | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Standard | None = None) -> bool:
        return False
