"""The results framework in the admin: results on the project form; indicators on a result's
page, periods on an indicator's, parts (disaggregations) on a period's, each with a link down
to the next level and one back up (Django's inlines do not nest)."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_languages import (
    TranslatedAdmin,
    TranslatedStackedInline,
    TranslatedTabularInline,
)

from .models import Disaggregation, Indicator, Period, Result, check_parts


def change_link(obj, label, count=None):
    """Return a link to ``obj``'s admin page, or a note that it must be saved first."""
    if obj is None or obj.pk is None:
        return _("Save first, then come back to add them.")
    url = reverse(f"admin:results_{obj._meta.model_name}_change", args=[obj.pk])
    if count is not None:
        return format_html('<a href="{}">{}</a> ({})', url, label, count)
    return format_html('<a href="{}">{}</a>', url, label)


class ResultInline(TranslatedStackedInline):
    """A project's results, on the project form (added by ``ResultsConfig.ready``)."""

    model = Result
    extra = 0
    fields = ("type", "title", "description", "order", "indicators_link")
    readonly_fields = ("indicators_link",)
    verbose_name_plural = _("results (indicators are edited on each result’s page)")

    @admin.display(description=_("indicators"))
    def indicators_link(self, obj):
        count = obj.indicators.count() if obj and obj.pk else None
        return change_link(obj, _("Edit indicators"), count)


class IndicatorInline(TranslatedStackedInline):
    model = Indicator
    extra = 0
    fields = (
        "title",
        "description",
        ("measure", "unit", "ascending"),
        ("baseline_year", "baseline_value"),
        "order",
        "periods_link",
    )
    readonly_fields = ("periods_link",)

    @admin.display(description=_("periods"))
    def periods_link(self, obj):
        count = obj.periods.count() if obj and obj.pk else None
        return change_link(obj, _("Edit periods"), count)


class PeriodInline(TranslatedStackedInline):
    model = Period
    extra = 0
    fields = (("start", "end"), ("target", "actual"), "comment", "parts_link")
    readonly_fields = ("parts_link",)

    @admin.display(description=_("parts"))
    def parts_link(self, obj):
        count = obj.disaggregations.count() if obj and obj.pk else None
        return change_link(obj, _("Edit parts (girls, boys…)"), count)


class DisaggregationFormSet(BaseInlineFormSet):
    """Check the parts sent together against the period's actual value, as a set."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.checked_with_inlines = True
        return form

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        parts = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        check_parts(self.instance.actual, parts)


class DisaggregationInline(TranslatedTabularInline):
    model = Disaggregation
    formset = DisaggregationFormSet
    extra = 0
    fields = ("dimension", "category", "value", "order")


class CheckedWithInlinesForm(forms.ModelForm):
    """The form of an indicator or a period: what its rows below must respect (periods within
    100 for a percentage, parts within the actual value) is checked on the rows sent along
    in its inline, not on those saved before."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.checked_with_inlines = True


@admin.register(Result)
class ResultAdmin(TranslatedAdmin):
    list_display = ("title", "project", "type", "order")
    list_filter = ("type",)
    list_select_related = ("project",)
    search_fields = ("title_fr", "title_en", "project__title_fr", "project__title_en")
    autocomplete_fields = ("project",)
    fields = ("project", "project_link", "type", "title", "description", "order")
    readonly_fields = ("project_link",)
    inlines = (IndicatorInline,)

    @admin.display(description=_("back to"))
    def project_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        url = reverse("admin:portfolio_project_change", args=[obj.project_id])
        return format_html('<a href="{}">{}</a>', url, obj.project)


@admin.register(Indicator)
class IndicatorAdmin(TranslatedAdmin):
    form = CheckedWithInlinesForm
    list_display = ("title", "result", "measure", "baseline_value")
    list_filter = ("measure",)
    list_select_related = ("result",)
    search_fields = ("title_fr", "title_en", "result__title_fr", "result__project__title_fr")
    autocomplete_fields = ("result",)
    fields = (
        "result",
        "result_link",
        "title",
        "description",
        ("measure", "unit", "ascending"),
        ("baseline_year", "baseline_value"),
        "order",
    )
    readonly_fields = ("result_link",)
    inlines = (PeriodInline,)

    @admin.display(description=_("back to"))
    def result_link(self, obj):
        return "—" if obj is None or obj.pk is None else change_link(obj.result, obj.result)


@admin.register(Period)
class PeriodAdmin(TranslatedAdmin):
    form = CheckedWithInlinesForm
    list_display = ("__str__", "target", "actual")
    list_select_related = ("indicator",)
    search_fields = ("indicator__title_fr", "indicator__title_en")
    autocomplete_fields = ("indicator",)
    fields = ("indicator", "indicator_link", ("start", "end"), ("target", "actual"), "comment")
    readonly_fields = ("indicator_link",)
    inlines = (DisaggregationInline,)

    @admin.display(description=_("back to"))
    def indicator_link(self, obj):
        return "—" if obj is None or obj.pk is None else change_link(obj.indicator, obj.indicator)
