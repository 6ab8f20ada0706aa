"""The project form's inlines: photos in the order the editor set, several new photos at
once, and field updates written without leaving the project."""

import re

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from core.models import PendingUpload
from portfolio.models import ProjectImage, ProjectUpdate

from .admin_forms import admin_form_data
from .factories import image_bytes, make_photo, make_project, make_update

ALT_TEXTS = ["Le puits", "La classe", "Le marché"]


@pytest.fixture
def editor_client(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return editor_client


@pytest.fixture
def project():
    project = make_project(title_fr="Des puits", title_en="Wells")
    for order, alt in enumerate(ALT_TEXTS, start=1):
        make_photo(project, alt_text_fr=alt, alt_text_en=alt, order=order)
    return project


def change_url(project):
    return reverse("admin:portfolio_project_change", args=[project.pk])


def public_page(client, project, language="fr"):
    with translation.override(language):
        return client.get(project.get_absolute_url()).content.decode()


def gallery(html):
    section = html.split('id="gallery-heading"')[1].split("</section>")[0]
    return re.findall(r'<img[^>]* alt="([^"]*)"', section)


def picture(name, fmt="JPEG", colour=(40, 120, 90)):
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png"}[fmt]
    return SimpleUploadedFile(name, image_bytes((320, 240), fmt, colour), content_type)


def test_the_form_sends_each_photos_order_in_a_hidden_input(editor_client, project):
    html = editor_client.get(change_url(project)).content.decode()
    order = r'<input type="hidden" name="images-0-order" value="1"[^>]*class="_reorder_"'
    assert re.search(order, html)
    assert 'type="number" name="images-0-order"' not in html
    # The drag-and-drop script, and the buttons' labels for the keyboard, in French.
    assert "adminsortable2/js/adminsortable2" in html
    assert 'data-move-up="Monter"' in html and 'data-move-down="Descendre"' in html
    assert "Ajouter plusieurs photos" in html


def test_a_new_order_is_saved_and_shown_on_the_public_page(editor_client, client, project):
    assert gallery(public_page(client, project)) == ALT_TEXTS
    url = change_url(project)
    # As the script sends it once "Le marché" is dragged to the top.
    form = admin_form_data(
        editor_client.get(url),
        **{"images-0-order": "2", "images-1-order": "3", "images-2-order": "1"},
    )
    assert editor_client.post(url, form).status_code == 302

    expected = ["Le marché", "Le puits", "La classe"]
    assert [p.alt_text_fr for p in project.images.all()] == expected
    # The cached page is renewed: the next visitor sees the new order, in both languages.
    assert gallery(public_page(client, project)) == expected
    assert gallery(public_page(client, project, "en")) == expected


def test_partnerships_keep_the_order_they_are_given(editor_client, project):
    from .factories import make_partner

    first, second = make_partner(), make_partner()
    url = change_url(project)
    form = admin_form_data(
        editor_client.get(url),
        **{
            "partnerships-TOTAL_FORMS": "2",
            "partnerships-0-partner": str(first.pk),
            "partnerships-0-role": "lead",
            "partnerships-0-order": "2",
            "partnerships-1-partner": str(second.pk),
            "partnerships-1-role": "funding",
            "partnerships-1-order": "1",
        },
    )
    assert editor_client.post(url, form).status_code == 302
    assert [p.partner for p in project.partnerships.all()] == [second, first]


def several_photos(editor_client, project, files, alt_texts):
    """Post the rows the "Add several photos" input adds, one per file."""
    url = change_url(project)
    changes = {"images-TOTAL_FORMS": str(3 + len(files))}
    for index, (upload, alt) in enumerate(zip(files, alt_texts, strict=True), start=3):
        changes |= {
            f"images-{index}-image": upload,
            f"images-{index}-alt_text_fr": alt,
            f"images-{index}-order": "0",
        }
    form = admin_form_data(editor_client.get(url), **changes)
    return editor_client.post(url, form)


def test_several_new_photos_are_saved_after_the_others(editor_client, project):
    files = [picture("ecole.jpg"), picture("jardin.png", "PNG"), picture("route.jpg")]
    response = several_photos(editor_client, project, files, ["École", "Jardin", "Route"])
    assert response.status_code == 302

    photos = list(project.images.all())
    assert [p.alt_text_fr for p in photos] == [*ALT_TEXTS, "École", "Jardin", "Route"]
    assert [p.order for p in photos] == [1, 2, 3, 4, 5, 6]
    assert photos[4].image.name.endswith(".png") and photos[4].width == 320


def test_a_file_that_is_no_image_is_refused_on_its_row_in_french_and_nothing_is_saved(
    editor_client, project
):
    files = [
        picture("ecole.jpg"),
        SimpleUploadedFile("notes.jpg", b"not a picture at all", "image/jpeg"),
        picture("route.jpg"),
    ]
    response = several_photos(editor_client, project, files, ["École", "Notes", "Route"])

    assert response.status_code == 200
    [inline] = [
        i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "images"
    ]
    errors = [form.errors.get("image") for form in inline.formset.forms[3:]]
    assert errors[0] is None and errors[2] is None
    with translation.override("fr"):
        refused = str(forms.ImageField.default_error_messages["invalid_image"])
    assert "image valide" in refused  # The French wording, whichever catalogue gives it.
    assert errors[1] == [refused]
    # Nothing half-saved: not one of the three photos, nor the other rows' changes.
    assert project.images.count() == 3
    # The two valid files wait for the next submission, each in its own row.
    assert PendingUpload.objects.count() == 2
    html = response.content.decode()
    assert "ecole.jpg" in html and "route.jpg" in html


def test_a_field_update_written_in_the_project_form_shows_in_both_languages(
    editor_client, client, project
):
    # Cached first: the new update must renew the page.
    assert "La pompe fonctionne" not in public_page(client, project)
    url = change_url(project)
    form = admin_form_data(
        editor_client.get(url),
        **{
            "updates-TOTAL_FORMS": "1",
            "updates-0-title_fr": "La pompe fonctionne",
            "updates-0-title_en": "The pump works",
            "updates-0-text_fr": "L’eau coule depuis lundi.",
            "updates-0-text_en": "Water has flowed since Monday.",
            "updates-0-is_published": "on",
            "updates-0-published_at_0": "01/12/2026",
            "updates-0-published_at_1": "09:00:00",
        },
    )
    response = editor_client.post(url, form)
    assert response.status_code == 302, response.context["errors"]

    update = project.updates.get()
    assert update.title_en == "The pump works"
    french = public_page(client, project)
    assert "La pompe fonctionne" in french and "L’eau coule depuis lundi." in french
    english = public_page(client, project, "en")
    assert "The pump works" in english and "Water has flowed since Monday." in english


def test_a_field_update_and_a_bad_photo_are_refused_together(editor_client, project):
    url = change_url(project)
    form = admin_form_data(
        editor_client.get(url),
        title_fr="Des puits neufs",
        **{
            "updates-TOTAL_FORMS": "1",
            "updates-0-title_fr": "La pompe fonctionne",
            "updates-0-text_fr": "L’eau coule.",
            "updates-0-is_published": "on",
            "updates-0-published_at_0": "01/12/2026",
            "updates-0-published_at_1": "09:00:00",
            "images-TOTAL_FORMS": "4",
            "images-3-image": SimpleUploadedFile("notes.jpg", b"no", "image/jpeg"),
            "images-3-alt_text_fr": "Notes",
            "images-3-order": "0",
            "images-0-order": "3",
            "images-2-order": "1",
        },
    )
    assert editor_client.post(url, form).status_code == 200

    project.refresh_from_db()
    assert project.title_fr == "Des puits"
    assert not ProjectUpdate.objects.exists()
    assert [p.alt_text_fr for p in ProjectImage.objects.filter(project=project)] == ALT_TEXTS


PAYLOAD = '<p>Texte <strong>sûr</strong></p><script>alert(1)</script><img src=x onerror="alert(2)">'


def test_a_field_update_text_is_rich_text_sanitised_as_it_is_saved(editor_client, project):
    url = change_url(project)
    form = admin_form_data(
        editor_client.get(url),
        **{
            "updates-TOTAL_FORMS": "1",
            "updates-0-title_fr": "La pompe",
            "updates-0-text_fr": PAYLOAD,
            "updates-0-text_en": PAYLOAD,
            "updates-0-is_published": "on",
            "updates-0-published_at_0": "01/12/2026",
            "updates-0-published_at_1": "09:00:00",
        },
    )
    html = editor_client.get(url).content.decode()
    # The same editor as the project's story, in each language's tab.
    assert 'name="updates-__prefix__-text_fr"' in html and "django_prose_editor" in html
    assert editor_client.post(url, form).status_code == 302
    stored = ProjectUpdate.objects.values_list("text_fr", "text_en").get()
    assert stored == ("<p>Texte <strong>sûr</strong></p>", "<p>Texte <strong>sûr</strong></p>")


def test_the_public_page_sanitises_an_update_text_whatever_the_database_holds(db, client, project):
    from django.db.models import Value

    update = make_update(project)
    ProjectUpdate.objects.filter(pk=update.pk).update(text_fr=Value(PAYLOAD))
    html = public_page(client, project)
    news = html.split(f'id="update-{update.pk}"')[1].split("</article>")[0]
    assert "<strong>sûr</strong>" in news
    assert "<script" not in news and "onerror" not in news


def test_plain_texts_written_before_become_paragraphs(db, project):
    import importlib

    from django.apps import apps
    from django.db.models import Value

    migration = importlib.import_module("portfolio.migrations.0009_update_text_as_rich_text")
    plain, rich = make_update(project), make_update(project)
    ProjectUpdate.objects.filter(pk=plain.pk).update(
        text_fr=Value("Le puits est creusé.\n\nL’eau & la joie <enfin>."), text_en=Value("")
    )
    ProjectUpdate.objects.filter(pk=rich.pk).update(text_fr=Value("<p>Déjà <em>riche</em></p>"))

    migration.plain_text_to_paragraphs(apps, None)

    plain.refresh_from_db()
    rich.refresh_from_db()
    assert (
        plain.text_fr == "<p>Le puits est creusé.</p>\n\n<p>L’eau &amp; la joie &lt;enfin&gt;.</p>"
    )
    assert plain.text_en == ""
    assert rich.text_fr == "<p>Déjà <em>riche</em></p>"


def test_the_home_page_shows_an_update_text_as_words(db, client, project):
    make_update(project, text_fr="<p>L’eau &amp; la joie</p><p>au <strong>village</strong></p>")
    with translation.override("fr"):
        html = client.get(reverse("portfolio:home")).content.decode()
    assert "L’eau &amp; la joie au village" in html
    assert "&amp;amp;" not in html and "&lt;p&gt;" not in html
