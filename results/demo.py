"""The seed project's results, for ``load_demo``.

Only the 4 000 girls and boys come from the project's page; the other figures are
plausible placeholders that the NGO corrects in the admin.
"""

from datetime import date
from decimal import Decimal

from .models import Disaggregation, Indicator, Period, Result

START, END = date(2024, 1, 1), date(2025, 12, 31)
SEX = {"dimension_fr": "sexe", "dimension_en": "sex"}
COUNTRY = {"dimension_fr": "pays", "dimension_en": "country"}

RESULTS = [
    {
        "type": Result.Type.OUTPUT,
        "title_fr": "Les jeunes des villages exposés connaissent les risques de la traite",
        "title_en": "Young people in villages at risk know the dangers of trafficking",
        "indicators": [
            {
                "title_fr": "Filles et garçons rejoints",
                "title_en": "Girls and boys reached",
                "unit_fr": "enfants",
                "unit_en": "children",
                "baseline_year": 2023,
                "baseline_value": 0,
                "target": 4000,
                "actual": 3200,
                "parts": [
                    (SEX, "filles", "girls", 1900),
                    (SEX, "garçons", "boys", 1300),
                    (COUNTRY, "Inde (Bengale occidental)", "India (West Bengal)", 1200),
                    (COUNTRY, "Népal", "Nepal", 1000),
                    (COUNTRY, "Bangladesh", "Bangladesh", 1000),
                ],
            },
            {
                "title_fr": "Séances de sensibilisation tenues",
                "title_en": "Awareness sessions held",
                "unit_fr": "séances",
                "unit_en": "sessions",
                "baseline_year": 2023,
                "baseline_value": 0,
                "target": 240,
                "actual": 180,
                "parts": [],
            },
            {
                "title_fr": "Villages couverts",
                "title_en": "Villages covered",
                "unit_fr": "villages",
                "unit_en": "villages",
                "baseline_year": 2023,
                "baseline_value": 0,
                "target": 60,
                "actual": 45,
                "parts": [
                    (COUNTRY, "Inde (Bengale occidental)", "India (West Bengal)", 15),
                    (COUNTRY, "Népal", "Nepal", 15),
                    (COUNTRY, "Bangladesh", "Bangladesh", 15),
                ],
            },
        ],
    },
    {
        "type": Result.Type.OUTCOME,
        "title_fr": "Les communautés protègent mieux leurs enfants",
        "title_en": "Communities protect their children better",
        "indicators": [
            {
                "title_fr": "Jeunes qui reconnaissent une offre d’emploi trompeuse",
                "title_en": "Young people who recognise a deceptive job offer",
                "measure": Indicator.Measure.PERCENTAGE,
                "baseline_year": 2023,
                "baseline_value": 35,
                "target": 80,
                "actual": 62,
                "parts": [],
            },
        ],
    },
]


def add_demo_results(project, *, reset: bool = False, **kwargs) -> None:
    """Give the seed project its results, unless editors wrote some (``reset`` restores them)."""
    if project.results.exists():
        if not reset:
            return
        project.results.all().delete()
    for order, data in enumerate(RESULTS):
        result = Result.objects.create(
            project=project,
            order=order,
            **{key: value for key, value in data.items() if key != "indicators"},
        )
        for position, fields in enumerate(data["indicators"]):
            fields = dict(fields)
            target, actual, parts = fields.pop("target"), fields.pop("actual"), fields.pop("parts")
            indicator = Indicator.objects.create(result=result, order=position, **fields)
            period = Period.objects.create(
                indicator=indicator,
                start=START,
                end=END,
                target=Decimal(target),
                actual=Decimal(actual),
            )
            Disaggregation.objects.bulk_create(
                Disaggregation(
                    period=period,
                    category_fr=category_fr,
                    category_en=category_en,
                    value=Decimal(value),
                    order=number,
                    **dimension,
                )
                for number, (dimension, category_fr, category_en, value) in enumerate(parts)
            )
