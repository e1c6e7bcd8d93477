"""The Django admin shows endorsements and their audit trail, and changes nothing.

Endorsements are prepared, sent, signed and voided only through the service's
own pages, which record each step in the audit trail.
"""

from django.contrib import admin

from endorsements.models import Endorsement, Signatory, SigningEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SignatoryInline(admin.TabularInline):
    model = Signatory
    fields = ("position", "name", "role_title", "status", "signed_at", "declined_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Endorsement)
class EndorsementAdmin(ReadOnlyAdmin):
    list_display = ("council", "version", "status", "sent_at", "completed_at")
    list_filter = ("status",)
    list_select_related = ("council",)
    search_fields = ("council__name", "verification_code")
    exclude = ("document_pdf", "signed_pdf", "content")
    inlines = [SignatoryInline]


@admin.register(SigningEvent)
class SigningEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "endorsement", "kind", "actor_name", "ip_address")
    list_filter = ("kind",)
    list_select_related = ("endorsement__council",)
