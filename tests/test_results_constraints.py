"""Results are numbers the database itself keeps sound; parts never exceed their total."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from results.models import Disaggregation, Indicator, Period, Result

from .results_factories import make_indicator, make_part, make_period, make_result

pytestmark = pytest.mark.django_db


def refused_by_the_database(model, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**fields)


def test_result_type_must_be_known():
    result = make_result()
    refused_by_the_database(Result, project=result.project, type="wish", title_fr="Vœu")


@pytest.mark.parametrize(
    "fields",
    [
        {"measure": "stars"},
        {"baseline_value": Decimal("-1")},
        {"measure": "percentage", "baseline_value": Decimal("100.01")},
        {"baseline_year": 1800},
        {"baseline_year": 2300},
    ],
    ids=["measure", "negative baseline", "percentage over 100", "year too early", "too late"],
)
def test_indicator_values_are_checked_by_the_database(fields):
    result = make_result()
    refused_by_the_database(Indicator, result=result, title_fr="Indicateur", **fields)


def test_a_percentage_baseline_of_100_and_a_number_above_100_are_accepted():
    result = make_result()
    Indicator.objects.create(
        result=result, title_fr="Taux", measure="percentage", baseline_value=Decimal(100)
    )
    Indicator.objects.create(result=result, title_fr="Nombre", baseline_value=Decimal(4000))


@pytest.mark.parametrize(
    "fields",
    [
        {"start": date(2025, 1, 1), "end": date(2024, 12, 31)},
        {"target": Decimal("-5")},
        {"actual": Decimal("-0.01")},
    ],
    ids=["end before start", "negative target", "negative actual"],
)
def test_period_values_are_checked_by_the_database(fields):
    indicator = make_indicator()
    defaults = {"start": date(2024, 1, 1), "end": date(2024, 12, 31)}
    refused_by_the_database(Period, indicator=indicator, **defaults | fields)


def test_a_negative_part_is_refused_by_the_database():
    period = make_period()
    refused_by_the_database(
        Disaggregation, period=period, dimension_fr="sexe", category_fr="filles", value=-1
    )


def test_values_are_numbers_never_text():
    for model, name in ((Indicator, "baseline_value"), (Period, "actual"), (Period, "target")):
        assert model._meta.get_field(name).get_internal_type() == "DecimalField"
    assert Disaggregation._meta.get_field("value").get_internal_type() == "DecimalField"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "fr",
            "Les parties de «\xa0sexe\xa0» totalisent 3\xa0300, "
            "plus que la valeur réelle 3\xa0200.",
        ),
        ("en", "The parts of “sex” add up to 3,300, more than the actual value 3,200."),
    ],
)
def test_parts_of_a_dimension_cannot_exceed_the_actual_value(language, message):
    period = make_period(actual=Decimal(3200))
    make_part(period, "filles", "girls", 1900)
    boys = Disaggregation(
        period=period,
        dimension_fr="Sexe ",
        dimension_en="sex",
        category_fr="garçons",
        value=Decimal(1400),
    )
    with translation.override(language):
        with pytest.raises(ValidationError) as error:
            boys.full_clean()
        assert error.value.message_dict["value"] == [message]
    boys.value = Decimal(1300)  # exactly the total
    boys.full_clean()


def test_parts_of_other_dimensions_count_apart():
    period = make_period(actual=Decimal(3200))
    make_part(period, "filles", "girls", 1900)
    make_part(period, "garçons", "boys", 1300)
    part = Disaggregation(
        period=period, dimension_fr="pays", category_fr="Népal", value=Decimal(3200)
    )
    part.full_clean()


def test_lowering_the_actual_value_below_its_parts_is_refused():
    period = make_period(actual=Decimal(3200))
    make_part(period, "filles", "girls", 1900)
    make_part(period, "garçons", "boys", 1300)
    period.actual = Decimal(3000)
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            period.full_clean()
        assert "more than the actual value 3,000" in error.value.message_dict["actual"][0]
        period.actual = None
        with pytest.raises(ValidationError) as error:
            period.full_clean()
        assert "Give the period’s actual value" in error.value.message_dict["actual"][0]


def test_a_percentage_period_cannot_exceed_100():
    period = make_period(
        indicator=make_indicator(measure="percentage", baseline_value=Decimal(35)),
        target=Decimal(80),
        actual=Decimal(62),
    )
    period.full_clean()
    period.target = Decimal(120)
    with pytest.raises(ValidationError) as error:
        period.full_clean()
    assert "target" in error.value.message_dict


def test_iati_codes():
    result = make_result(type=Result.Type.OUTCOME)
    indicator = make_indicator(result=result, measure="percentage", ascending=False)
    assert result.iati_type_code == "2"
    assert indicator.iati_measure_code == "2" and indicator.iati_ascending == "0"
    assert make_result(type="output").iati_type_code == "1"
    assert make_result(type="impact").iati_type_code == "3"
    assert make_indicator().iati_measure_code == "1"


def enforced_at_commit():
    """Check the deferred constraint triggers now, as the commit would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="constraint triggers are PostgreSQL's"
)


@on_postgresql
def test_postgresql_refuses_parts_above_the_total_written_behind_the_forms():
    period = make_period(actual=Decimal(3200))
    make_part(period, "filles", "girls", 1900)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_part(period, "garçons", "boys", 1400)  # save() runs no validation
        enforced_at_commit()
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(actual=Decimal(1000))
        enforced_at_commit()
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(actual=None)
        enforced_at_commit()


@on_postgresql
def test_postgresql_accepts_parts_moved_between_categories_within_a_transaction():
    period = make_period(actual=Decimal(3200))
    girls = make_part(period, "filles", "girls", 1900)
    boys = make_part(period, "garçons", "boys", 1300)
    with transaction.atomic():
        Disaggregation.objects.filter(pk=boys.pk).update(value=Decimal(1400))  # 3 300 for now
        Disaggregation.objects.filter(pk=girls.pk).update(value=Decimal(1800))
        enforced_at_commit()
    with transaction.atomic():  # another dimension counts apart
        make_part(period, "Népal", "Nepal", 3200, dimension_fr="pays", dimension_en="country")
        enforced_at_commit()


@on_postgresql
def test_postgresql_refuses_a_percentage_above_100_in_a_period():
    indicator = make_indicator(measure="percentage", baseline_value=Decimal(35))
    period = make_period(indicator=indicator, target=Decimal(80), actual=Decimal(62))
    with pytest.raises(IntegrityError), transaction.atomic():
        Period.objects.filter(pk=period.pk).update(target=Decimal(120))
        enforced_at_commit()
    number = make_indicator()
    make_period(indicator=number, target=Decimal(4000), actual=Decimal(3200))
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=number.pk).update(measure="percentage")
        enforced_at_commit()
