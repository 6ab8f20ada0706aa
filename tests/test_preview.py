"""Editors preview drafts, scheduled projects and hidden partners as their pages will look,
and share a signed link that opens the preview for a limited time."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core import preview
from portfolio.models import Project
from tests.factories import make_partner, make_project, make_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return make_project(
        title_fr="Brouillon : l’école du soir",
        title_en="Draft: the evening school",
        body_fr="<p>Texte du brouillon</p>",
        body_en="<p>Draft text</p>",
        is_published=False,
    )


def preview_path(obj, language="fr"):
    with translation.override(language):
        return obj.get_preview_url()


def shared_link(obj, language="fr"):
    """Return the shared link's path and query, as the admin offers it."""
    url = preview.shared_url(obj, language)
    return url[url.index("/", len("https://")) :]


def assert_is_a_preview(response):
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert 'class="preview-banner"' in html
    return html


def test_an_editor_previews_a_draft_in_french_and_english(draft, editor_client):
    html = assert_is_a_preview(editor_client.get(preview_path(draft, "fr")))
    assert "Brouillon : l’école du soir" in html
    assert "Texte du brouillon" in html
    assert "Ce projet est un brouillon : les visiteurs ne peuvent pas le voir." in html
    assert '<html lang="fr">' in html

    html = assert_is_a_preview(editor_client.get(preview_path(draft, "en")))
    assert "Draft: the evening school" in html
    assert "Draft text" in html
    assert "This project is a draft: visitors cannot see it." in html
    assert '<html lang="en">' in html
    # The language switcher leads to the preview in the other language.
    assert f'href="{preview_path(draft, "fr")}"' in html


def test_the_public_page_of_a_draft_stays_hidden(draft, editor_client):
    assert editor_client.get(draft.get_absolute_url()).status_code == 404
    assert Client().get(preview_path(draft)).status_code == 404


def test_a_scheduled_project_says_when_it_goes_public(editor_client):
    when = timezone.now() + timedelta(days=3)
    project = make_project(title_en="Soon", published_at=when)
    html = assert_is_a_preview(editor_client.get(preview_path(project, "en")))
    assert "This project is scheduled for" in html
    assert str(timezone.localtime(when).year) in html
    html = editor_client.get(preview_path(project, "fr")).content.decode()
    assert "La publication de ce projet est programmée le" in html


def test_staff_who_may_not_change_projects_see_no_preview(draft, client, finance_user):
    client.force_login(finance_user)
    assert client.get(preview_path(draft)).status_code == 404


def test_a_shared_link_opens_the_preview_without_an_account(draft):
    visitor = Client()
    html = assert_is_a_preview(visitor.get(shared_link(draft, "fr")))
    assert "Brouillon : l’école du soir" in html
    # The switcher keeps the link's token, so the English preview opens too.
    english = re.search(r'href="([^"]+)" hreflang="en"', html).group(1).replace("&amp;", "&")
    assert "token=" in english
    html = assert_is_a_preview(visitor.get(english))
    assert "Draft: the evening school" in html


def test_a_shared_link_opens_only_its_own_object(draft):
    other = make_project(is_published=False)
    token = preview.make_token(draft)
    assert Client().get(f"{preview_path(other)}?token={token}").status_code == 403
    partner = make_partner(pk=draft.pk, is_public=False)
    assert Client().get(f"{preview_path(partner)}?token={token}").status_code == 403


def test_a_tampered_link_is_refused_with_a_clear_page(draft):
    token = preview.make_token(draft)
    response = Client().get(f"{preview_path(draft)}?token={token[:-2]}xx")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Ce lien d’aperçu n’est pas valide" in html
    assert "Brouillon" not in html
    response = Client().get(f"{preview_path(draft, 'en')}?token=nonsense")
    assert response.status_code == 403
    assert "This preview link is not valid" in response.content.decode()


class PastSigner(signing.TimestampSigner):
    """Signs as if it were eight days ago."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 8 * 24 * 60 * 60)


def test_an_expired_link_is_refused_with_a_clear_page(draft, settings):
    assert settings.PREVIEW_LINK_MAX_AGE == 7 * 24 * 60 * 60
    value = preview._signed_value(draft)
    old = PastSigner(salt=preview.SALT).sign(value)[len(value) + 1 :]
    response = Client().get(f"{preview_path(draft)}?token={old}")
    assert response.status_code == 403
    assert response["Cache-Control"] == "private, no-store"
    assert "Ce lien d’aperçu a expiré" in response.content.decode()
    # The same age is fine when links live longer.
    settings.PREVIEW_LINK_MAX_AGE = 9 * 24 * 60 * 60
    assert Client().get(f"{preview_path(draft)}?token={old}").status_code == 200


def test_a_preview_through_a_link_shows_the_current_text_not_kept_fragments(settings):
    # As with Redis: fragments on, kept for anonymous visitors under the project's pk.
    settings.PAGE_CACHE_STATE = "cache"
    settings.FRAGMENT_CACHE_ENABLED = True
    project = make_project(title_fr="Titre publié", body_fr="<p>Texte publié</p>")
    visitor = Client()
    assert "Titre publié" in visitor.get(project.get_absolute_url()).content.decode()
    # The editor's new text, written behind the site's back so no fragment is put out
    # of date: only a preview that reads no fragment can show it.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET title_fr = %s, body_fr = %s WHERE id = %s",  # noqa: S608
            ["Titre en cours", "<p>Texte en cours</p>", project.pk],
        )
    assert "Titre publié" in visitor.get(project.get_absolute_url()).content.decode()

    html = assert_is_a_preview(visitor.get(shared_link(project)))
    assert "Titre en cours" in html and "Texte en cours" in html
    assert "Titre publié" not in html
    assert "Ce projet est publié : les visiteurs voient cette page." in html


def test_previews_are_never_kept_by_the_page_cache(draft, settings):
    settings.PAGE_CACHE_ENABLED = True
    link = shared_link(draft)
    visitor = Client()
    assert visitor.get(link).status_code == 200
    Project.objects.filter(pk=draft.pk).update(title_fr="Titre suivant")
    assert "Titre suivant" in visitor.get(link).content.decode()


def test_unpublished_field_updates_show_on_their_projects_preview_only(editor_client):
    project = make_project()
    make_update(project, title_fr="Nouvelle publiée")
    make_update(project, title_fr="Nouvelle en brouillon", is_published=False)
    make_update(
        project, title_fr="Nouvelle programmée", published_at=timezone.now() + timedelta(days=2)
    )
    public = Client().get(project.get_absolute_url()).content.decode()
    assert "Nouvelle publiée" in public
    assert "Nouvelle en brouillon" not in public and "Nouvelle programmée" not in public

    html = assert_is_a_preview(editor_client.get(preview_path(project)))
    assert "Nouvelle publiée" in html
    assert re.search(r"Brouillon</span></p>\s*<h3>Nouvelle en brouillon", html)
    assert re.search(r"Programmé</span></p>\s*<h3>Nouvelle programmée", html)


def test_an_editor_previews_a_hidden_partner(editor_client):
    partner = make_partner(name_fr="Partenaire discret", is_public=False)
    assert Client().get(partner.get_absolute_url()).status_code == 404
    html = assert_is_a_preview(editor_client.get(preview_path(partner)))
    assert "Partenaire discret" in html
    assert "Ce partenaire est masqué : les visiteurs ne peuvent pas voir sa page." in html
    assert Client().get(preview_path(partner)).status_code == 404
    assert_is_a_preview(Client().get(shared_link(partner)))


class TestAdmin:
    def test_the_change_form_offers_the_preview_and_a_link_to_share(self, draft, editor_client):
        html = editor_client.get(
            reverse("admin:portfolio_project_change", args=[draft.pk])
        ).content.decode()
        view_on_site = re.search(r'href="([^"]+)" class="viewsitelink"', html).group(1)
        assert view_on_site == preview_path(draft)
        assert editor_client.get(view_on_site).status_code == 200
        for language in ("fr", "en"):
            assert f'href="{preview_path(draft, language)}" hreflang="{language}"' in html
        link = re.search(r'class="vLargeTextField preview-link" value="([^"]+)"', html).group(1)
        link = link.replace("&amp;", "&")
        assert link.startswith("http://127.0.0.1:8000/")
        html = assert_is_a_preview(Client().get(link.removeprefix("http://127.0.0.1:8000")))
        assert "Brouillon : l’école du soir" in html

    def test_a_field_update_opens_on_its_projects_preview(self, draft, editor_client):
        update = make_update(draft)
        url = reverse("admin:portfolio_projectupdate_change", args=[update.pk])
        html = editor_client.get(url).content.decode()
        view_on_site = re.search(r'href="([^"]+)" class="viewsitelink"', html).group(1)
        assert view_on_site == f"{preview_path(draft)}#update-{update.pk}"

    def test_a_hidden_partner_opens_on_its_preview(self, editor_client):
        partner = make_partner(is_public=False)
        url = reverse("admin:partners_partner_change", args=[partner.pk])
        html = editor_client.get(url).content.decode()
        view_on_site = re.search(r'href="([^"]+)" class="viewsitelink"', html).group(1)
        assert view_on_site == preview_path(partner)
