"""A visitor looks at a project's photos: whole, whatever their shape, and large on a click."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import make_photo, make_project, uploaded_image


@pytest.fixture
def portrait(site):
    project = make_project(title_fr="L’école du soir", title_en="The evening school")
    photo = make_photo(project, alt_text_fr="Une élève lit au tableau", caption_fr="En classe")
    photo.image.save("portrait.jpg", uploaded_image(size=(700, 1000)), save=False)
    photo.save()
    return project, photo


def french_page(project):
    with translation.override("fr"):
        return project.get_absolute_url()


def test_a_portrait_photo_is_shown_whole_and_opens_in_a_viewer(page, site, portrait):
    project, photo = portrait
    page.goto(site.url + french_page(project))
    thumbnail = page.locator(".gallery img")
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => getComputedStyle(img).objectFit") == "contain"
    shape = thumbnail.evaluate("img => img.naturalWidth / img.naturalHeight")
    assert shape == pytest.approx(0.7, rel=0.01)  # the rendition is a portrait too

    link = page.get_by_role("link", name="Une élève lit au tableau")
    link.click()
    viewer = page.get_by_role("dialog", name="Photo")
    expect(viewer).to_be_visible()
    large = viewer.get_by_role("img", name="Une élève lit au tableau")
    expect(large).to_have_attribute("src", photo.image.large_url())
    expect(large).to_have_js_property("complete", True)
    assert large.evaluate("img => img.naturalWidth") == 700
    expect(viewer).to_contain_text("En classe")
    close = viewer.get_by_role("button", name="Fermer")
    expect(close).to_be_focused()

    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(link).to_be_focused()

    # The keyboard alone: Enter on the focused photo opens it, the Close button shuts it.
    page.keyboard.press("Enter")
    expect(viewer).to_be_visible()
    page.keyboard.press("Enter")
    expect(viewer).to_be_hidden()
    expect(link).to_be_focused()


def test_without_script_the_photo_link_opens_the_large_photo(browser, site, portrait):
    project, photo = portrait
    context = browser.new_context(java_script_enabled=False, locale="fr-CA")
    try:
        page = context.new_page()
        page.goto(site.url + french_page(project))
        page.get_by_role("link", name="Une élève lit au tableau").click()
        page.wait_for_url(f"**{photo.image.large_url()}")
    finally:
        context.close()
