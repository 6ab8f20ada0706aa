"""A visitor reads the seed project's results: charts, sentences and tables, in both
languages, on a desktop and on a phone, with no accessibility violation (axe-core)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE

PROJECT = {
    "fr": "/fr/projets/prevenir-la-traite-des-etres-humains-dans-les-regions-rurales/",
    "en": "/en/projects/preventing-human-trafficking-in-rural-regions/",
}
WORDS = {
    "fr": {"heading": "Résultats", "indicator": "Filles et garçons rejoints", "parts": "filles"},
    "en": {"heading": "Results", "indicator": "Girls and boys reached", "parts": "girls"},
}


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_results_section_reads_well_and_has_no_violation(axe, page, site, language, viewport):
    words = WORDS[language]
    page.set_viewport_size(viewport)
    page.goto(site.url + PROJECT[language])
    section = page.locator("section.results")
    expect(section.get_by_role("heading", level=2)).to_have_text(words["heading"])
    chart = section.get_by_role("img", name=words["indicator"])
    expect(chart).to_be_visible()
    expect(section.get_by_role("table").first).to_contain_text(words["parts"])
    # The chart fits the screen: it is drawn to the column's width, never wider.
    box = chart.bounding_box()
    assert box["width"] <= viewport["width"]
    results = axe.run(page, context="section.results")
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]
    assert violations == []
    # The whole page too: the section's ids and headings fit among the others.
    assert axe.run(page).response["violations"] == []
