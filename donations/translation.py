from modeltranslation.translator import TranslationOptions, register

from .models import SuggestedAmount


@register(SuggestedAmount)
class SuggestedAmountTranslationOptions(TranslationOptions):
    fields = ("impact",)
    required_languages = {"fr": ("impact",)}
