"""Editors see each version of public content, read what changed and restore one."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import translation

from partners.models import Partner
from portfolio.models import Partnership, Project

from .admin_forms import admin_form_data
from .factories import (
    make_partner,
    make_photo,
    make_project,
    make_region,
    make_sector,
    make_update,
)

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}


def history_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])


def restore_url(obj, version):
    name = f"admin:{obj._meta.app_label}_{obj._meta.model_name}_restore_version"
    return reverse(name, args=[obj.pk, version.history_id])


def change_title_in_admin(client, project, **titles):
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    response = client.post(url, admin_form_data(client.get(url, **FRENCH), **titles), **FRENCH)
    assert response.status_code == 302, response.context["errors"] if response.context else ""


@pytest.mark.parametrize(
    ("make", "change"),
    [
        (lambda: make_project(), {"title_fr": "Nouveau titre", "title_en": "New title"}),
        (lambda: make_partner(), {"name_fr": "Nouveau nom", "name_en": "New name"}),
        (lambda: make_region(), {"name_fr": "Nouvelle région", "name_en": "New region"}),
        (lambda: make_sector(), {"name_fr": "Nouveau secteur", "name_en": "New sector"}),
        (lambda: make_update(make_project()), {"title_fr": "Nouvelle", "title_en": "News"}),
        (lambda: make_photo(make_project()), {"alt_text_fr": "Un puits", "alt_text_en": "A well"}),
    ],
    ids=["project", "partner", "region", "sector", "field update", "photo"],
)
def test_every_save_keeps_a_version_with_each_languages_text(make, change):
    obj = make()
    before = {name: getattr(obj, name) for name in change}
    for name, value in change.items():
        setattr(obj, name, value)
    obj.save()

    newest, first = obj.history.order_by("-history_id")[:2]
    assert (newest.history_type, first.history_type) == ("~", "+")
    for name, value in change.items():
        assert getattr(newest, name) == value
        assert getattr(first, name) == before[name]


def test_the_history_page_shows_before_and_after_in_french(editor_client):
    partner = make_partner(name_fr="Association des puits")
    project = make_project(title_fr="Ancien titre", status=Project.Status.PLANNED)
    Partnership.objects.create(project=project, partner=partner, role=Partnership.Role.IMPLEMENTING)
    change_title_in_admin(editor_client, project, title_fr="Titre nouveau", status="completed")
    partnership = project.partnerships.get()
    partnership.role = Partnership.Role.LEAD
    partnership.save()

    html = editor_client.get(history_url(project), **FRENCH).content.decode()

    assert "titre (français)" in html and "état" in html
    assert "Ancien titre" in html and "Titre nouveau" in html
    # The status by its French labels, not its codes.
    assert "Prévu" in html and "Terminé" in html
    assert "completed" not in html.split('id="versions-heading"')[1].split("</section>")[0]
    assert "editor" in html  # who changed it


def test_choices_and_foreign_keys_read_as_labels_and_names(editor_client):
    partner = make_partner(name_fr="Ancien nom", kind=Partner.Kind.LOCAL)
    sector = make_sector(name_fr="Eau potable")
    partner.kind = Partner.Kind.LEAD
    partner.save()
    project = make_project()
    project.sector = sector
    project.save()

    partner_html = editor_client.get(history_url(partner), **FRENCH).content.decode()
    assert "Partenaire local" in partner_html and "Partenaire principal" in partner_html
    project_html = editor_client.get(history_url(project), **FRENCH).content.decode()
    assert "Eau potable" in project_html


def test_rich_text_is_shown_as_escaped_text(editor_client):
    partner = make_partner(description_fr="<p>Une histoire <strong>vraie</strong></p>")
    partner.description_fr = "<p>Une histoire &lt;script&gt;alert(1)&lt;/script&gt; fausse</p>"
    partner.save()

    html = editor_client.get(history_url(partner), **FRENCH).content.decode()
    versions = html.split('id="versions-heading"')[1].split("</section>")[0]
    assert "<strong>vraie" not in versions and "&lt;strong&gt;" not in versions
    assert "<script>" not in versions
    # The change is a compact diff of the words.
    assert "<del>vraie</del>" in versions
    assert "<ins>&lt;script&gt;alert(1)&lt;/script&gt; fausse</ins>" in versions


def test_the_log_names_partnership_roles_in_french(editor_client, django_user_model):
    partner = make_partner(name_fr="Association des puits")
    project = make_project()
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    form = admin_form_data(
        editor_client.get(url, HTTP_ACCEPT_LANGUAGE="en"),
        **{
            "partnerships-TOTAL_FORMS": "1",
            "partnerships-0-partner": str(partner.pk),
            "partnerships-0-role": "lead",
            "partnerships-0-order": "0",
        },
    )
    # Saved by an editor working in English: the log keeps "Lead partner".
    assert editor_client.post(url, form, HTTP_ACCEPT_LANGUAGE="en").status_code == 302

    html = editor_client.get(history_url(project), **FRENCH).content.decode()
    log = html.split('id="change-history"')[1]
    assert "Partenaire principal" in log
    assert "Lead partner" not in log


def test_restore_brings_back_the_first_title_on_the_public_page(editor_client):
    project = make_project(title_fr="Premier titre", title_en="First title")
    first = project.history.get()
    change_title_in_admin(editor_client, project, title_fr="Deuxième titre", title_en="Second")
    change_title_in_admin(editor_client, project, title_fr="Troisième titre", title_en="Third")
    visitor = Client()
    with translation.override("fr"):
        public_fr = project.get_absolute_url()
    with translation.override("en"):
        public_en = project.get_absolute_url()
    assert "Troisième titre" in visitor.get(public_fr).content.decode()  # now cached

    confirmation = editor_client.get(restore_url(project, first), **FRENCH)
    assert confirmation.status_code == 200
    assert "Premier titre" in confirmation.content.decode()
    project.refresh_from_db()
    assert project.title_fr == "Troisième titre"  # asking changes nothing

    response = editor_client.post(restore_url(project, first), **FRENCH)

    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title_fr, project.title_en) == ("Premier titre", "First title")
    assert project.history.count() == 4
    assert "Premier titre" in visitor.get(public_fr).content.decode()
    assert "First title" in visitor.get(public_en).content.decode()


def test_restore_needs_the_change_permission(editor, client):
    project = make_project(title_fr="Premier titre")
    first = project.history.get()
    project.title_fr = "Deuxième titre"
    project.save()
    editor.groups.clear()
    editor.user_permissions.add(Permission.objects.get(codename="view_project"))
    client.force_login(editor)

    assert client.get(history_url(project)).status_code == 200
    assert "Restore this version" not in client.get(history_url(project)).content.decode()
    assert client.post(restore_url(project, first)).status_code == 403
    project.refresh_from_db()
    assert project.title_fr == "Deuxième titre"


def test_restore_refuses_other_methods_and_foreign_versions(editor_client):
    project = make_project(title_fr="Premier titre")
    other = make_project()
    first = project.history.get()
    project.title_fr = "Deuxième titre"
    project.save()

    assert editor_client.put(restore_url(project, first)).status_code == 405
    name = "admin:portfolio_project_restore_version"
    foreign = reverse(name, args=[other.pk, first.history_id])
    assert editor_client.post(foreign).status_code == 404
    project.refresh_from_db()
    assert project.title_fr == "Deuxième titre"


def test_a_version_whose_address_is_taken_is_not_restored(editor_client):
    project = make_project(title_fr="Premier titre", slug_fr="premier")
    first = project.history.get()
    project.slug_fr = "deuxieme"
    project.save()
    make_project(slug_fr="premier")

    response = editor_client.post(restore_url(project, first), **FRENCH, follow=True)

    assert response.status_code == 200
    assert list(response.context["messages"])
    project.refresh_from_db()
    assert project.slug_fr == "deuxieme"
    assert project.history.count() == 2


def test_every_editorial_history_page_opens(editor_client):
    project = make_project()
    for obj in (project, make_partner(), make_region(), make_sector(), make_update(project)):
        assert editor_client.get(history_url(obj), **FRENCH).status_code == 200
