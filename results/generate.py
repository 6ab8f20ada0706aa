"""Synthetic results for generated projects (``generate_portfolio``)."""

import random
from datetime import date
from decimal import Decimal

from .models import Disaggregation, Indicator, Period, Result

INDICATORS = (
    ("Enfants rejoints", "Children reached", "enfants", "children"),
    ("Villages couverts", "Villages covered", "villages", "villages"),
    ("Séances tenues", "Sessions held", "séances", "sessions"),
)


def create_results(projects, *, seed: int | None = None) -> int:
    """Give each project an output with one to three indicators; return how many indicators."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not secrets.
    results = Result.objects.bulk_create(
        Result(
            project=project,
            type=Result.Type.OUTPUT,
            title_fr="Les enfants et leurs familles sont mieux protégés",
            title_en="Children and their families are better protected",
        )
        for project in projects
    )
    indicators, periods, parts = [], [], []
    for result in results:
        for order, (title_fr, title_en, unit_fr, unit_en) in enumerate(
            INDICATORS[: rng.randint(1, len(INDICATORS))]
        ):
            indicators.append(
                Indicator(
                    result=result,
                    order=order,
                    title_fr=title_fr,
                    title_en=title_en,
                    unit_fr=unit_fr,
                    unit_en=unit_en,
                    baseline_year=2023,
                    baseline_value=Decimal(0),
                )
            )
    Indicator.objects.bulk_create(indicators)
    for indicator in indicators:
        target = Decimal(rng.randrange(50, 5000, 10))
        actual = (target * Decimal(rng.randint(20, 100)) / 100).quantize(Decimal(1))
        periods.append(
            Period(
                indicator=indicator,
                start=date(2024, 1, 1),
                end=date(2025, 12, 31),
                target=target,
                actual=actual,
            )
        )
    Period.objects.bulk_create(periods)
    for period in periods:
        girls = (period.actual * Decimal(rng.randint(40, 60)) / 100).quantize(Decimal(1))
        for order, (fr, en, value) in enumerate(
            (("filles", "girls", girls), ("garçons", "boys", period.actual - girls))
        ):
            parts.append(
                Disaggregation(
                    period=period,
                    dimension_fr="sexe",
                    dimension_en="sex",
                    category_fr=fr,
                    category_en=en,
                    value=value,
                    order=order,
                )
            )
    Disaggregation.objects.bulk_create(parts)
    return len(indicators)
