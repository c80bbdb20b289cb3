from django.contrib import admin

from institutions.admin_mixins import TenantAdminMixin
from institutions.models import Institution, InstitutionSite, Invitation, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "setting", "preferred_language"]
    list_filter = ["setting", "country"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(InstitutionSite)
class InstitutionSiteAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ["name", "institution", "city"]
    list_select_related = ["institution"]
    raw_id_fields = ["institution"]


@admin.register(Invitation)
class InvitationAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Invitations are sent from the members page; the admin shows them and nothing more."""

    list_display = ["email", "institution", "role", "created_at", "expires_at"]
    list_select_related = ["institution"]
    exclude = ["token_hash"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
