"""Small pieces shared by the admin classes of several apps."""

from django.conf import settings
from django.contrib import admin, messages
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import preview


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


def preview_links(obj):
    """Return the change form's preview buttons, one per language, and a link to share."""
    if obj is None or obj.pk is None:
        return _("Save first: the preview shows what is saved.")
    buttons = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            url = obj.get_preview_url()
        buttons.append((url, code, _("Preview — %(language)s") % {"language": _(name)}))
    until = date_format(localtime(preview.link_expiry()), "DATETIME_FORMAT")
    return format_html(
        '<p class="preview-buttons">{}</p><p>{}</p><input type="text" readonly'
        ' class="vLargeTextField preview-link" value="{}" aria-label="{}">',
        format_html_join(
            " ",
            '<a class="button" href="{}" hreflang="{}" target="_blank" rel="noopener">{}</a>',
            buttons,
        ),
        _(
            "To show it to someone without an account, send this link; it opens the preview "
            "until %(date)s:"
        )
        % {"date": until},
        preview.shared_url(obj),
        _("Preview link to share"),
    )
