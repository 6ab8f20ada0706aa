"""The "Results" section of a project's page: each indicator's progress as a chart drawn on
the server (inline SVG), a sentence saying the same, and a table of its periods."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core import fragments
from core.templatetags.translated_fields import translated

from .models import Disaggregation, Indicator, Period, Result
from .numbers import format_value

# The chart's drawing box: labels on the left, bars on the right.
CHART_WIDTH = 480
LABEL_WIDTH = 150
VALUE_ROOM = 80
BAR_HEIGHT = 26
BAR_GAP = 14


@dataclass
class Bar:
    kind: str
    label: str
    value: Decimal
    text: str
    y: int = 0
    width: int = 0
    text_x: int = 0


@dataclass
class Chart:
    bars: list[Bar]
    height: int
    width: int = CHART_WIDTH
    label_x: int = LABEL_WIDTH - 10
    bar_x: int = LABEL_WIDTH


def latest_period(indicator: Indicator) -> Period | None:
    """Return the last period with an actual value, else the last period."""
    periods = list(indicator.periods.all())
    measured = [period for period in periods if period.actual is not None]
    return (measured or periods or [None])[-1]


def chart(indicator: Indicator, period: Period | None) -> Chart | None:
    """Return the bars baseline → actual → target of an indicator (None with no value)."""
    percentage = indicator.is_percentage
    bars = []
    if indicator.baseline_value is not None:
        label = (
            _("Baseline (%(year)s)") % {"year": indicator.baseline_year}
            if indicator.baseline_year
            else _("Baseline")
        )
        bars.append(Bar("baseline", label, indicator.baseline_value, ""))
    if period is not None and period.actual is not None:
        bars.append(Bar("actual", _("Achieved"), period.actual, ""))
    if period is not None and period.target is not None:
        bars.append(Bar("target", _("Target"), period.target, ""))
    if not bars:
        return None
    scale = max([bar.value for bar in bars] + ([Decimal(100)] if percentage else []))
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM
    for number, bar in enumerate(bars):
        bar.text = format_value(bar.value, percentage)
        bar.y = BAR_GAP + number * (BAR_HEIGHT + BAR_GAP)
        bar.width = max(2, round(room * bar.value / scale)) if scale else 2
        bar.text_x = LABEL_WIDTH + bar.width + 8
    return Chart(bars=bars, height=BAR_GAP + len(bars) * (BAR_HEIGHT + BAR_GAP))


def summary(indicator: Indicator, period: Period | None) -> str:
    """Return the chart as a sentence, for those who do not see it."""
    percentage = indicator.is_percentage
    unit = "" if percentage else translated(indicator, "unit").text
    parts = []
    if period is not None and period.actual is not None:
        achieved = format_value(period.actual, percentage)
        parts.append(
            _("achieved: %(value)s %(unit)s") % {"value": achieved, "unit": unit}
            if unit
            else _("achieved: %(value)s") % {"value": achieved}
        )
    if period is not None and period.target is not None:
        parts.append(_("target: %(value)s") % {"value": format_value(period.target, percentage)})
        if period.actual is not None and period.target and indicator.ascending:
            share = Decimal(100) * period.actual / period.target
            parts.append(
                _("%(share)s of the target") % {"share": format_value(share.quantize(1), True)}
            )
    if indicator.baseline_value is not None:
        value = format_value(indicator.baseline_value, percentage)
        parts.append(
            _("baseline: %(value)s in %(year)s") % {"value": value, "year": indicator.baseline_year}
            if indicator.baseline_year
            else _("baseline: %(value)s") % {"value": value}
        )
    if not indicator.ascending:
        parts.append(_("a lower value is better"))
    sentence = ", ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "." if sentence else _("No value measured yet.")


def project_results(project) -> list[Result]:
    """Return a project's results with everything their section shows (four queries)."""
    periods = Period.objects.prefetch_related(
        Prefetch("disaggregations", queryset=Disaggregation.objects.order_by("order", "pk"))
    )
    return list(
        Result.objects.filter(project=project).prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.prefetch_related(Prefetch("periods", queryset=periods)),
            )
        )
    )


def results_section(project) -> str:
    """Render the "Results" section of a project's page (nothing when it has none), kept
    apart from the rest of the page: a rewritten story does not draw the charts again."""
    # Results, indicators and their periods: nothing of partners, regions or sectors.
    return fragments.kept_part(
        "results", project.pk, lambda: render_results(project), no_names=True
    )


def render_results(project) -> str:
    results = project_results(project)
    if not results:
        return ""
    for result in results:
        for indicator in result.indicators.all():
            period = latest_period(indicator)
            indicator.chart = chart(indicator, period)
            indicator.summary = summary(indicator, period)
            for each in indicator.periods.all():
                each.target_text = format_value(each.target, indicator.is_percentage)
                each.actual_text = format_value(each.actual, indicator.is_percentage)
                each.parts_by_dimension = each.dimensions()
                for parts in each.parts_by_dimension:
                    for part in parts:
                        part.value_text = format_value(part.value, indicator.is_percentage)
    return render_to_string("results/results_section.html", {"results": results})
