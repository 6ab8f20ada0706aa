"""An axe-core audit of the editors' forms and lists, in French and English, finds no violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from partners.models import Partner
from tests.browser import test_admin_languages, test_admin_smoke
from tests.factories import make_photo, make_suggested_amount, make_update

pytestmark = pytest.mark.django_db(transaction=True)

# The Editors account, suggested amounts included: the project form shows a tabular inline.
editor = test_admin_languages.editor


def admin_pages(demo):
    partner = Partner.objects.get(slug_fr="mumbai-smiles")
    return {
        "project add": reverse("admin:portfolio_project_add"),
        "project change": reverse("admin:portfolio_project_change", args=[demo.pk]),
        "partner change": reverse("admin:partners_partner_change", args=[partner.pk]),
        "field update add": reverse("admin:portfolio_projectupdate_add"),
        "project list": reverse("admin:portfolio_project_changelist"),
    }


@pytest.fixture(scope="module")
def axe():
    return Axe()


def violations(axe, page):
    results = axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


@pytest.fixture(params=["fr", "en"])
def language(request):
    return request.param


@pytest.fixture
def page(browser, browser_context_args, language):
    """A page whose browser speaks ``language``: the admin follows it."""
    context = browser.new_context(**browser_context_args | {"locale": f"{language}-CA"})
    yield context.new_page()
    context.close()


def test_no_violation_on_the_editors_pages(axe, page, site, demo, editor, language):
    make_photo(demo, caption_fr="Atelier", caption_en="Workshop")
    make_update(demo)
    make_suggested_amount(demo)
    test_admin_smoke.log_in(page, site, editor)
    found = {}
    for name, url in admin_pages(demo).items():
        page.goto(site.url + url)
        assert page.locator("html").get_attribute("lang") == language
        found[name] = violations(axe, page)
    # Sent back with an error: the summary, its links, the switch marking the language.
    page.goto(site.url + admin_pages(demo)["project change"])
    page.locator("#id_slug_en").evaluate("input => { input.value = 'not an address!'; }")
    page.locator("input[name=_continue]").click()
    page.locator(".error-summary a").first.click()
    found["project change with an error"] = violations(axe, page)
    assert found == {name: [] for name in found}
