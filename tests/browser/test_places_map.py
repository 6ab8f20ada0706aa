"""The maps of places in a real browser: no axe-core violation on the page or in the map
section, in French and English, on a desktop and a phone; no request leaves the site;
the points are links that lead where they say."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import DESKTOP, PHONE

PAGES = {
    "project": {
        "fr": "/fr/projets/prevenir-la-traite-des-etres-humains-dans-les-regions-rurales/",
        "en": "/en/projects/preventing-human-trafficking-in-rural-regions/",
    },
    "region": {"fr": "/fr/regions/bengale-occidental/", "en": "/en/regions/nepal/"},
    "country": {"fr": "/fr/regions/inde/", "en": "/en/regions/bangladesh/"},
    "home": {"fr": "/fr/", "en": "/en/"},
}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture(scope="module")
def axe():
    return Axe()


def violations(axe, page, context=None):
    results = axe.run(page, context=context)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_map_pages_have_no_violation_and_stay_on_the_site(
    axe, page, site, demo, name, language, viewport
):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(site.url + PAGES[name][language])
    page.wait_for_load_state("load")
    section = page.locator("section.places-map")
    assert section.count() == 1
    svg = section.locator("svg.places-map-svg")
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    # The map fits the screen: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert violations(axe, page, "section.places-map") == []
    assert violations(axe, page) == []
    assert any("/static/" in url for url in requested)  # the listener saw the page load
    outside = [url for url in requested if not url.startswith((site.url, "data:"))]
    assert outside == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_point_on_a_region_map_leads_to_its_project(page, site, demo, language):
    page.goto(site.url + PAGES["region"][language])
    point = page.locator("svg.places-map-svg a").first
    name = point.get_attribute("aria-label")
    title = {"fr": "Prévenir la traite", "en": "Preventing human trafficking"}[language]
    assert title in name
    # Keyboard users reach the point and follow it.
    point.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(site.url + PAGES["project"][language])
    assert page.locator("h1").inner_text().startswith(title)
