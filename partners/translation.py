from modeltranslation.translator import TranslationOptions, register

from core.versions import keep_versions

from .models import Partner


@register(Partner)
class PartnerTranslationOptions(TranslationOptions):
    fields = ("name", "slug", "summary", "description", "logo_alt", "quote")
    required_languages = ("fr",)


# After the translations: each version then holds every language's text (name_fr, name_en…).
keep_versions(Partner)
