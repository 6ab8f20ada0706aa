"""What the admin shows of publication: the state as visitors see it, and previews."""

from django.contrib import admin
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from core.admin_tools import preview_links

from .models import Publication


class PublicationFilter(admin.SimpleListFilter):
    """Filter by the state visitors see, not by the editor's flag."""

    title = _("publication")
    parameter_name = "publication"
    states = (Publication.DRAFT, Publication.SCHEDULED, Publication.PUBLISHED)

    def lookups(self, request, model_admin):
        return [(state.value, state.label) for state in self.states]

    def queryset(self, request, queryset):
        if self.value() in {state.value for state in self.states}:
            return queryset.in_state(self.value())
        return queryset


class UpdatePublicationFilter(PublicationFilter):
    states = (*PublicationFilter.states, Publication.WAITING_FOR_PROJECT)


class PublicationAdmin:
    """Admin columns and fields for models published with a flag and a date."""

    @admin.display(description=_("publication"), ordering="published_at")
    def publication(self, obj):
        state = obj.publication_state()
        if state == Publication.SCHEDULED:
            when = date_format(localtime(obj.published_at), "SHORT_DATETIME_FORMAT")
            return format_html(
                '<span class="publication publication-{}">{}</span> <time datetime="{}">{}</time>',
                state.value,
                state.label,
                obj.published_at.isoformat(),
                when,
            )
        return format_html(
            '<span class="publication publication-{}">{}</span>', state.value, state.label
        )

    @admin.display(description=_("Preview and sharing"))
    def preview_links(self, obj):
        return preview_links(obj)

    def view_on_site(self, obj):
        """Open the public page once visitors see it; before, the preview."""
        return obj.get_absolute_url() if obj.is_public() else obj.get_preview_url()
