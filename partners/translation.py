from modeltranslation.translator import TranslationOptions, register

from .models import Partner


@register(Partner)
class PartnerTranslationOptions(TranslationOptions):
    fields = ("name", "slug", "summary", "description", "logo_alt", "quote")
    required_languages = ("fr",)
