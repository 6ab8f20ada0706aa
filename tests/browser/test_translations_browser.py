"""An editor publishes a project without its English title: the admin asks first."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import test_admin_smoke

pytestmark = pytest.mark.django_db(transaction=True)

# The Editors account as the admin smoke test builds it for the live server.
editor = test_admin_smoke.editor


def test_an_editor_confirms_a_project_without_its_english_title(site, page, demo, editor):
    english_title = demo.title_en
    test_admin_smoke.log_in(page, site, editor)
    page.goto(site.url + reverse("admin:portfolio_project_change", args=[demo.pk]))

    page.get_by_role("group", name="Langue modifiée").get_by_role("button", name="English").click()
    page.locator("#id_title_en").fill("")
    page.locator("input[name=_save]").click()

    warning = page.locator(".errornote, .errorlist.nonfield")
    expect(warning.first).to_be_visible()
    expect(page.locator(".errorlist.nonfield")).to_contain_text("certains de ses textes manquent")
    expect(page.locator(".errorlist.nonfield")).to_contain_text("Anglais : il manque titre")
    demo.refresh_from_db()
    assert demo.title_en == english_title

    page.get_by_label("Publier quand même").check()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    demo.refresh_from_db()
    assert not demo.title_en
    assert demo.is_published

    page.goto(site.url + reverse("admin:portfolio_project_changelist"))
    page.locator("#changelist-filter").get_by_role("link", name="Anglais manquant").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(demo.title_fr)
    expect(rows.first.locator(".translation-status")).to_contain_text("EN ✗")
