"""Editors see which languages of each page are complete, and cannot forget one unawares."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.i18n import get_by_translated_slug
from core.models import PendingUpload
from core.translations import missing_by_language
from portfolio.models import Project

from .admin_forms import admin_form_data
from .factories import (
    make_partner,
    make_project,
    make_region,
    make_sector,
    make_update,
    uploaded_image,
)

pytestmark = pytest.mark.django_db

PROJECTS = reverse("admin:portfolio_project_changelist")
REPORT = reverse("admin:portfolio_translation_report")


def in_language(client, language):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def change_url(project):
    return reverse("admin:portfolio_project_change", args=[project.pk])


def url_in(language, obj):
    with translation.override(language):
        return obj.get_absolute_url()


def untranslated_project(**fields):
    """A published project written in French only."""
    return make_project(
        **{
            "title_fr": "Des puits au village",
            "title_en": "",
            "summary_en": "",
            "body_fr": "<p>Le récit.</p>",
        }
        | fields
    )


def complete_project(**fields):
    return make_project(
        **{
            "title_fr": "École ouverte",
            "title_en": "Open school",
            "body_fr": "<p>Le récit.</p>",
            "body_en": "<p>The story.</p>",
        }
        | fields
    )


class TestCompleteness:
    def test_a_language_is_complete_when_its_required_texts_are_filled(self):
        project = untranslated_project()
        assert missing_by_language(project) == {"en": ["title", "summary", "body"]}
        assert missing_by_language(complete_project()) == {}

    def test_a_rich_text_of_empty_paragraphs_is_missing(self):
        project = complete_project(body_en="<p> </p><p><br></p>")
        assert missing_by_language(project) == {"en": ["body"]}

    def test_partners_regions_sectors_and_updates_have_their_own_rule(self):
        partner = make_partner(summary_fr="Une ONG", description_fr="<p>Histoire</p>")
        assert missing_by_language(partner) == {"en": ["summary", "description"]}
        assert missing_by_language(make_region(name_en="")) == {"en": ["name"]}
        assert missing_by_language(make_sector()) == {}

    @pytest.mark.parametrize(
        ("language", "missing_text", "complete_text"),
        [
            ("en", "English: incomplete", "French: complete"),
            ("fr", "Anglais : incomplet", "Français : complet"),
        ],
    )
    def test_the_project_list_shows_each_language_state(
        self, editor_client, language, missing_text, complete_text
    ):
        untranslated_project()
        page = in_language(editor_client, language).get(PROJECTS).content.decode()
        assert '<span aria-hidden="true">FR ✓</span>' in page
        assert '<span aria-hidden="true">EN ✗</span>' in page
        assert f'<span class="visually-hidden">{missing_text}</span>' in page
        assert f'<span class="visually-hidden">{complete_text}</span>' in page

    @pytest.mark.parametrize(
        "model",
        ["partners_partner", "portfolio_region", "portfolio_sector", "portfolio_projectupdate"],
    )
    def test_every_translated_list_shows_the_column(self, editor_client, model):
        make_partner(summary_fr="Une ONG")
        make_region(name_en="")
        make_sector()
        make_update(complete_project())
        page = editor_client.get(reverse(f"admin:{model}_changelist")).content.decode()
        assert 'class="translation-status"' in page
        assert "visually-hidden" in page


class TestMissingLanguageFilter:
    @pytest.mark.parametrize(
        ("language", "label"), [("en", "Missing English"), ("fr", "Anglais manquant")]
    )
    def test_missing_english_lists_only_the_projects_without_it(
        self, editor_client, language, label
    ):
        untranslated = untranslated_project()
        complete = complete_project()
        client = in_language(editor_client, language)
        assert label in client.get(PROJECTS).content.decode()
        listed = client.get(PROJECTS, {"missing": "en"}).context["cl"].result_list
        assert list(listed) == [untranslated]
        assert complete not in client.get(PROJECTS, {"missing": "fr"}).context["cl"].result_list

    def test_missing_french_lists_a_project_without_its_french_summary(self, editor_client):
        lacking = complete_project(summary_fr="")
        complete_project()
        listed = editor_client.get(PROJECTS, {"missing": "fr"}).context["cl"].result_list
        assert list(listed) == [lacking]


class TestPublishingWithoutATranslation:
    @pytest.mark.parametrize(
        ("language", "warning", "english_missing", "confirm"),
        [
            (
                "en",
                "some of its texts are missing",
                "English: title, summary missing",
                "Publish anyway",
            ),
            (
                "fr",
                "certains de ses textes manquent",
                "Anglais : il manque titre, résumé",
                "Publier quand même",
            ),
        ],
    )
    def test_saving_asks_first_and_saves_nothing(
        self, editor_client, language, warning, english_missing, confirm
    ):
        project = complete_project()
        client = in_language(editor_client, language)
        form = admin_form_data(
            client.get(change_url(project)), title_en="", summary_en="", subtitle_fr="Nouveau"
        )
        response = client.post(change_url(project), form)
        assert response.status_code == 200
        page = response.content.decode()
        assert warning in page
        assert english_missing in page
        assert confirm in page
        project.refresh_from_db()
        assert project.title_en == "Open school"
        assert not project.subtitle_fr

    def test_confirming_saves_it(self, editor_client):
        project = complete_project()
        form = admin_form_data(
            editor_client.get(change_url(project)), title_en="", publish_anyway="on"
        )
        assert editor_client.post(change_url(project), form).status_code == 302
        project.refresh_from_db()
        assert not project.title_en
        assert project.is_published

    def test_a_draft_saves_without_asking(self, editor_client):
        project = complete_project(is_published=False)
        form = admin_form_data(editor_client.get(change_url(project)), title_en="", summary_fr="")
        assert editor_client.post(change_url(project), form).status_code == 302
        assert not Project.objects.get().summary_fr

    def test_a_complete_project_publishes_without_asking(self, editor_client):
        project = complete_project(is_published=False)
        form = admin_form_data(editor_client.get(change_url(project)), is_published="on")
        assert editor_client.post(change_url(project), form).status_code == 302
        assert Project.objects.get().is_published

    def test_the_cover_sent_with_the_form_is_kept_for_the_confirmation(self, editor_client):
        project = complete_project()
        form = admin_form_data(
            editor_client.get(change_url(project)),
            title_en="",
            cover_image=uploaded_image("puits.jpg"),
            cover_alt_fr="Un puits neuf",
        )
        response = editor_client.post(change_url(project), form)
        assert response.status_code == 200
        assert PendingUpload.objects.count() == 1
        confirmed = admin_form_data(response, publish_anyway="on")
        assert "cover_image-kept" in confirmed
        assert editor_client.post(change_url(project), confirmed).status_code == 302
        project.refresh_from_db()
        assert project.cover_image.name.startswith("projects/covers/puits")


class TestAddresses:
    def test_the_english_address_follows_the_english_title_added_later(self, editor_client):
        project = untranslated_project()
        assert project.slug_en == project.slug_fr == "des-puits-au-village"
        form = admin_form_data(
            editor_client.get(change_url(project)),
            title_en="Wells for the village",
            summary_en="Clean water",
            body_en="<p>The story.</p>",
        )
        assert editor_client.post(change_url(project), form).status_code == 302
        project.refresh_from_db()
        assert project.slug_en == "wells-for-the-village"
        assert project.slug_fr == "des-puits-au-village"
        assert Client().get(url_in("en", project)).status_code == 200

    def test_a_draft_address_follows_its_title_in_both_languages(self):
        project = complete_project(is_published=False)
        project.title_fr = "École fermée"
        project.title_en = "Closed school"
        project.save()
        assert (project.slug_fr, project.slug_en) == ("ecole-fermee", "closed-school")

    def test_a_published_address_stays_when_the_title_changes(self):
        project = complete_project()
        project.title_fr = "École rouverte"
        project.title_en = "Reopened school"
        project.save()
        assert (project.slug_fr, project.slug_en) == ("ecole-ouverte", "open-school")

    def test_an_address_the_editor_typed_is_kept(self):
        project = complete_project(is_published=False)
        project.title_en = "Closed school"
        project.slug_en = "our-school"
        project.save()
        assert project.slug_en == "our-school"

    @pytest.mark.parametrize("language", ["fr", "en"])
    def test_a_changed_published_address_redirects_for_good(
        self, editor_client, language, settings
    ):
        # Pages and fragments kept for visitors must not serve the old address's page.
        settings.PAGE_CACHE_ENABLED = True
        settings.PAGE_CACHE_STATE = "cache"
        settings.FRAGMENT_CACHE_ENABLED = True
        project = complete_project()
        old = url_in(language, project)
        visitor = Client()
        assert visitor.get(old).status_code == 200
        assert visitor.get(old).status_code == 200  # Now served from the page cache.
        form = admin_form_data(
            editor_client.get(change_url(project)),
            slug_fr="ecole-ouverte-a-tous",
            slug_en="school-open-to-all",
        )
        assert editor_client.post(change_url(project), form).status_code == 302
        project.refresh_from_db()
        response = visitor.get(old)
        assert response.status_code == 301
        assert response["Location"] == url_in(language, project)
        assert visitor.get(response["Location"]).status_code == 200

    def test_an_old_address_taken_by_another_project_leads_to_it(self):
        first = complete_project()
        first.slug_en = "school-open-to-all"
        first.save()
        second = complete_project(title_en="Open school again", slug_en="open-school")
        response = Client().get(url_in("en", first).replace("school-open-to-all", "open-school"))
        assert response.status_code == 200
        assert second.title_en in response.content.decode()

    def test_a_hidden_partner_address_follows_then_stays_once_shown(self):
        partner = make_partner(is_public=False, name_en="Smiles")
        partner.name_en = "Mumbai Smiles"
        partner.save()
        assert partner.slug_en == "mumbai-smiles"
        partner.is_public = True
        partner.save()
        partner.name_en = "Mumbai Smiles Foundation"
        partner.slug_en = "mumbai-smiles-foundation"
        partner.save()
        response = Client().get("/en/partners/mumbai-smiles/")
        assert response.status_code == 301
        assert response["Location"] == url_in("en", partner)

    def test_the_old_address_is_found_in_one_query(self):
        project = complete_project()
        project.slug_en = "school-open-to-all"
        project.save()
        with translation.override("en"), CaptureQueriesContext(connection) as queries:
            response = get_by_translated_slug(Project.objects.published(), "open-school")
        assert response.status_code == 301
        assert len(queries) == 2  # This language's slug, then every other one at once.


class TestTranslationReport:
    @pytest.mark.parametrize(
        ("language", "title", "missing"),
        [
            ("en", "Missing translations", "title, summary, story"),
            ("fr", "Traductions manquantes", "titre, résumé, récit"),
        ],
    )
    def test_lists_what_each_language_lacks_with_links(
        self, editor_client, language, title, missing
    ):
        project = untranslated_project()
        complete = complete_project()
        partner = make_partner(summary_fr="Une ONG", description_fr="<p>Histoire</p>")
        response = in_language(editor_client, language).get(REPORT)
        assert response.status_code == 200
        page = response.content.decode()
        assert f"<title>{title}" in page
        assert f'<a href="{change_url(project)}">{project.title_fr}</a>' in page
        assert missing in page
        assert reverse("admin:partners_partner_change", args=[partner.pk]) in page
        assert change_url(complete) not in page

    def test_is_linked_from_the_project_list(self, editor_client):
        assert f'href="{REPORT}"' in editor_client.get(PROJECTS).content.decode()

    def test_staff_who_may_change_nothing_are_refused(self, client, django_user_model):
        staff = django_user_model.objects.create_user("guest", is_staff=True)
        client.force_login(staff)
        assert client.get(REPORT).status_code == 403

    def test_staff_see_only_what_they_may_change(self, client, django_user_model):
        make_partner(summary_fr="Une ONG")
        staff = django_user_model.objects.create_user("partners", is_staff=True)
        staff.user_permissions.add(
            *Group.objects.get(name="Editors").permissions.filter(codename="change_partner")
        )
        client.force_login(staff)
        page = client.get(REPORT).content.decode()
        assert "/admin/partners/partner/" in page
        assert "/admin/portfolio/project/" not in page.split('id="content-main"')[1]


def test_a_scheduled_project_address_still_follows_its_title():
    project = complete_project(published_at=timezone.now() + timezone.timedelta(days=3))
    project.title_en = "Scheduled school"
    project.save()
    assert project.slug_en == "scheduled-school"
