"""The change forms: one language switch, an error summary linking to each field, labelled
date and time inputs, folded secondary sections, the editor's words in the admin's language."""

import json
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from core.admin_languages import LanguageSwitchMixin
from partners.models import Partner
from portfolio.models import Project, ProjectUpdate, Region, Sector

from .admin_forms import admin_form_data

pytestmark = pytest.mark.django_db

TRANSLATED_MODELS = [Project, Partner, Region, Sector, ProjectUpdate]


@pytest.fixture
def french(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return editor_client


@pytest.mark.parametrize("model", TRANSLATED_MODELS)
def test_every_translated_form_has_the_language_switch(model, demo, french):
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, LanguageSwitchMixin)
    for inline in model_admin.get_inline_instances(None):
        if getattr(inline, "trans_opts", None):
            assert isinstance(inline, LanguageSwitchMixin), inline
    html = french.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    html = html.content.decode()
    assert "Langue modifiée :" in html
    # The admin's language first, each language by its own name.
    assert re.search(r'data-language="fr" lang="fr" aria-pressed="true">Français<', html)
    assert re.search(r'data-language="en" lang="en" aria-pressed="false">English<', html)
    assert "js/admin-languages.js" in html
    assert "tabbed_translation_fields.js" not in html


def test_the_english_admin_starts_on_english(demo, editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = editor_client.get(reverse("admin:portfolio_project_add")).content.decode()
    assert "Language being edited:" in html
    assert re.search(r'data-language="en" lang="en" aria-pressed="true"', html)


def test_the_error_summary_links_to_each_field_in_its_language(demo, french):
    url = reverse("admin:portfolio_project_change", args=[demo.pk])
    data = admin_form_data(french.get(url), slug_en="pas une adresse !", funding_goal="beaucoup")
    response = french.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('class="errornote error-summary"') :]
    summary = summary[: summary.index("</div>")]
    assert "Corrigez les erreurs ci-dessous." in summary
    assert re.search(r'<a href="#id_slug_en" data-language="en">[^<]*\[en\]\s: ', summary)
    assert re.search(r'<a href="#id_funding_goal">[^<]+\s: ', summary)
    # One error note, not two; the page title says there is an error.
    assert html.count("errornote") == 1
    assert "<title>Erreur :" in html
    # The language holding an error says so on the switch.
    assert re.search(r'data-language="en"[^>]*>English<span[^>]*> — contient des erreurs', html)
    demo.refresh_from_db()
    assert demo.slug_en != "pas une adresse !"


def test_the_summary_links_to_a_photo_in_error(demo, french):
    url = reverse("admin:portfolio_project_change", args=[demo.pk])
    data = admin_form_data(
        french.get(url),
        **{
            "images-TOTAL_FORMS": "1",
            "images-0-caption_en": "x" * 1000,
            "images-0-alt_text_fr": "Une photo",
        },
    )
    html = french.post(url, data).content.decode()
    assert re.search(
        r'<a href="#id_images-0-caption_en" data-language="en">Galerie #1 — Légende \[en\]\s: ',
        html,
    )


def test_no_summary_without_errors(demo, french):
    html = french.get(reverse("admin:portfolio_project_change", args=[demo.pk])).content.decode()
    assert "error-summary" not in html


def test_date_and_time_inputs_have_labels(demo, french):
    html = french.get(reverse("admin:portfolio_project_add")).content.decode()
    assert re.search(
        r'<label for="id_published_at_0">Date\s:</label> <input[^>]+id="id_published_at_0"', html
    )
    assert re.search(
        r'<label for="id_published_at_1">Heure\s:</label> <input[^>]+id="id_published_at_1"', html
    )


def test_secondary_sections_fold_and_essentials_stay_open(demo, french):
    html = french.get(reverse("admin:portfolio_project_add")).content.decode()
    folded = re.findall(r"<details><summary>\s*<h2[^>]*>([^<]+)</h2>", html)
    assert folded == [
        "Dates et bénéficiaires",
        "Financement",
        "Adresses web",
        "Données ouvertes (IATI)",
        "Création et modifications",
    ]
    fieldsets = html.split("<fieldset")
    for essential in ("id_title_fr", "id_summary_fr", "id_body_fr", "id_is_published"):
        holder = next(part for part in fieldsets if f'id="{essential}"' in part)
        assert "<details>" not in holder, essential


def test_the_editor_buttons_speak_the_admin_language(demo, french):
    html = french.get(reverse("admin:portfolio_project_add")).content.decode()
    data = re.search(
        r'<script id="admin-editor-labels" type="application/json">(.*?)</script>', html
    )
    labels = json.loads(data.group(1))
    assert labels["bold"] == "gras"
    assert labels["insert link"] == "insérer un lien"
    assert labels["Heading 2"] == "Titre 2"


def test_the_editor_dialogs_speak_the_admin_language(french):
    script = french.get(reverse("admin_editor_jsi18n")).content.decode()
    assert '"Cancel": "Annuler"' in script
    assert '"Edit Link": "Modifier le lien"' in script


def test_a_link_is_not_extended_by_what_follows_it(demo, french):
    """The editor's link mark is not inclusive: it is inclusive exactly when autolink is on."""
    html = french.get(reverse("admin:portfolio_project_add")).content.decode()
    config = re.search(r'data-django-prose-editor-configurable="([^"]+)"', html).group(1)
    config = json.loads(config.replace("&quot;", '"'))
    assert config["extensions"]["Link"]["autolink"] is False
