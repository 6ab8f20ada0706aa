"""An editor changes a project's title twice, reads the History and restores the first."""

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.test_staff_two_factor import LISTEN_FOR_VIOLATIONS

from .test_admin_smoke import editor, log_in  # noqa: F401 - the fixture is used by name


def save_title(page, title):
    page.locator("#id_title_fr").fill(title)
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()


def test_an_editor_restores_the_first_title_from_the_history(site, page, demo, editor):  # noqa: F811
    first_title = demo.title_fr
    with translation.override("fr"):
        public_page = site.url + demo.get_absolute_url()
    csp_messages = []
    page.on(
        "console",
        lambda message: (
            csp_messages.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(LISTEN_FOR_VIOLATIONS)
    log_in(page, site, editor)
    page.goto(site.url + reverse("admin:portfolio_project_change", args=[demo.pk]))
    save_title(page, "Deuxième titre du projet")
    save_title(page, "Troisième titre du projet")
    page.goto(public_page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Troisième titre du projet")

    page.goto(site.url + reverse("admin:portfolio_project_change", args=[demo.pk]))
    page.get_by_role("link", name="Historique").click()
    versions = page.locator(".version")
    newest = versions.first
    expect(newest.locator("th", has_text="titre (français)")).to_be_visible()
    expect(newest.locator(".version-before")).to_contain_text(["Deuxième titre du projet"])
    expect(newest.locator(".version-after")).to_contain_text(["Troisième titre du projet"])
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__violations")

    # The first of the editor's versions still holds the seed title: restore it.
    first_change = versions.nth(1)
    expect(first_change.locator(".version-before")).to_contain_text([first_title])
    versions.last.get_by_role("link", name="Rétablir cette version").click()
    expect(page.locator("table.version-changes")).to_contain_text(first_title)
    page.wait_for_load_state("networkidle")
    violations += page.evaluate("window.__violations")
    page.get_by_role("button", name="Oui, rétablir cette version").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#id_title_fr")).to_have_value(first_title)

    page.goto(public_page)
    expect(page.get_by_role("heading", level=1)).to_have_text(first_title)
    assert (violations, csp_messages) == ([], [])
