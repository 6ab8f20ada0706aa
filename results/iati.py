"""A project's results as IATI 2.03 ``<result>`` elements (called by the ``iati`` app).

Texts become narratives in each language; values are written as plain decimal numbers.
A disaggregated period repeats its ``<actual>`` once per part, each with its
``<dimension>``, after the total (IATI's way of reporting parts of a value).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from lxml import etree

from .models import Disaggregation, Indicator, Period, Result

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _narratives(parent, tag: str, obj, field: str) -> None:
    """Add ``<tag>`` with a narrative per language that has text (nothing when none has)."""
    texts = {
        code: (getattr(obj, f"{field}_{code}", "") or "").strip()
        for code, _name in settings.LANGUAGES
    }
    if not any(texts.values()):
        return
    element = etree.SubElement(parent, tag)
    for code, text in texts.items():
        if text:
            etree.SubElement(element, "narrative", {XML_LANG: code}).text = text


def _value(parent, tag: str, value: Decimal, comment_of=None, dimension=None) -> None:
    element = etree.SubElement(parent, tag, {"value": _number(value)})
    if dimension is not None:
        etree.SubElement(
            element,
            "dimension",
            {
                "name": dimension.dimension_fr or dimension.dimension,
                "value": dimension.category_fr or dimension.category,
            },
        )
    if comment_of is not None:
        _narratives(element, "comment", comment_of, "comment")


def framework():
    """Return the results with their indicators, periods and parts prefetched."""
    parts = Prefetch("disaggregations", queryset=Disaggregation.objects.all())
    periods = Prefetch("periods", queryset=Period.objects.prefetch_related(parts))
    indicators = Prefetch("indicators", queryset=Indicator.objects.prefetch_related(periods))
    return Result.objects.prefetch_related(indicators)


def with_results(queryset):
    """Return the projects with their results framework, in a fixed number of queries."""
    return queryset.prefetch_related(Prefetch("results", queryset=framework()))


def result_elements(project) -> Iterator[etree._Element]:
    """Yield one ``<result>`` per result of the project that has indicators."""
    for result in project.results.all():
        indicators = list(result.indicators.all())
        if not indicators:  # IATI requires at least one indicator per result.
            continue
        element = etree.Element("result", {"type": result.iati_type_code})
        _narratives(element, "title", result, "title")
        _narratives(element, "description", result, "description")
        for indicator in indicators:
            _indicator(element, indicator)
        yield element


def _indicator(result_element, indicator: Indicator) -> None:
    element = etree.SubElement(
        result_element,
        "indicator",
        {"measure": indicator.iati_measure_code, "ascending": indicator.iati_ascending},
    )
    _narratives(element, "title", indicator, "title")
    _narratives(element, "description", indicator, "description")
    if indicator.baseline_year is not None and indicator.baseline_value is not None:
        etree.SubElement(
            element,
            "baseline",
            {"year": str(indicator.baseline_year), "value": _number(indicator.baseline_value)},
        )
    for period in indicator.periods.all():
        period_element = etree.SubElement(element, "period")
        etree.SubElement(period_element, "period-start", {"iso-date": period.start.isoformat()})
        etree.SubElement(period_element, "period-end", {"iso-date": period.end.isoformat()})
        if period.target is not None:
            _value(period_element, "target", period.target)
        if period.actual is not None:
            _value(period_element, "actual", period.actual, comment_of=period)
            for part in period.disaggregations.all():
                _value(period_element, "actual", part.value, dimension=part)
