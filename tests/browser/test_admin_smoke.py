"""A visitor reads the seed project in both languages; an editor changes it in the admin."""

import importlib
import os
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from portfolio.models import Project

SCREENSHOTS = os.environ.get("SMOKE_SCREENSHOTS")
GROUPS_MIGRATION = importlib.import_module("portfolio.migrations.0002_editor_and_finance_groups")


@pytest.fixture
def editor(db, django_user_model):
    """An account in the Editors group, with the permissions its data migration grants.

    Live-server tests empty the database between tests, and Playwright's event loop
    hides the copy Django keeps to restore it; so the group is rebuilt here the way
    the migration builds it.
    """
    editors, _created = Group.objects.get_or_create(name="Editors")
    models = GROUPS_MIGRATION.EDITOR_MODELS
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=models,
            content_type__model__in=[model for names in models.values() for model in names],
            codename__regex=r"^({})_".format("|".join(GROUPS_MIGRATION.ACTIONS)),
        )
    )
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", PASSWORD, is_staff=True
    )
    user.groups.add(editors)
    return user


def public_url(site, project, language):
    with translation.override(language):
        return site.url + project.get_absolute_url()


PASSWORD = "correct-horse-battery"


def log_in(page, site, user, password=PASSWORD):
    page.goto(site.url + reverse("admin:login"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("input[type=submit], button[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def test_visitors_read_the_seed_project_in_french_and_english(site, page, demo):
    page.goto(site.url + "/fr/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("link", name=demo.title_fr).first.click()
    expect(page).to_have_url(public_url(site, demo, "fr"))
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title_fr)
    expect(page.get_by_text(demo.subtitle_fr)).to_be_visible()

    page.goto(site.url + "/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name=demo.title_en).first.click()
    expect(page).to_have_url(public_url(site, demo, "en"))
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title_en)
    expect(page.get_by_text(demo.subtitle_en)).to_be_visible()


def test_an_editor_changes_the_english_subtitle(site, page, demo, editor):
    external_scripts = []
    page.on(
        "request",
        lambda request: (
            urlsplit(request.url).netloc != urlsplit(site.url).netloc
            and external_scripts.append(request.url)
        ),
    )
    log_in(page, site, editor)
    page.goto(site.url + reverse("admin:portfolio_project_change", args=[demo.pk]))

    # One switch for the form's language; the admin's (French) first.
    switch = page.get_by_role("group", name="Langue modifiée")
    expect(switch.get_by_role("button")).to_have_count(2)
    expect(page.locator("#id_subtitle_en")).to_be_hidden()
    expect(page.locator("#id_subtitle_fr")).to_be_visible()
    # The rich-text editor replaced the story's text area with a toolbar and an editable area.
    story = page.locator(".prose-editor", has=page.locator("#id_body_fr"))
    expect(story.locator(".prose-menubar").first).to_be_visible()
    expect(story.locator("[contenteditable=true]").first).to_be_visible()
    expect(story.locator("[contenteditable=true]").first).to_contain_text("Mumbai Smiles")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/project-change.png", full_page=True)

    switch.get_by_role("button", name="English").click()
    new_subtitle = "A global approach to end trafficking, village by village"
    page.locator("#id_subtitle_en").fill(new_subtitle)
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert external_scripts == []

    demo.refresh_from_db()
    assert demo.subtitle_en == new_subtitle
    assert demo.subtitle_fr == "Une approche globale pour lutter contre ce fléau"

    page.goto(public_url(site, demo, "en"))
    expect(page.get_by_text(new_subtitle)).to_be_visible()
    page.goto(public_url(site, demo, "fr"))
    expect(page.get_by_text(new_subtitle)).to_have_count(0)


def test_an_editor_writes_the_english_story_in_the_rich_text_editor(site, page, demo, editor):
    log_in(page, site, editor)
    page.goto(site.url + reverse("admin:portfolio_project_change", args=[demo.pk]))
    page.get_by_role("group", name="Langue modifiée").get_by_role("button", name="English").click()
    story = page.locator(".prose-editor", has=page.locator("#id_body_en"))
    editable = story.locator("[contenteditable=true]").first
    expect(editable).to_be_visible()
    editable.click()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("Enter")
    page.keyboard.press("ControlOrMeta+b")
    page.keyboard.type("Thank you, partners!")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    body_en = Project.objects.values_list("body_en", flat=True).get(pk=demo.pk)
    assert "<strong>Thank you, partners!</strong>" in body_en
    page.goto(public_url(site, demo, "en"))
    expect(page.locator("strong", has_text="Thank you, partners!")).to_be_visible()
    assert re.search(r"Mumbai Smiles", page.content())
