from modeltranslation.translator import TranslationOptions, register

from .models import Disaggregation, Indicator, Period, Result


@register(Result)
class ResultTranslationOptions(TranslationOptions):
    fields = ("title", "description")
    required_languages = {"fr": ("title",)}


@register(Indicator)
class IndicatorTranslationOptions(TranslationOptions):
    fields = ("title", "description", "unit")
    required_languages = {"fr": ("title",)}


@register(Period)
class PeriodTranslationOptions(TranslationOptions):
    fields = ("comment",)


@register(Disaggregation)
class DisaggregationTranslationOptions(TranslationOptions):
    fields = ("dimension", "category")
    required_languages = {"fr": ("dimension", "category")}
