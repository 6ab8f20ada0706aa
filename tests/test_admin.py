"""The admin is the editors' workplace: every page of their content opens, nothing else does."""

import re
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import translation

from partners.models import Partner
from portfolio.models import Project, ProjectUpdate, Region

from .admin_forms import admin_form_data
from .factories import make_photo, make_project, make_update

EDITOR_APPS = {"partners", "portfolio"}
EDITOR_MODELS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in EDITOR_APPS
)
SCRIPT_SRC = re.compile(r"<script[^>]*\ssrc=\"([^\"]+)\"")
STYLESHEET_HREF = re.compile(r"<link[^>]*\shref=\"([^\"]+)\"")


@pytest.fixture
def content(demo):
    """The demo project with a gallery photo and a field update, so every model has a row."""
    make_photo(demo, alt_text_fr="Des enfants en classe", alt_text_en="Children in class")
    make_update(demo)
    return demo


def assert_loads_nothing_from_another_host(html):
    for url in SCRIPT_SRC.findall(html) + STYLESHEET_HREF.findall(html):
        assert not urlsplit(url).netloc, url
        assert not url.startswith("//"), url


def test_editors_manage_partners_regions_sectors_projects_and_updates():
    """Guard the parametrised list below: a model dropped from the admin is noticed."""
    assert set(EDITOR_MODELS) >= {
        ("partners", "partner"),
        ("portfolio", "region"),
        ("portfolio", "sector"),
        ("portfolio", "project"),
        ("portfolio", "projectupdate"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("app_label", "model_name"), EDITOR_MODELS)
def test_every_admin_page_of_editorial_content_opens_for_an_editor(
    app_label, model_name, content, editor_client
):
    obj = apps.get_model(app_label, model_name).objects.first()
    assert obj is not None, f"no {model_name} to open"
    for view, args in (
        ("changelist", []),
        ("add", []),
        ("change", [obj.pk]),
        ("history", [obj.pk]),
    ):
        url = reverse(f"admin:{app_label}_{model_name}_{view}", args=args)
        response = editor_client.get(url)
        assert response.status_code == 200, url
        assert_loads_nothing_from_another_host(response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_group_add"),
    ],
)
def test_an_editor_cannot_manage_users_or_groups(url, editor_client):
    assert editor_client.get(url).status_code == 403
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:app_list", args=["auth"]) not in response.content.decode()


@pytest.mark.django_db
def test_an_editor_cannot_change_another_account_or_group(editor_client, django_user_model):
    from django.contrib.auth.models import Group

    other = django_user_model.objects.create_user("someone", password="another-long-password")
    change = reverse("admin:auth_user_change", args=[other.pk])
    assert editor_client.get(change).status_code == 403
    response = editor_client.post(change, {"username": "someone", "is_superuser": "on"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert not other.is_superuser
    editors = Group.objects.get(name="Editors")
    change = reverse("admin:auth_group_change", args=[editors.pk])
    assert editor_client.get(change).status_code == 403


def results(response):
    return list(response.context["cl"].result_list)


@pytest.mark.django_db
class TestChangelists:
    def test_projects_are_found_by_title_partner_and_region(self, content, editor_client):
        url = reverse("admin:portfolio_project_changelist")
        other = make_project(title_fr="Eau potable au Sahel", title_en="Clean water in the Sahel")
        assert results(editor_client.get(url, {"q": "traite"})) == [content]
        assert results(editor_client.get(url, {"q": "Mumbai"})) == [content]
        assert results(editor_client.get(url, {"q": "Bengale"})) == [content]
        assert results(editor_client.get(url, {"q": "West Bengal"})) == [content]
        assert results(editor_client.get(url, {"q": "Sahel"})) == [other]
        assert results(editor_client.get(url, {"q": "introuvable"})) == []

    def test_projects_are_filtered(self, content, editor_client):
        url = reverse("admin:portfolio_project_changelist")
        draft = make_project(is_published=False, status=Project.Status.PLANNED)
        assert results(editor_client.get(url, {"is_published__exact": "0"})) == [draft]
        assert results(editor_client.get(url, {"status__exact": "planned"})) == [draft]
        sector = content.sector
        assert results(editor_client.get(url, {"sector__id__exact": sector.pk})) == [content]
        nepal = Region.objects.get(name_en="Nepal")
        assert results(editor_client.get(url, {"regions__id__exact": nepal.pk})) == [content]

    def test_partners_are_found_and_filtered(self, content, editor_client):
        url = reverse("admin:partners_partner_changelist")
        lead = Partner.objects.get(name="Mumbai Smiles")
        assert results(editor_client.get(url, {"kind__exact": "lead"})) == [lead]
        assert [p.name for p in results(editor_client.get(url, {"country__exact": "NP"}))] == [
            "CHHORI"
        ]
        assert results(editor_client.get(url, {"q": "Sanllorente"})) == [lead]

    def test_regions_and_updates_are_filtered(self, content, editor_client):
        india = Region.objects.get(name_en="India")
        response = editor_client.get(
            reverse("admin:portfolio_region_changelist"), {"parent__id__exact": india.pk}
        )
        assert [r.name_en for r in results(response)] == ["West Bengal"]
        hidden = make_update(content, is_published=False)
        response = editor_client.get(
            reverse("admin:portfolio_projectupdate_changelist"), {"is_published__exact": "0"}
        )
        assert results(response) == [hidden]


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Project, ProjectUpdate])
def test_publish_and_unpublish_actions(model, content, editor_client):
    obj = content if model is Project else ProjectUpdate.objects.get()
    url = reverse(f"admin:portfolio_{model._meta.model_name}_changelist")
    response = editor_client.post(url, {"action": "unpublish", "_selected_action": [obj.pk]})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.is_published is False
    response = editor_client.post(url, {"action": "publish", "_selected_action": [obj.pk]})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.is_published is True


@pytest.mark.django_db
class TestProjectChangePage:
    def test_one_language_switch_instead_of_tabs(self, content, editor_client):
        change = reverse("admin:portfolio_project_change", args=[content.pk])
        html = editor_client.get(change).content.decode()
        scripts = SCRIPT_SRC.findall(html)
        assert any(src.endswith("js/admin-languages.js") for src in scripts)
        assert finders.find("js/admin-languages.js")
        assert not any("tabbed_translation_fields.js" in src for src in scripts)
        assert html.count('class="language-switch-button') == 2
        assert_loads_nothing_from_another_host(html)

    def test_view_on_site_leads_to_the_public_page(self, content, editor_client):
        response = editor_client.get(reverse("admin:portfolio_project_change", args=[content.pk]))
        link = re.search(r'href="([^"]+)" class="viewsitelink"', response.content.decode())
        assert link, "no “view on site” link"
        with translation.override("fr"):
            assert link.group(1) == content.get_absolute_url()
        assert editor_client.get(link.group(1)).status_code == 200

    def test_gallery_and_cover_show_previews(self, content, editor_client):
        change = reverse("admin:portfolio_project_change", args=[content.pk])
        html = editor_client.get(change).content.decode()
        photo = content.images.get()
        assert re.search(
            rf'<img src="{re.escape(photo.image.url)}"[^>]*class="admin-preview"', html
        )
        assert re.search(
            rf'<img src="{re.escape(content.cover_image.url)}"[^>]*class="admin-preview"', html
        )

    def test_slugs_are_prepopulated_in_each_language(self, content, editor_client):
        response = editor_client.get(reverse("admin:portfolio_project_add"))
        prepopulated = {
            field["field"].name: [dep.name for dep in field["dependencies"]]
            for field in response.context["adminform"].prepopulated_fields
        }
        assert prepopulated == {"slug_fr": ["title_fr"], "slug_en": ["title_en"]}

    def test_partners_and_regions_are_chosen_by_autocomplete(self, content, editor_client):
        def autocomplete(model_name, field_name, term):
            response = editor_client.get(
                reverse("admin:autocomplete"),
                {
                    "app_label": "portfolio",
                    "model_name": model_name,
                    "field_name": field_name,
                    "term": term,
                },
            )
            assert response.status_code == 200
            return [item["text"] for item in response.json()["results"]]

        assert autocomplete("partnership", "partner", "Mumbai") == ["Mumbai Smiles"]
        assert autocomplete("project", "regions", "Népal") == ["Népal"]
        assert autocomplete("project", "sector", "spéciaux") == ["Projets spéciaux"]


@pytest.mark.django_db
def test_a_partner_website_typed_without_scheme_is_https(editor_client):
    url = reverse("admin:partners_partner_add")
    form = admin_form_data(
        editor_client.get(url),
        name_fr="Partenaire",
        slug_fr="partenaire",
        website="mumbaismiles.org",
    )
    assert editor_client.post(url, form).status_code == 302
    assert Partner.objects.get().website == "https://mumbaismiles.org"


@pytest.mark.django_db
def test_an_english_address_left_blank_never_takes_another_projects(editor_client):
    """A blank slug is made from the title; when another project has that address in the
    same language, the new one is numbered instead of the save failing."""
    make_project(title_fr="Éducation", slug_fr="education-fr", slug_en="education")
    url = reverse("admin:portfolio_project_add")
    form = admin_form_data(
        editor_client.get(url),
        title_fr="Éducation",
        slug_fr="education",
        title_en="",
        slug_en="",
        is_published="on",
        publish_anyway="on",
    )
    assert editor_client.post(url, form).status_code == 302
    project = Project.objects.get(slug_fr="education")
    assert project.slug_en == "education-2"
    with translation.override("en"):
        assert editor_client.get(project.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_a_made_up_slug_fits_its_column():
    region = Region.objects.create(name_fr="Région", name_en="x" * 120, country="IN")
    region.refresh_from_db()
    assert region.slug_en == "x" * 120
    twin = Region.objects.create(name_fr="Autre région", name_en="x" * 120, country="IN")
    assert len(twin.slug_en) <= 120
    assert twin.slug_en.endswith("-2")


@pytest.mark.django_db
def test_a_country_cannot_be_made_part_of_its_own_region(demo, editor_client):
    india = Region.objects.get(slug_fr="inde")
    west_bengal = Region.objects.get(slug_fr="bengale-occidental")
    url = reverse("admin:portfolio_region_change", args=[india.pk])
    response = editor_client.post(
        url, admin_form_data(editor_client.get(url), parent=west_bengal.pk)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    india.refresh_from_db()
    assert india.parent is None
