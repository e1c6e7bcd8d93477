from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from keepitlocal.models import AuditEvent, Council, DecisionToJoin, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["council"]


@admin.register(User)
class KeepItLocalUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Keep it Local", {"fields": ("is_network_admin",)}))
    list_display = ("username", "first_name", "last_name", "email", "is_network_admin")
    list_filter = ("is_network_admin", "is_active")
    inlines = [MembershipInline]


@admin.register(Council)
class CouncilAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(DecisionToJoin)
class DecisionToJoinAdmin(admin.ModelAdmin):
    list_display = ("council", "decided_on", "decision_maker")
    list_select_related = ("council",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, to read: nobody adds, changes or deletes an entry."""

    list_display = ("occurred_at", "kind", "username", "council_name", "role", "ip_address")
    list_filter = ("kind", "occurred_at")
    search_fields = ("username", "actor_username", "council_name", "ip_address")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
