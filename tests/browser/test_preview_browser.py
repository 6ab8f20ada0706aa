"""An editor opens a draft's preview from the admin, in French and in English."""

import pytest
from playwright.sync_api import expect

from tests.browser import test_admin_smoke

pytestmark = pytest.mark.django_db(transaction=True)

# The Editors account as the admin smoke test builds it for the live server.
editor = test_admin_smoke.editor


@pytest.fixture
def draft(demo):
    demo.is_published = False
    demo.save()
    return demo


@pytest.mark.parametrize(
    ("locale", "button", "title", "banner"),
    [
        (
            "fr-CA",
            "Aperçu — Français",
            "Prévenir la traite des êtres humains",
            "Ce projet est un brouillon",
        ),
        ("en-CA", "Preview — English", "Preventing human trafficking", "This project is a draft"),
    ],
)
def test_an_editor_opens_a_drafts_preview_from_the_admin(
    site,
    browser,
    editor,
    draft,
    locale,
    button,
    title,
    banner,
):
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    test_admin_smoke.log_in(page, site, editor)
    page.goto(f"{site.url}/admin/portfolio/project/{draft.pk}/change/")
    # The public page is not there yet: the editor's way to it is the preview.
    with context.expect_page() as opened:
        page.get_by_role("link", name=button).click()
    preview = opened.value
    preview.wait_for_load_state()
    expect(preview.locator(".preview-banner")).to_contain_text(banner)
    expect(preview.locator("h1")).to_contain_text(title)
    expect(preview.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")

    # "View on site" leads to the preview too, not to a page missing for the public.
    page.locator("a.viewsitelink").click()
    expect(page.locator(".preview-banner")).to_contain_text(banner)
    expect(page.locator("h1")).to_contain_text(title)
    context.close()
