from modeltranslation.translator import TranslationOptions, register

from .models import Project, ProjectImage, ProjectUpdate, Region, Sector


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
