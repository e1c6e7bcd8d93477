from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from keepitlocal.models import Council, DecisionToJoin, Membership, User


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
