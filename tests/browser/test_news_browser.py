"""The news unsubscribe pages in a real browser: one button, no violation, both languages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from donations.models import Donor
from news.sending import unsubscribe_token
from tests.browser.conftest import DESKTOP, PHONE
from tests.factories import make_sponsorship

TEXTS = {
    "fr": ("Ne plus recevoir les nouvelles du terrain", "Se désabonner", "Vous êtes désabonné"),
    "en": ("Stop news from the field", "Unsubscribe", "You are unsubscribed"),
}


def violations(page):
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_supporter_unsubscribes_with_one_button(page, site, demo, language, viewport):
    pledge = make_sponsorship(demo, donor_email="camille@example.org", news_opt_in=True)
    assert pledge.confirm()
    with translation.override(language):
        url = reverse("news:unsubscribe", args=[unsubscribe_token("camille@example.org")])
    page.set_viewport_size(viewport)
    heading, button, done = TEXTS[language]

    page.goto(site.url + url)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert violations(page) == []
    page.get_by_role("button", name=button).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(done)
    assert violations(page) == []
    assert not Donor.objects.filter(news_opt_in=True).exists()
