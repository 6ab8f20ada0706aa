"""The giving panel in a real browser: amounts lead to the pledge page with the amount
chosen, the bar shows at 0 %, the panel stays compact, and the giving pages pass axe-core
in both languages, on a desktop and on a phone."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import signing
from playwright.sync_api import expect

from donations.views import THANKS_SALT
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import make_sponsorship, make_suggested_amount

PROJECT = {
    "fr": "/fr/projets/prevenir-la-traite-des-etres-humains-dans-les-regions-rurales/",
    "en": "/en/projects/preventing-human-trafficking-in-rural-regions/",
}
PLEDGE = {
    "fr": PROJECT["fr"] + "soutenir/",
    "en": PROJECT["en"] + "pledge/",
}
THANKS = {"fr": "/fr/dons/merci/", "en": "/en/pledges/thank-you/"}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def giving(demo):
    """The seed project with a goal, two suggested amounts, and nothing raised yet."""
    demo.funding_goal = Decimal("10000")
    demo.save()
    demo.suggested_amounts.all().delete()
    make_suggested_amount(
        demo,
        "25",
        impact_fr="les fournitures scolaires d’une fille",
        impact_en="school supplies for a girl",
    )
    make_suggested_amount(
        demo, "100", impact_fr="un mois d’accompagnement", impact_en="a month of support"
    )
    return demo


@pytest.fixture(scope="module")
def axe():
    return Axe()


def violations(axe, page):
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in axe.run(page).response["violations"]
    ]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_an_amount_button_opens_the_pledge_page_with_it_chosen(page, site, giving, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(site.url + PROJECT["en"])
    bar = page.locator("#support progress.funding-progress")
    expect(bar).to_be_visible()
    expect(bar).to_have_attribute("value", "0")
    box = bar.bounding_box()
    assert box["height"] >= 10 and box["width"] >= 200, box
    expect(page.locator("#support .funding-headline")).to_contain_text("$10,000")
    panel = page.locator("#support").bounding_box()
    assert panel["height"] < (700 if viewport == "desktop" else 1000), panel
    page.locator("#support a.amount-choice", has_text="school supplies for a girl").click()
    expect(page).to_have_url(site.url + PLEDGE["en"] + "?amount=25.00")
    expect(page.locator("input[name=amount_choice][value='25.00']")).to_be_checked()


def test_the_monthly_link_opens_the_pledge_page_monthly(page, site, giving):
    page.goto(site.url + PROJECT["fr"])
    page.locator("#support a.frequency-choice", has_text="Donner chaque mois").click()
    expect(page.locator("input[name=frequency][value=monthly]")).to_be_checked()


def test_the_header_donate_button_leads_to_the_projects_open_for_giving(page, site, giving):
    page.goto(site.url + "/en/")
    page.locator("header a.header-donate").click()
    expect(page).to_have_url(site.url + "/en/projects/?status=active")
    page.locator("a.card-donate").first.click()
    expect(page.locator("form.pledge-form")).to_be_visible()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("language", ["fr", "en"])
def test_giving_pages_pass_axe(axe, page, site, giving, language, viewport):
    page.set_viewport_size(VIEWPORTS[viewport])
    sponsorship = make_sponsorship(
        giving, frequency="monthly", language=language, amount=Decimal("25")
    )
    token = signing.dumps(sponsorship.reference, salt=THANKS_SALT)
    for url in (
        PROJECT[language],
        PLEDGE[language] + "?amount=25.00",
        THANKS[language] + "?" + urlencode({"ref": token}),
    ):
        page.goto(site.url + url)
        assert violations(axe, page) == [], url
    # The thank-you page in the other language keeps the reference.
    page.locator(".language-switcher a").first.click()
    expect(page.locator(".pledge-reference")).to_contain_text(sponsorship.reference)
