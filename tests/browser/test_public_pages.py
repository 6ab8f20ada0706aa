"""A visitor browses, searches and switches language, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE

SEED_TITLE_FR = "Prévenir la traite des êtres humains dans les régions rurales"
SEED_TITLE_EN = "Preventing human trafficking in rural regions"

VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])


@pytest.fixture
def visit(page, site):
    def go(path, viewport):
        page.set_viewport_size(viewport)
        page.goto(site.url + path)
        return page

    return go


@VIEWPORTS
def test_filter_the_list_by_nepal(visit, demo, viewport):
    page = visit("/fr/projets/", viewport)
    page.get_by_label("Région").select_option(label="Népal")
    page.get_by_role("button", name="Afficher les projets").click()
    expect(page).to_have_url(re.compile(r"/fr/projets/\?.*region=nepal"))
    expect(page.get_by_role("heading", level=2, name="1 projet trouvé")).to_be_visible()
    page.get_by_role("link", name=SEED_TITLE_FR).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE_FR)


@VIEWPORTS
def test_search_traite_in_french_from_the_home_page(visit, demo, viewport):
    page = visit("/fr/", viewport)
    page.get_by_role("searchbox", name="Rechercher parmi les projets").fill("traite")
    page.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"/fr/projets/\?q=traite"))
    page.get_by_role("link", name=SEED_TITLE_FR).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE_FR)
    expect(page).to_have_url(re.compile(rf"/fr/projets/{demo.slug_fr}/$"))


@VIEWPORTS
def test_search_trafficking_in_english(visit, demo, viewport):
    page = visit("/en/projects/", viewport)
    page.get_by_role("searchbox", name="Search").fill("trafficking")
    page.get_by_role("button", name="Show projects").click()
    expect(page.get_by_role("heading", level=2, name="1 project found")).to_be_visible()
    page.get_by_role("link", name=SEED_TITLE_EN).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE_EN)
    expect(page).to_have_url(re.compile(rf"/en/projects/{demo.slug_en}/$"))


@VIEWPORTS
def test_switch_language_on_the_project_page_and_stay_on_the_project(visit, demo, viewport):
    page = visit(f"/fr/projets/{demo.slug_fr}/", viewport)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(rf"/en/projects/{demo.slug_en}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE_EN)
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE_FR)


@VIEWPORTS
def test_open_a_partner_page_from_the_project_page(visit, demo, viewport):
    page = visit(f"/fr/projets/{demo.slug_fr}/", viewport)
    page.get_by_role("link", name="CHHORI", exact=True).click()
    expect(page).to_have_url(re.compile(r"/fr/partenaires/chhori/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("CHHORI")
    # The partner's page leads back to the project.
    page.get_by_role("link", name=SEED_TITLE_FR).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SEED_TITLE_FR)


@VIEWPORTS
def test_the_list_keeps_its_filters_across_languages(visit, demo, viewport):
    page = visit("/fr/projets/?region=inde&q=traite", viewport)
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/projects/\?q=traite&region=india$"))
    expect(page.get_by_label("Region")).to_have_value("india")
    expect(page.get_by_role("searchbox", name="Search")).to_have_value("traite")


def test_find_a_partner_by_name_then_its_projects_without_javascript(browser, site, demo):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    page.goto(site.url + "/en/partners/")
    page.get_by_role("searchbox", name="Find a partner by name").fill("CHHORÍ")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/en/partners/\?q=CHHOR"))
    expect(page.get_by_text("1 partner found")).to_be_visible()
    page.get_by_role("link", name="1 project").click()
    expect(page).to_have_url(re.compile(r"/en/projects/\?partner=chhori$"))
    expect(page.get_by_label("Partner")).to_have_value("chhori")
    expect(page.get_by_role("link", name=SEED_TITLE_EN)).to_be_visible()
    context.close()


def test_remove_a_filter_from_the_results(visit, demo):
    page = visit("/fr/projets/?region=nepal&status=completed", DESKTOP)
    expect(page.get_by_text("Aucun projet ne correspond à cette recherche.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Retirer le filtre : Terminé")).click()
    expect(page.get_by_role("link", name=SEED_TITLE_FR)).to_be_visible()


def test_pages_load_no_asset_from_another_host(page, site, demo):
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    for path in ("/fr/", "/fr/projets/", f"/fr/projets/{demo.slug_fr}/", "/en/partners/"):
        page.goto(site.url + path)
        page.wait_for_load_state("networkidle")
    assert hosts == {site.url.split("/")[2]}


def test_the_cover_image_loads(page, site, demo):
    page.goto(site.url + f"/en/projects/{demo.slug_en}/")
    cover = page.locator(".cover img")
    expect(cover).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", cover.element_handle())
