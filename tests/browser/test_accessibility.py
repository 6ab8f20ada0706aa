"""An axe-core audit of the public pages, in both languages, finds no violation.

axe-core is bundled with axe-playwright-python: nothing is fetched from the network.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from portfolio.views import FILTER_PARTNERS
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import make_partner, make_photo, make_project, make_update

PAGES = {
    "home": {"fr": "/fr/", "en": "/en/"},
    "project list": {"fr": "/fr/projets/?region=inde", "en": "/en/projects/?q=trafficking"},
    "project": {
        "fr": "/fr/projets/prevenir-la-traite-des-etres-humains-dans-les-regions-rurales/",
        "en": "/en/projects/preventing-human-trafficking-in-rural-regions/",
    },
    "partner list": {"fr": "/fr/partenaires/", "en": "/en/partners/?q=chhori"},
    "partner": {"fr": "/fr/partenaires/mumbai-smiles/", "en": "/en/partners/chhori/"},
    "region": {"fr": "/fr/regions/inde/", "en": "/en/regions/west-bengal/"},
    "not found": {"fr": "/fr/cette-page-n-existe-pas/", "en": "/en/no-such-page/"},
}


@pytest.fixture(scope="module")
def axe():
    return Axe()


def audit(axe, page, url):
    page.goto(url)
    results = axe.run(page)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]
    return violations


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_violation(axe, page, site, demo, name, language):
    make_photo(demo, caption_fr="Atelier", caption_en="Workshop")
    make_update(demo)
    assert audit(axe, page, site.url + PAGES[name][language]) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_violation_when_the_partner_filter_leaves_partners_out(axe, page, site, language):
    """With more partners than the filter offers, a help line leads to the partner list."""
    for _ in range(FILTER_PARTNERS + 1):
        make_project(partners=[make_partner()])
    url = {"fr": "/fr/projets/", "en": "/en/projects/"}[language]
    page.goto(site.url + url)
    assert page.locator("#partner-help a").count() == 1
    assert audit(axe, page, site.url + url) == []


@pytest.mark.parametrize("name", ["home", "project"])
def test_no_violation_on_a_phone(axe, page, site, demo, name):
    page.set_viewport_size(PHONE)
    assert audit(axe, page, site.url + PAGES[name]["fr"]) == []
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_pledge_form_sent_back_with_mistakes(axe, page, site, demo, language):
    """Errors are announced, linked from the summary to their field, and audited too."""
    page.goto(site.url + PAGES["project"][language] + "#support")
    page.locator("#support a.amount-choice-other").click()  # the form is on its own page
    page.locator("input[name=amount_choice][value=other]").check()
    page.locator("input[name=other_amount]").fill("abc")
    page.locator("input[name=email]").fill("not-an-address")
    page.locator("form.pledge-form").evaluate("form => form.noValidate = true")
    page.wait_for_timeout(3100)  # a person takes longer than the minimum fill time
    page.locator("form.pledge-form button[type=submit]").click()
    summary = page.locator(".error-summary")
    links = summary.get_by_role("link")
    assert links.count() >= 4  # amount, name, email, consent
    links.first.click()
    assert page.evaluate("document.activeElement.name") == "other_amount"
    field = page.locator("#id_other_amount")
    assert field.get_attribute("aria-invalid") == "true"
    assert "id_other_amount_error" in field.get_attribute("aria-describedby")
    results = axe.run(page)
    assert [v["id"] for v in results.response["violations"]] == []
