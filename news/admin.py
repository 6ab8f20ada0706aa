from django.contrib import admin

from .models import Delivery, OptOut


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: written by the sender and the unsubscribe page, read by finance."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("update", "email", "language", "status", "attempts", "sent_at")
    list_filter = ("status", "language")
    list_select_related = ("update",)
    search_fields = ("email", "update__title")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(OptOut)
class OptOutAdmin(ReadOnlyAdmin):
    list_display = ("mailbox", "source", "created_at")
    list_filter = ("source",)
    search_fields = ("mailbox",)
    readonly_fields = ("mailbox", "source", "created_at")
