"""Editors write a project's results in the admin, level by level, in both languages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from results.models import Disaggregation, Indicator, Period, Result

from .admin_forms import admin_form_data
from .factories import make_project
from .results_factories import make_indicator, make_part, make_period, make_result

pytestmark = pytest.mark.django_db


def post(client, url, **changes):
    form = admin_form_data(client.get(url)) | changes
    return client.post(url, form)


def saved(response):
    assert response.status_code == 302, response.context and (
        response.context["errors"],
        [f.non_form_errors() for f in response.context["inline_admin_formsets"]],
    )


def test_editors_go_from_a_project_to_the_parts_of_a_period(editor_client):
    project = make_project()
    project_url = reverse("admin:portfolio_project_change", args=[project.pk])
    saved(
        post(
            editor_client,
            project_url,
            **{
                "results-TOTAL_FORMS": "1",
                "results-0-type": "output",
                "results-0-title_fr": "Les villages connaissent les risques",
                "results-0-title_en": "Villages know the dangers",
                "results-0-order": "0",
            },
        )
    )
    result = Result.objects.get(project=project)
    assert result.title_en == "Villages know the dangers" and result.iati_type_code == "1"

    result_url = reverse("admin:results_result_change", args=[result.pk])
    page = editor_client.get(project_url).content.decode()
    assert f'href="{result_url}"' in page  # "Edit indicators"

    saved(
        post(
            editor_client,
            result_url,
            **{
                "indicators-TOTAL_FORMS": "1",
                "indicators-0-title_fr": "Villages couverts",
                "indicators-0-title_en": "Villages covered",
                "indicators-0-unit_fr": "villages",
                "indicators-0-unit_en": "villages",
                "indicators-0-measure": "number",
                "indicators-0-ascending": "on",
                "indicators-0-baseline_year": "2023",
                "indicators-0-baseline_value": "0",
                "indicators-0-order": "0",
            },
        )
    )
    indicator = Indicator.objects.get(result=result)
    indicator_url = reverse("admin:results_indicator_change", args=[indicator.pk])
    assert f'href="{indicator_url}"' in editor_client.get(result_url).content.decode()

    saved(
        post(
            editor_client,
            indicator_url,
            **{
                "periods-TOTAL_FORMS": "1",
                "periods-0-start": "2024-01-01",
                "periods-0-end": "2025-12-31",
                "periods-0-target": "60",
                "periods-0-actual": "45",
                "periods-0-comment_fr": "Bon départ",
                "periods-0-comment_en": "A good start",
            },
        )
    )
    period = Period.objects.get(indicator=indicator)
    assert (period.target, period.actual, period.comment_en) == (60, 45, "A good start")
    period_url = reverse("admin:results_period_change", args=[period.pk])
    assert f'href="{period_url}"' in editor_client.get(indicator_url).content.decode()

    saved(
        post(
            editor_client,
            period_url,
            **{
                "disaggregations-TOTAL_FORMS": "2",
                "disaggregations-0-dimension_fr": "pays",
                "disaggregations-0-dimension_en": "country",
                "disaggregations-0-category_fr": "Népal",
                "disaggregations-0-category_en": "Nepal",
                "disaggregations-0-value": "25",
                "disaggregations-0-order": "0",
                "disaggregations-1-dimension_fr": "pays",
                "disaggregations-1-dimension_en": "country",
                "disaggregations-1-category_fr": "Bangladesh",
                "disaggregations-1-category_en": "Bangladesh",
                "disaggregations-1-value": "20",
                "disaggregations-1-order": "1",
            },
        )
    )
    parts = Disaggregation.objects.filter(period=period)
    assert sorted(parts.values_list("category_en", "value")) == [
        ("Bangladesh", Decimal(20)),
        ("Nepal", Decimal(25)),
    ]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "fr",
            "Les parties de «\xa0sexe\xa0» totalisent 3\xa0400, "
            "plus que la valeur réelle 3\xa0200.",
        ),
        ("en", "The parts of “sex” add up to 3,400, more than the actual value 3,200."),
    ],
)
def test_parts_above_the_total_are_refused_on_save(editor_client, language, message):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    period = make_period(actual=Decimal(3200))
    url = reverse("admin:results_period_change", args=[period.pk])
    response = post(
        editor_client,
        url,
        **{
            "disaggregations-TOTAL_FORMS": "2",
            "disaggregations-0-dimension_fr": "sexe",
            "disaggregations-0-dimension_en": "sex",
            "disaggregations-0-category_fr": "filles",
            "disaggregations-0-category_en": "girls",
            "disaggregations-0-value": "2000",
            "disaggregations-0-order": "0",
            "disaggregations-1-dimension_fr": "sexe",
            "disaggregations-1-dimension_en": "sex",
            "disaggregations-1-category_fr": "garçons",
            "disaggregations-1-category_en": "boys",
            "disaggregations-1-value": "1400",
            "disaggregations-1-order": "1",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Disaggregation.objects.exists()


def test_moving_a_part_from_one_category_to_another_is_accepted(editor_client):
    """Checked as a set: 1 900 + 1 300 becomes 1 800 + 1 400 (the old 1 900 is not counted)."""
    period = make_period(actual=Decimal(3200))
    girls = make_part(period, "filles", "girls", 1900)
    boys = make_part(period, "garçons", "boys", 1300)
    url = reverse("admin:results_period_change", args=[period.pk])
    saved(
        post(
            editor_client,
            url,
            **{"disaggregations-0-value": "1800", "disaggregations-1-value": "1400"},
        )
    )
    girls.refresh_from_db()
    boys.refresh_from_db()
    assert (girls.value, boys.value) == (1800, 1400)


def test_lowering_the_actual_value_below_its_parts_is_refused_on_the_period_page(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    period = make_period(actual=Decimal(3200))
    make_part(period, "filles", "girls", 1900)
    make_part(period, "garçons", "boys", 1300)
    url = reverse("admin:results_period_change", args=[period.pk])
    response = post(editor_client, url, actual="3000")
    assert response.status_code == 200
    assert "more than the actual value 3,000" in response.content.decode()
    period.refresh_from_db()
    assert period.actual == 3200


def test_lowering_the_actual_value_below_its_parts_is_refused_on_the_indicator_page(
    editor_client,
):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    period = make_period(actual=Decimal(3200))
    make_part(period, "filles", "girls", 1900)
    make_part(period, "garçons", "boys", 1300)
    url = reverse("admin:results_indicator_change", args=[period.indicator.pk])
    response = post(editor_client, url, **{"periods-0-actual": "3000"})
    assert response.status_code == 200
    assert "more than the actual value 3,000" in response.content.decode()
    period.refresh_from_db()
    assert period.actual == 3200


def test_a_percentage_above_100_is_refused_in_the_admin(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    indicator = make_indicator(measure="percentage", baseline_value=Decimal(35))
    make_period(indicator=indicator, target=Decimal(80), actual=Decimal(62))
    url = reverse("admin:results_indicator_change", args=[indicator.pk])
    response = post(editor_client, url, **{"periods-0-target": "120"})
    assert response.status_code == 200
    assert "A percentage cannot exceed 100." in response.content.decode()


def test_results_pages_open_for_editors(editor_client):
    period = make_period()
    make_part(period, "filles", "girls", 10)
    for name, obj in (
        ("result", period.indicator.result),
        ("indicator", period.indicator),
        ("period", period),
    ):
        assert (
            editor_client.get(reverse(f"admin:results_{name}_change", args=[obj.pk])).status_code
            == 200
        )
        assert editor_client.get(reverse(f"admin:results_{name}_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:results_result_add")).status_code == 200
    make_result()


def test_a_number_becomes_a_percentage_with_its_periods_in_one_save(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    indicator = make_indicator(baseline_value=Decimal(0))
    make_period(indicator=indicator, target=Decimal(4000), actual=Decimal(3200))
    url = reverse("admin:results_indicator_change", args=[indicator.pk])
    response = post(editor_client, url, measure="percentage")
    assert response.status_code == 200
    assert "A percentage cannot exceed 100." in response.content.decode()
    changes = {"measure": "percentage", "periods-0-target": "80", "periods-0-actual": "64"}
    saved(post(editor_client, url, **changes))
    indicator.refresh_from_db()
    assert indicator.is_percentage and indicator.periods.get().actual == 64
