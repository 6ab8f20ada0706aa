"""Small pieces shared by the admin classes of several apps."""

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


def image_preview(fieldfile, alt: str = "", width: int = 160):
    """Return an admin thumbnail for a saved image, or a dash."""
    # A file just sent with a form that failed is not stored: it has no address yet.
    if not fieldfile or not getattr(fieldfile, "_committed", True):
        return "—"
    return format_html(
        '<img src="{}" alt="{}" width="{}" class="admin-preview">', fieldfile.url, alt, width
    )


def publish_actions(field: str = "is_published"):
    """Return the admin actions that publish and unpublish the selected rows."""

    @admin.action(description=_("Publish the selected items"), permissions=["change"])
    def publish(modeladmin, request, queryset):
        count = queryset.update(**{field: True})
        modeladmin.message_user(
            request,
            ngettext("%d item published.", "%d items published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected items"), permissions=["change"])
    def unpublish(modeladmin, request, queryset):
        count = queryset.update(**{field: False})
        modeladmin.message_user(
            request,
            ngettext("%d item unpublished.", "%d items unpublished.", count) % count,
            messages.SUCCESS,
        )

    return [publish, unpublish]
