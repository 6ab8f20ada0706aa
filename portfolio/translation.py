from modeltranslation.translator import TranslationOptions, register

from core.versions import keep_versions

from .models import Project, ProjectImage, ProjectUpdate, Region, Sector
from .search import search_columns


@register(Region)
class RegionTranslationOptions(TranslationOptions):
    fields = ("name", "slug", "description")
    required_languages = ("fr",)


@register(Sector)
class SectorTranslationOptions(TranslationOptions):
    fields = ("name", "slug", "description")
    required_languages = ("fr",)


@register(Project)
class ProjectTranslationOptions(TranslationOptions):
    fields = (
        "title",
        "slug",
        "subtitle",
        "summary",
        "body",
        "beneficiaries_description",
        "cover_alt",
    )
    required_languages = {"fr": ("title", "slug")}


@register(ProjectImage)
class ProjectImageTranslationOptions(TranslationOptions):
    fields = ("alt_text", "caption")
    required_languages = {"fr": ("alt_text",)}


@register(ProjectUpdate)
class ProjectUpdateTranslationOptions(TranslationOptions):
    fields = ("title", "text", "image_alt")
    required_languages = {"fr": ("title", "text")}


# After the translations: each version then holds every language's text (title_fr, title_en…).
keep_versions(Region, Sector, ProjectImage, ProjectUpdate)
# The search columns are rebuilt from the texts at each save: no need to keep them.
keep_versions(Project, excluded_fields=search_columns())
