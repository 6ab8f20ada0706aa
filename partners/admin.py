from django.contrib import admin
from django.contrib.admin.widgets import AdminTextInputWidget, AdminURLFieldWidget
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin_languages import TranslatedAdmin
from core.admin_tools import image_preview, preview_links
from core.kept_uploads import KeepUploadsMixin
from core.translations import MissingTranslationFilter, TranslationStatusAdmin
from core.versions import VersionsAdmin

from .models import Partner


@admin.register(Partner)
class PartnerAdmin(KeepUploadsMixin, VersionsAdmin, TranslationStatusAdmin, TranslatedAdmin):
    list_display = (
        "name",
        "kind",
        "country",
        "city",
        "partner_since",
        "project_count",
        "is_public",
        "translation_status",
    )
    list_filter = ("kind", "country", "is_public", MissingTranslationFilter)
    search_fields = ("name_fr", "name_en", "city", "quote_author")
    readonly_fields = ("logo_preview", "preview_links")
    # The log names partnerships with their role: in the admin's language, whoever saved.
    log_choices = (Partner.Kind,)
    # Names and summaries are long; the default input shows barely half of one.
    formfield_overrides = {
        models.CharField: {"widget": AdminTextInputWidget(attrs={"class": "vLargeTextField"})},
        # An address typed without a scheme is taken as https, as Django 6 will.
        models.URLField: {"widget": AdminURLFieldWidget, "assume_scheme": "https"},
    }
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "is_public", "preview_links")}),
        (_("Story"), {"fields": ("summary", "description", "quote", "quote_author")}),
        (_("Where and since when"), {"fields": ("country", "city", "website", "partner_since")}),
        (_("Logo"), {"fields": ("logo", "logo_preview", "logo_alt")}),
        (_("IATI"), {"fields": ("iati_ref", "iati_type"), "classes": ("collapse",)}),
    )

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug_fr": ("name_fr",), "slug_en": ("name_en",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(project_total=Count("projects"))

    @admin.display(description=_("projects"), ordering="project_total")
    def project_count(self, obj):
        return obj.project_total

    @admin.display(description=_("preview"))
    def logo_preview(self, obj):
        return image_preview(obj.logo, obj.logo_alt)

    @admin.display(description=_("Preview and sharing"))
    def preview_links(self, obj):
        return preview_links(obj)

    def view_on_site(self, obj):
        """Open the public page of a partner shown on the site; of a hidden one, the preview."""
        return obj.get_absolute_url() if obj.is_public else obj.get_preview_url()
