from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from keepitlocal.models import AuditEvent, Council, DecisionToJoin, Membership, RecordChange, User
from keepitlocal.writes import council_write


class ReadOnlyAdmin(admin.ModelAdmin):
    """A council's records, to read: they change only through the service's own pages, whose
    services check who may change them and record each change in its history."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
    """Network admins add member councils and correct their names; each change is recorded in
    the council's history. What a council shares is the council's own choice, made on its
    sharing page."""

    list_display = ("name", "kind")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("shares_with_peers",)

    def save_model(self, request, obj, form, change):
        with council_write(
            by=request.user, council=None, permission="keepitlocal.change_council"
        ) as write:
            if change:
                write.track(obj, as_saved=Council.objects.get(pk=obj.pk))
            obj.save()
            write.council = obj
            if change:
                write.changed(obj)
            else:
                write.added(obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a council leaves the network with its records: not from here


@admin.register(DecisionToJoin)
class DecisionToJoinAdmin(ReadOnlyAdmin):
    list_display = ("council", "decided_on", "decision_maker")
    list_select_related = ("council",)


@admin.register(RecordChange)
class RecordChangeAdmin(ReadOnlyAdmin):
    """The history of every council record, to read."""

    list_display = ("occurred_at", "council", "record_label", "kind", "actor_name")
    list_filter = ("kind", "record_type")
    list_select_related = ("council",)
    search_fields = ("record_label", "actor_name", "council__name")
    date_hierarchy = "occurred_at"


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
