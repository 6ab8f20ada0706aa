"""A project's page shows its results: a chart drawn on the server, a sentence and a table,
in the visitor's language, and shows changes on the next request."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from results.models import Period, Result

from .admin_forms import admin_form_data
from .factories import make_project
from .results_factories import make_indicator, make_part, make_period, make_result

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def page(project, language):
    with translation.override(language):
        url = project.get_absolute_url()
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


def results_section(html):
    match = re.search(r'<section class="band results".*?</section>', html, re.S)
    assert match, "no results section"
    return match.group(0)


@pytest.fixture
def reached():
    """An indicator with its baseline, a period and its parts by sex."""
    project = make_project()
    result = make_result(
        project, title_fr="Les jeunes connaissent les risques", title_en="Youth know the risks"
    )
    indicator = make_indicator(result)
    period = make_period(indicator, target=Decimal(4000), actual=Decimal(3200))
    make_part(period, "filles", "girls", 1900)
    make_part(period, "garçons", "boys", 1300)
    return project


def test_the_chart_is_an_image_with_a_title_and_a_description(reached):
    for language, title, sentence in (
        (
            "fr",
            "Filles et garçons rejoints",
            f"Réalisé{NBSP}: 3{NBSP}200 enfants, cible{NBSP}: 4{NBSP}000, 80{NBSP}% de la cible, "
            f"référence{NBSP}: 0 en 2023.",
        ),
        (
            "en",
            "Girls and boys reached",
            "Achieved: 3,200 children, target: 4,000, 80% of the target, baseline: 0 in 2023.",
        ),
    ):
        section = results_section(page(reached, language))
        svg = re.search(r"<svg [^>]*>.*?</svg>", section, re.S).group(0)
        assert 'role="img"' in svg
        labelled_by = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        title_id, desc_id = labelled_by
        assert f'<title id="{title_id}">{title}</title>' in svg
        assert f'<desc id="{desc_id}">{sentence}</desc>' in svg
        # The same sentence for those who read the page, and three bars.
        assert f"<figcaption>{sentence}</figcaption>" in section
        assert svg.count("<rect ") == 3


def test_the_table_gives_every_value_and_part_in_the_visitor_s_language(reached):
    fr = results_section(page(reached, "fr"))
    assert '<h2 id="results-heading">Résultats</h2>' in fr
    assert f'<td class="number">4{NBSP}000</td>' in fr
    assert f'<td class="number">3{NBSP}200</td>' in fr
    assert f'"results-part">filles&nbsp;1{NBSP}900</span>, <span class="results-part">garçons' in fr
    assert "janvier 2024 à décembre 2025" in fr
    en = results_section(page(reached, "en"))
    assert '<h2 id="results-heading">Results</h2>' in en
    assert '<td class="number">4,000</td>' in en and '<td class="number">3,200</td>' in en
    assert (
        '"results-part">girls&nbsp;1,900</span>, <span class="results-part">boys&nbsp;1,300' in en
    )
    assert "January 2024 to December 2025" in en


def test_percentages_and_a_lower_is_better_indicator_read_right():
    project = make_project()
    rate = make_indicator(
        make_result(project), measure="percentage", baseline_value=Decimal(35), unit_fr=""
    )
    make_period(rate, target=Decimal(80), actual=Decimal("62.5"))
    drop_outs = make_indicator(
        rate.result, title_en="School drop-outs", ascending=False, baseline_value=Decimal(120)
    )
    make_period(drop_outs, target=Decimal(40), actual=Decimal(75))
    fr = results_section(page(project, "fr"))
    assert f"62,50{NBSP}%" in fr and f"80{NBSP}%" in fr
    en = results_section(page(project, "en"))
    assert "62.50%" in en and "baseline: 35% in 2023" in en
    assert "target: 40, baseline: 120 in 2023, a lower value is better." in en


def test_an_indicator_without_values_says_so_and_a_project_without_results_shows_none():
    project = make_project()
    make_indicator(make_result(project), baseline_value=None)
    assert "No value measured yet." in results_section(page(project, "en"))
    assert "results-heading" not in page(make_project(), "en")


def test_editors_text_is_escaped_in_the_chart_and_the_table():
    project = make_project()
    indicator = make_indicator(make_result(project), title_en="<script>alert(1)</script>")
    period = make_period(indicator)
    make_part(period, "filles", '<img src=x onerror="alert(1)">', 10)
    html = page(project, "en")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in results_section(html)


def test_results_follow_the_project_story_and_no_script_draws_them(reached):
    html = page(reached, "en")
    section = results_section(html)
    assert "<script" not in section and "http" not in section


@pytest.mark.parametrize("token_kept_in", ["cache", "database"])
def test_a_change_to_results_shows_on_the_next_request_in_both_languages(
    settings, reached, editor_client, token_kept_in
):
    settings.PAGE_CACHE_ENABLED = True
    settings.PAGE_CACHE_STATE = token_kept_in  # "cache": fragments are kept too
    visitor = Client()
    urls = {}
    for language in ("fr", "en"):
        with translation.override(language):
            urls[language] = reached.get_absolute_url()
        visitor.get(urls[language])
        assert visitor.get(urls[language])["ETag"]  # now served from the cache

    period = Period.objects.get()
    change = reverse("admin:results_period_change", args=[period.pk])
    form = admin_form_data(editor_client.get(change), actual="3500")
    assert editor_client.post(change, form).status_code == 302
    assert f'<td class="number">3{NBSP}500</td>' in visitor.get(urls["fr"]).content.decode()
    assert '<td class="number">3,500</td>' in visitor.get(urls["en"]).content.decode()

    # A write in bulk (no save signal) renews the pages too.
    Period.objects.filter(pk=period.pk).update(target=Decimal(5000))
    assert f'<td class="number">5{NBSP}000</td>' in visitor.get(urls["fr"]).content.decode()
    assert '<td class="number">5,000</td>' in visitor.get(urls["en"]).content.decode()

    Result.objects.get().delete()
    for url in urls.values():
        assert "results-heading" not in visitor.get(url).content.decode()


def project_page_queries(project) -> int:
    with translation.override("fr"):
        url = project.get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url)
    assert response.status_code == 200
    return len(queries)


def results_of(project, indicators):
    result = make_result(project)
    for number in range(indicators):
        period = make_period(make_indicator(result, title_fr=f"Indicateur {number}"))
        make_part(period, "filles", "girls", 1000)
        make_part(period, "garçons", "boys", 1000)
        make_period(period.indicator, start=period.end, end=period.end)


def test_the_project_page_runs_as_many_queries_with_1_or_5_indicators(settings):
    settings.PAGE_CACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False
    one, five = make_project(), make_project()
    results_of(one, 1)
    results_of(five, 5)
    make_result(five, title_fr="Un autre résultat")
    assert project_page_queries(one) == project_page_queries(five) <= 15


def test_the_portfolio_knows_nothing_of_the_results_app():
    """Results come to the project page and form through the portfolio's extension points."""
    from pathlib import Path

    root = Path(__file__).parent.parent
    for path in [
        *(root / "portfolio").rglob("*.py"),
        root / "templates/portfolio/project_detail.html",
    ]:
        source = path.read_text()
        assert "from results" not in source and "import results" not in source, path
        assert "results_section" not in source, path
