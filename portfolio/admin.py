from adminsortable2.admin import (
    SortableAdminBase,
    SortableInlineAdminMixin,
    SortableStackedInline,
    SortableTabularInline,
)
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextInputWidget
from django.db import models
from django.urls import path
from django.utils.formats import localize
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from core.admin_languages import TranslatedAdmin, TranslatedStackedInline
from core.admin_tools import image_preview, publish_actions
from core.kept_uploads import KeepUploadsMixin
from core.translations import MissingTranslationFilter, TranslationStatusAdmin
from core.versions import VersionsAdmin

from .admin_extensions import project_inlines, project_panel, project_panels
from .admin_publication import PublicationAdmin, PublicationFilter, UpdatePublicationFilter
from .admin_translations import ProjectAdminForm, translation_report
from .models import (
    Partnership,
    Project,
    ProjectImage,
    ProjectUpdate,
    Region,
    Sector,
)
from .search import refresh_search_documents, search_refresh_batch


def language_slugs(source: str) -> dict:
    return {"slug_fr": (f"{source}_fr",), "slug_en": (f"{source}_en",)}


@admin.register(Region)
class RegionAdmin(VersionsAdmin, TranslationStatusAdmin, TranslatedAdmin):
    list_display = ("name", "parent", "country", "translation_status")
    list_filter = ("country", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    search_fields = ("name_fr", "name_en", "country")
    autocomplete_fields = ("parent",)
    fields = ("name", "slug", "country", "parent", "description")

    def get_prepopulated_fields(self, request, obj=None):
        return language_slugs("name")


@admin.register(Sector)
class SectorAdmin(VersionsAdmin, TranslationStatusAdmin, TranslatedAdmin):
    list_display = ("name", "translation_status")
    search_fields = ("name_fr", "name_en")
    fields = ("name", "slug", "description", "dac_codes")

    def get_prepopulated_fields(self, request, obj=None):
        return language_slugs("name")


class PartnershipInline(SortableInlineAdminMixin, admin.TabularInline):
    model = Partnership
    extra = 0
    autocomplete_fields = ("partner",)
    # The order is set by dragging the rows, or with their Move up / Move down buttons.
    fields = ("partner", "role", "order")
    template = "portfolio/admin/edit_inline/sortable_tabular.html"
    sortable_template = SortableTabularInline.template

    class Media:
        css = {"all": ("css/admin-inlines.css",)}
        js = ("js/admin-reorder.js",)


class ProjectImageInline(KeepUploadsMixin, SortableInlineAdminMixin, TranslatedStackedInline):
    model = ProjectImage
    extra = 0
    fields = (("image", "preview"), "alt_text", "caption", "credit", "order")
    readonly_fields = ("preview",)
    # Sortable, and with an input that adds a photo row for each of several files.
    template = "portfolio/admin/edit_inline/project_photos.html"
    sortable_template = SortableStackedInline.template

    class Media:
        css = {"all": ("css/admin-inlines.css",)}
        js = ("js/admin-reorder.js", "js/admin-several-photos.js")

    @admin.display(description=_("preview"))
    def preview(self, obj):
        return image_preview(obj.image, obj.alt_text)


class ProjectUpdateInline(KeepUploadsMixin, PublicationAdmin, TranslatedStackedInline):
    """Field updates written from their project's form; ProjectUpdateAdmin has them all."""

    model = ProjectUpdate
    extra = 0
    fields = (
        "title",
        "text",
        ("image", "photo_preview"),
        "image_alt",
        ("is_published", "published_at"),
        "publication",
    )
    readonly_fields = ("photo_preview", "publication")
    show_change_link = True
    # The link to its full form is enough: that form opens the update on its public page.
    view_on_site = False

    @admin.display(description=_("preview"))
    def photo_preview(self, obj):
        return image_preview(obj.image, obj.image_alt)


@admin.register(Project)
class ProjectAdmin(
    SortableAdminBase,
    KeepUploadsMixin,
    PublicationAdmin,
    VersionsAdmin,
    TranslationStatusAdmin,
    TranslatedAdmin,
):
    form = ProjectAdminForm
    change_list_template = "portfolio/admin/project_change_list.html"
    list_display = (
        "title",
        "translation_status",
        "status",
        "sector",
        "region_names",
        "funding_goal",
        "publication",
        "is_featured",
        "published_at",
    )
    list_filter = (
        PublicationFilter,
        MissingTranslationFilter,
        "status",
        "is_featured",
        "sector",
        "regions",
    )
    list_select_related = ("sector",)
    list_editable = ("is_featured",)
    search_fields = (
        "title_fr",
        "title_en",
        "subtitle_fr",
        "subtitle_en",
        "summary_fr",
        "summary_en",
        "partners__name_fr",
        "regions__name_fr",
        "regions__name_en",
    )
    date_hierarchy = "published_at"
    autocomplete_fields = ("sector", "regions")
    readonly_fields = ("cover_preview", "created", "last_changed", "preview_links")
    # Titles and subtitles are long; the default input shows barely half of one.
    formfield_overrides = {
        models.CharField: {"widget": AdminTextInputWidget(attrs={"class": "vLargeTextField"})}
    }
    inlines = (PartnershipInline, ProjectImageInline, ProjectUpdateInline)
    # The log names partnerships with their role: in the admin's language, whoever saved.
    log_choices = (Partnership.Role,)
    actions = publish_actions()
    # The essentials open; the secondary sections fold ("collapse"), opened by a click or
    # by a link of the error summary.
    fieldsets = (
        (None, {"fields": ("title", "subtitle", "summary", "body")}),
        (_("Where and what"), {"fields": ("sector", "regions", "status")}),
        (_("Cover image"), {"fields": ("cover_image", "cover_preview", "cover_alt")}),
        (
            _("Publication"),
            {
                "fields": (
                    "is_published",
                    "publish_anyway",
                    "published_at",
                    "is_featured",
                    "preview_links",
                )
            },
        ),
        (
            _("Dates and beneficiaries"),
            {
                "classes": ("collapse",),
                "fields": (
                    ("start_date", "end_date"),
                    ("beneficiaries", "beneficiaries_description"),
                ),
            },
        ),
        (_("Funding"), {"classes": ("collapse",), "fields": ("funding_goal",)}),
        (_("Web addresses"), {"classes": ("collapse",), "fields": ("slug",)}),
        (_("Open data (IATI)"), {"classes": ("collapse",), "fields": ("iati_identifier",)}),
        (
            _("Created and changed"),
            {"classes": ("collapse",), "fields": ("created", "last_changed")},
        ),
    )

    def get_fieldsets(self, request, obj=None):
        # Then the panels of the apps built on the portfolio (admin_extensions).
        panels = tuple((panel.title, {"fields": (panel.name,)}) for panel in project_panels())
        return (*super().get_fieldsets(request, obj), *panels)

    def get_readonly_fields(self, request, obj=None):
        panels = tuple(panel.name for panel in project_panels())
        return (*super().get_readonly_fields(request, obj), *panels)

    def __getattr__(self, name):
        # A panel's name reads as a method of this admin, as Django's read-only fields do.
        panel = project_panel(name) if not name.startswith("_") else None
        if panel is None:
            raise AttributeError(name)

        def render(obj):
            return panel.render(obj if obj is not None and obj.pk else None)

        render.short_description = panel.title
        return render

    def get_inlines(self, request, obj):
        # Then those of the apps built on the portfolio (admin_extensions).
        return (*super().get_inlines(request, obj), *project_inlines())

    def get_prepopulated_fields(self, request, obj=None):
        return language_slugs("title")

    def get_urls(self):
        return [
            path(
                "translations/",
                self.admin_site.admin_view(self.translation_report_view),
                name="portfolio_translation_report",
            ),
            *super().get_urls(),
        ]

    def translation_report_view(self, request):
        return translation_report(self, request)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    def save_related(self, request, form, formsets, change):
        # Regions and each partnership would each rebuild the search document: once is enough.
        with search_refresh_batch():
            super().save_related(request, form, formsets, change)
            refresh_search_documents([form.instance.pk])

    @admin.display(description=_("regions"))
    def region_names(self, obj):
        return ", ".join(region.name for region in obj.regions.all())

    @admin.display(description=_("preview"))
    def cover_preview(self, obj):
        return image_preview(obj.cover_image, obj.cover_alt, width=320)

    @admin.display(description=_("created"))
    def created(self, obj):
        return localize(localtime(obj.created_at)) if obj.created_at else "—"

    @admin.display(description=_("last changed"))
    def last_changed(self, obj):
        return localize(localtime(obj.updated_at)) if obj.updated_at else "—"


@admin.register(ProjectUpdate)
class ProjectUpdateAdmin(
    KeepUploadsMixin,
    PublicationAdmin,
    VersionsAdmin,
    TranslationStatusAdmin,
    TranslatedAdmin,
):
    list_display = ("title", "project", "published_at", "publication", "translation_status")
    list_filter = (
        UpdatePublicationFilter,
        MissingTranslationFilter,
        ("project", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("project",)
    search_fields = ("title_fr", "title_en", "text_fr", "text_en", "project__title_fr")
    date_hierarchy = "published_at"
    autocomplete_fields = ("project",)
    readonly_fields = ("photo_preview",)
    actions = publish_actions()
    fields = (
        "project",
        "title",
        "text",
        "image",
        "photo_preview",
        "image_alt",
        "is_published",
        "published_at",
    )

    @admin.display(description=_("preview"))
    def photo_preview(self, obj):
        return image_preview(obj.image, obj.image_alt)

    def view_on_site(self, obj):
        # An update has no page of its own: it shows on its project's, or its preview.
        page = obj.project.get_absolute_url() if obj.is_public() else obj.project.get_preview_url()
        return f"{page}#update-{obj.pk}"


admin.site.site_header = _("Project portfolio — administration")
admin.site.site_title = _("Project portfolio")
admin.site.index_title = _("Projects, partners and pledges")
