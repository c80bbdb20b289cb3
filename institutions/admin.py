from django.contrib import admin

from institutions.models import Institution, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "setting", "preferred_language"]
    list_filter = ["setting", "country"]
    search_fields = ["name"]
    inlines = [MembershipInline]
