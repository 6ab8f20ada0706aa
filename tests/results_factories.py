"""Small builders for results-framework test data."""

from datetime import date
from decimal import Decimal

from results.models import Disaggregation, Indicator, Period, Result

from .factories import make_project


def make_result(project=None, **fields) -> Result:
    defaults = {
        "title_fr": "Les enfants connaissent leurs droits",
        "title_en": "Children know their rights",
    }
    return Result.objects.create(project=project or make_project(), **defaults | fields)


def make_indicator(result=None, **fields) -> Indicator:
    defaults = {
        "title_fr": "Filles et garçons rejoints",
        "title_en": "Girls and boys reached",
        "unit_fr": "enfants",
        "unit_en": "children",
        "baseline_year": 2023,
        "baseline_value": Decimal(0),
    }
    return Indicator.objects.create(result=result or make_result(), **defaults | fields)


def make_period(indicator=None, **fields) -> Period:
    defaults = {
        "start": date(2024, 1, 1),
        "end": date(2025, 12, 31),
        "target": Decimal(4000),
        "actual": Decimal(3200),
    }
    return Period.objects.create(indicator=indicator or make_indicator(), **defaults | fields)


def make_part(period, category_fr, category_en, value, **fields) -> Disaggregation:
    defaults = {"dimension_fr": "sexe", "dimension_en": "sex"}
    return Disaggregation.objects.create(
        period=period,
        category_fr=category_fr,
        category_en=category_en,
        value=Decimal(value),
        **defaults | fields,
    )
