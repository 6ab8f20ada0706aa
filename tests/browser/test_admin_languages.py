"""Editors choose once which language they edit; errors lead to their field; the editor speaks
the admin's language."""

import importlib
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from playwright.sync_api import expect

from partners.models import Partner
from portfolio.models import Project
from tests.browser import test_admin_smoke
from tests.factories import make_photo, make_suggested_amount

pytestmark = pytest.mark.django_db(transaction=True)

DONATIONS_GRANTS = importlib.import_module(
    "donations.migrations.0002_finance_and_editor_permissions"
)

# True when the caret is at the end of the element's text (nothing follows it).
CARET_AT_END = """element => {
  const selection = getSelection();
  if (!selection.isCollapsed || !element.contains(selection.focusNode)) return false;
  const rest = document.createRange();
  rest.selectNodeContents(element);
  rest.setStart(selection.focusNode, selection.focusOffset);
  return rest.toString() === "";
}"""


@pytest.fixture
def editor(db, django_user_model):
    """The Editors account, with what both data migrations grant (live-server tests start
    from an emptied database): the portfolio and partners, and the suggested amounts."""
    portfolio = test_admin_smoke.GROUPS_MIGRATION
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=portfolio.EDITOR_MODELS,
            content_type__model__in=[
                m for names in portfolio.EDITOR_MODELS.values() for m in names
            ],
            codename__regex=r"^({})_".format("|".join(portfolio.ACTIONS)),
        ),
        *Permission.objects.filter(
            content_type__app_label="donations",
            codename__in=DONATIONS_GRANTS.codenames(DONATIONS_GRANTS.EDITORS),
        ),
    )
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", test_admin_smoke.PASSWORD, is_staff=True
    )
    user.groups.add(editors)
    return user


# A field of each kind on the project form: text, long text, rich text, a photo's caption
# (stacked inline), a suggested amount's impact (tabular inline).
TRANSLATED = [
    "title",
    "summary",
    "body",
    "cover_alt",
    "images-0-caption",
    "suggested_amounts-0-impact",
]


def field(page, name, language):
    """The visible part of a translated field: the editor for rich text, the control otherwise."""
    control = page.locator(f"#id_{name}_{language}")
    if name == "body":
        return page.locator(".prose-editor", has=control)
    return control


def expect_language(page, language):
    other = {"fr": "en", "en": "fr"}[language]
    for name in TRANSLATED:
        expect(field(page, name, language)).to_be_visible()
        expect(field(page, name, other)).to_be_hidden()


def switch(page):
    return page.get_by_role("group", name="Langue modifiée")


@pytest.fixture
def project_form(site, page, demo, editor):
    make_photo(demo, caption_fr="Atelier", caption_en="Workshop")
    make_suggested_amount(demo)
    test_admin_smoke.log_in(page, site, editor)
    url = site.url + reverse("admin:portfolio_project_change", args=[demo.pk])
    page.goto(url)
    return url


def test_one_switch_shows_a_language_on_every_translated_field(site, page, demo, project_form):
    french = switch(page).get_by_role("button", name="Français")
    english = switch(page).get_by_role("button", name="English")
    # The admin is in French: French first.
    expect(french).to_have_attribute("aria-pressed", "true")
    expect(english).to_have_attribute("aria-pressed", "false")
    expect_language(page, "fr")

    # From the keyboard.
    english.focus()
    page.keyboard.press("Space")
    expect(english).to_have_attribute("aria-pressed", "true")
    expect(french).to_have_attribute("aria-pressed", "false")
    expect_language(page, "en")
    # Column headings of a table follow too.
    expect(page.locator("#suggested_amounts-group th.column-impact_en")).to_be_visible()
    expect(page.locator("#suggested_amounts-group th.column-impact_fr")).to_be_hidden()

    # A photo added with "Add another" opens on the language being edited.
    page.locator("#images-group .add-row a").click()
    expect(page.locator("#id_images-1-caption_en")).to_be_visible()
    expect(page.locator("#id_images-1-caption_fr")).to_be_hidden()
    expect(page.locator("#id_images-1-alt_text_en")).to_be_visible()

    # The choice is remembered: after a reload, and on another form.
    page.reload()
    expect(switch(page).get_by_role("button", name="English")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect_language(page, "en")
    partner = Partner.objects.get(slug_fr="mumbai-smiles")
    page.goto(site.url + reverse("admin:partners_partner_change", args=[partner.pk]))
    expect(page.locator("#id_name_en")).to_be_visible()
    expect(page.locator("#id_name_fr")).to_be_hidden()

    # Back to French: a new row shows French fields now.
    page.goto(project_form)
    switch(page).get_by_role("button", name="Français").click()
    page.locator("#images-group .add-row a").click()
    expect(page.locator("#id_images-1-caption_fr")).to_be_visible()
    expect(page.locator("#id_images-1-caption_en")).to_be_hidden()


def test_the_error_summary_leads_to_the_field_in_its_language(site, page, demo, project_form):
    expect(switch(page).get_by_role("button", name="Français")).to_have_attribute(
        "aria-pressed", "true"
    )
    # An English address that is not one, in a folded section.
    page.locator("#id_slug_en").evaluate("input => { input.value = 'pas une adresse !'; }")
    page.locator("input[name=_continue]").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    link = summary.get_by_role("link", name="[en]")
    expect(link).to_have_count(1)
    expect(switch(page).get_by_role("button", name="English")).to_contain_text(
        "contient des erreurs"
    )
    expect(page.locator("#id_slug_en")).to_be_hidden()

    link.click()
    expect(page.locator("#id_slug_en")).to_be_focused()
    expect(page.locator("#id_slug_en")).to_be_visible()
    expect(switch(page).get_by_role("button", name="English")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#id_title_en")).to_be_visible()
    demo.refresh_from_db()
    assert demo.slug_en != "pas une adresse !"


def test_the_editor_speaks_french_and_keeps_a_full_stop_out_of_a_link(
    site, page, demo, project_form
):
    story = page.locator(".prose-editor", has=page.locator("#id_body_fr"))
    editable = story.locator("[contenteditable=true]")
    # Named by the field's label, in the field's language.
    expect(editable).to_have_accessible_name(re.compile(r"^Récit \[fr\]"))
    expect(editable).to_have_attribute("lang", "fr")
    # Buttons in French; the block type picker too.
    expect(story.get_by_role("button", name="gras", exact=True)).to_be_visible()
    expect(story.get_by_role("button", name="italique", exact=True)).to_be_visible()
    expect(story.get_by_role("button", name="liste à puces")).to_be_visible()
    expect(story.locator(".prose-menubar__option", has_text="Titre 2")).to_have_count(1)
    # About ten lines before it grows.
    assert editable.bounding_box()["height"] >= 150

    editable.click()
    expect(editable).to_be_focused()
    # To the end of the story; on a busy machine the editor may miss the first press.
    for _attempt in range(5):
        page.keyboard.press("ControlOrMeta+End")
        if editable.evaluate(CARET_AT_END):
            break
        page.wait_for_timeout(200)
    assert editable.evaluate(CARET_AT_END)
    page.keyboard.type(" Voir le site")
    # Each keystroke has reached the editor before the selection moves.
    expect(editable).to_contain_text("Voir le site")
    for _letter in "site":
        page.keyboard.press("Shift+ArrowLeft")
    story.get_by_role("button", name="insérer un lien").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Modifier le lien")
    expect(dialog.get_by_role("button", name="Annuler")).to_be_visible()
    dialog.get_by_label("URL").fill("https://example.org/")
    dialog.get_by_role("button", name="Mettre à jour").click()
    page.keyboard.press("End")
    page.keyboard.type(".")
    # The form's field holds the edited story before the form is sent.
    expect(page.locator("#id_body_fr")).to_have_value(
        re.compile(r'Voir le <a href="https://example.org/"[^>]*>site</a>\.</p>')
    )
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    body_fr = Project.objects.values_list("body_fr", flat=True).get(pk=demo.pk)
    assert re.search(r'Voir le <a href="https://example.org/"[^>]*>site</a>\.</p>', body_fr)
