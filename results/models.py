"""What a project sets out to achieve and how far it has come, in the shape of IATI 2.03.

A project has results (outputs, outcomes, impacts); each result has indicators measured in
numbers or percentages, from a baseline; each indicator has periods with a target and an
actual value, and an actual value may be split into parts (girls and boys, age groups).
Values are numbers, never text. Totals (the sum of a dimension's parts) are computed when
read, never stored; the parts of one dimension may not exceed the period's actual value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import pagecache
from portfolio.models import Project

from .numbers import format_value

BASELINE_YEARS = (1950, 2100)
VALUE = {"max_digits": 14, "decimal_places": 2}


class ResultType(models.TextChoices):
    OUTPUT = "output", _("Output")
    OUTCOME = "outcome", _("Outcome")
    IMPACT = "impact", _("Impact")


class IndicatorMeasure(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENTAGE = "percentage", _("Percentage")


class Result(models.Model):
    Type = ResultType

    # IATI 2.03 ResultType codelist.
    IATI_TYPE_CODES = {Type.OUTPUT: "1", Type.OUTCOME: "2", Type.IMPACT: "3"}

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="results", verbose_name=_("project")
    )
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.OUTPUT)
    title = models.CharField(
        _("title"), max_length=200, help_text=_("What the project achieves, in a short sentence.")
    )
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = pagecache.PublicContentQuerySet.as_manager()

    class Meta:
        ordering = ("order", "pk")
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=ResultType.values),
                name="result_type_known",
                violation_error_message=_("Choose a known type of result."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def iati_type_code(self) -> str:
        """Return the IATI ResultType code (1 output, 2 outcome, 3 impact)."""
        return self.IATI_TYPE_CODES[self.type]


class Indicator(models.Model):
    Measure = IndicatorMeasure

    # IATI 2.03 IndicatorMeasure codelist: 1 unit, 2 percentage.
    IATI_MEASURE_CODES = {Measure.NUMBER: "1", Measure.PERCENTAGE: "2"}

    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("result")
    )
    title = models.CharField(
        _("title"), max_length=200, help_text=_("What is counted, e.g. “Girls and boys reached”.")
    )
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(
        _("unit"),
        max_length=60,
        blank=True,
        help_text=_(
            "What one counts, in the plural (“children”, “villages”); empty for a percentage."
        ),
    )
    measure = models.CharField(
        _("measure"), max_length=10, choices=Measure.choices, default=Measure.NUMBER
    )
    ascending = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Untick when progress means a lower value (e.g. school drop-outs)."),
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(BASELINE_YEARS[0]), MaxValueValidator(BASELINE_YEARS[1])],
    )
    baseline_value = models.DecimalField(
        _("baseline value"),
        **VALUE,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The value before the project started."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = pagecache.PublicContentQuerySet.as_manager()

    class Meta:
        ordering = ("order", "pk")
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.CheckConstraint(
                condition=Q(measure__in=IndicatorMeasure.values),
                name="indicator_measure_known",
                violation_error_message=_("Choose a known measure."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_value__gte=0),
                name="indicator_baseline_not_negative",
                violation_error_message=_("The baseline cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True)
                | ~Q(measure="percentage")
                | Q(baseline_value__lte=100),
                name="indicator_baseline_percentage",
                violation_error_message=_("A percentage cannot exceed 100."),
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True)
                | Q(baseline_year__gte=BASELINE_YEARS[0], baseline_year__lte=BASELINE_YEARS[1]),
                name="indicator_baseline_year_range",
                violation_error_message=_("The baseline year must be between 1950 and 2100."),
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_percentage(self) -> bool:
        return self.measure == self.Measure.PERCENTAGE

    @property
    def iati_measure_code(self) -> str:
        """Return the IATI IndicatorMeasure code (1 unit, 2 percentage)."""
        return self.IATI_MEASURE_CODES[self.measure]

    @property
    def iati_ascending(self) -> str:
        """Return IATI's ``ascending`` attribute: "1" when a higher value is better."""
        return "1" if self.ascending else "0"

    def clean(self):
        if self.is_percentage and self.baseline_value is not None and self.baseline_value > 100:
            raise ValidationError({"baseline_value": _("A percentage cannot exceed 100.")})
        # The admin's indicator form checks the periods it is sent instead.
        if self.is_percentage and self.pk and not getattr(self, "checked_with_inlines", False):
            over = Period.objects.filter(indicator=self).filter(
                Q(target__gt=100) | Q(actual__gt=100)
            )
            if over.exists():
                raise ValidationError(
                    {"measure": _("Some periods have values above 100: not a percentage.")}
                )


class Period(models.Model):
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="periods", verbose_name=_("indicator")
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    target = models.DecimalField(
        _("target"), **VALUE, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    actual = models.DecimalField(
        _("actual"),
        **VALUE,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("What was achieved in the period; its parts (girls, boys…) cannot exceed it."),
    )
    comment = models.TextField(_("comment"), blank=True)

    objects = pagecache.PublicContentQuerySet.as_manager()

    class Meta:
        ordering = ("start", "pk")
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="period_end_after_start",
                violation_error_message=_("The end cannot come before the start."),
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=0),
                name="period_target_not_negative",
                violation_error_message=_("The target cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=0),
                name="period_actual_not_negative",
                violation_error_message=_("The actual value cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} ({self.start:%Y-%m-%d} – {self.end:%Y-%m-%d})"

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("The end cannot come before the start.")
        if self.indicator_id and self.indicator.is_percentage:
            for name in ("target", "actual"):
                value = getattr(self, name)
                if value is not None and value > 100:
                    errors[name] = _("A percentage cannot exceed 100.")
        # The admin's period form checks the parts it is sent instead.
        if self.pk and not getattr(self, "checked_with_inlines", False) and "actual" not in errors:
            try:
                check_parts(self.actual, self.disaggregations.all())
            except ValidationError as error:
                errors["actual"] = error.messages
        if errors:
            raise ValidationError(errors)

    def dimensions(self) -> list[list[Disaggregation]]:
        """Return the prefetched parts grouped by dimension, in order."""
        grouped: dict[str, list[Disaggregation]] = defaultdict(list)
        for part in self.disaggregations.all():
            grouped[part.dimension_key].append(part)
        return list(grouped.values())


def check_parts(actual: Decimal | None, parts: Iterable[Disaggregation]) -> None:
    """Raise ValidationError if the parts of one dimension add up to more than ``actual``.

    Parts without a value count for nothing.
    """
    totals: dict[str, Decimal] = defaultdict(Decimal)
    labels: dict[str, str] = {}
    for part in parts:
        if part.value is not None:
            totals[part.dimension_key] += part.value
            labels.setdefault(
                part.dimension_key, (part.dimension or "").strip() or part.dimension_key
            )
    if not totals:
        return
    if actual is None:
        raise ValidationError(_("Give the period’s actual value before splitting it into parts."))
    for key, total in totals.items():
        if total > actual:
            raise ValidationError(
                _(
                    "The parts of “%(dimension)s” add up to %(total)s, more than the actual "
                    "value %(actual)s."
                ),
                params={
                    "dimension": labels[key],
                    "total": format_value(total),
                    "actual": format_value(actual),
                },
                code="parts_exceed_total",
            )


class Disaggregation(models.Model):
    """One part of a period's actual value along a dimension (sex: girls; age: 10–14)."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="disaggregations", verbose_name=_("period")
    )
    dimension = models.CharField(
        _("dimension"),
        max_length=60,
        help_text=_(
            "What the value is split by, e.g. “sex” or “age”; the same words for each part."
        ),
    )
    category = models.CharField(
        _("category"), max_length=60, help_text=_("This part, e.g. “girls” or “10 to 14 years”.")
    )
    value = models.DecimalField(_("value"), **VALUE, validators=[MinValueValidator(0)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = pagecache.PublicContentQuerySet.as_manager()

    class Meta:
        ordering = ("order", "pk")
        verbose_name = _("disaggregation")
        verbose_name_plural = _("disaggregations")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="disaggregation_value_not_negative",
                violation_error_message=_("A value cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.dimension}: {self.category}"

    @property
    def dimension_key(self) -> str:
        """Return what groups parts of one dimension: its label in the default language."""
        return (getattr(self, "dimension_fr", None) or self.dimension or "").strip().casefold()

    def clean(self):
        # A set of parts edited together is checked as a set (``checked_with_inlines``).
        if getattr(self, "checked_with_inlines", False) or not self.period_id or self.value is None:
            return
        siblings = Disaggregation.objects.filter(period_id=self.period_id).exclude(pk=self.pk)
        try:
            check_parts(self.period.actual, [*siblings, self])
        except ValidationError as error:
            raise ValidationError({"value": error.messages}) from error
