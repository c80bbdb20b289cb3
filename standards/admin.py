"""Catalogue content is loaded from files; the admin shows it and changes only the status."""

from django.contrib import admin
from django.http import HttpRequest

from standards.models import CatalogueVersion, Section, Standard, StandardGuidance


class ReadOnlyInlineMixin:
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class SectionInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Section
    fields = ["order", "code", "title"]


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
    ]
    inlines = [SectionInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: CatalogueVersion | None = None
    ) -> list[str]:
        return [name for name in self.fields if name != "status"]

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
