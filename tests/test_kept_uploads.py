"""A form sent back with errors keeps its files; a saved file is never dropped silently."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from config.urls import media
from core.models import PendingUpload
from partners.models import Partner
from portfolio.models import Project, ProjectUpdate

from .admin_forms import admin_form_data
from .factories import image_bytes, make_project, uploaded_image

ADD_PROJECT = reverse_lazy("admin:portfolio_project_add")
KEPT = re.compile(r'<input type="hidden" name="([\w-]+)-kept" value="([^"]+)">')


@pytest.fixture
def editor_client(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    return editor_client


@pytest.fixture
def other_editor_client(django_user_model, editor):
    other = django_user_model.objects.create_user(
        "other", "other@example.org", "correct-horse-battery", is_staff=True
    )
    other.groups.set(editor.groups.all())
    other_client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    other_client.force_login(other)
    return other_client


def colour_image(name, colour):
    return SimpleUploadedFile(name, image_bytes((900, 600), colour=colour), "image/jpeg")


def new_project_with_a_photo_undescribed(client):
    """Send a new project with a cover and two photos, the second without French alt text."""
    form = admin_form_data(
        client.get(ADD_PROJECT),
        title_fr="Des puits au village",
        slug_fr="des-puits-au-village",
        cover_image=colour_image("couverture.jpg", (200, 40, 40)),
        cover_alt_fr="Un puits neuf",
        **{
            "images-TOTAL_FORMS": "2",
            "images-0-image": colour_image("puits.jpg", (40, 200, 40)),
            "images-0-alt_text_fr": "Des enfants au puits",
            "images-0-order": "0",
            "images-1-image": colour_image("classe.jpg", (40, 40, 200)),
            "images-1-alt_text_fr": "",
            "images-1-order": "1",
        },
    )
    return client.post(ADD_PROJECT, form)


def kept_references(response) -> dict:
    return dict(KEPT.findall(response.content.decode()))


def photo_forms(response):
    [inline] = [
        i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "images"
    ]
    return inline.formset.forms


@pytest.mark.django_db
class TestAFailedSaveKeepsTheFiles:
    def test_each_file_comes_back_with_a_preview_its_name_and_a_reference(self, editor_client):
        response = new_project_with_a_photo_undescribed(editor_client)

        assert response.status_code == 200
        assert "alt_text_fr" in photo_forms(response)[1].errors
        assert not Project.objects.exists()
        references = kept_references(response)
        assert set(references) == {"cover_image", "images-0-image", "images-1-image"}
        page = response.content.decode()
        for name in ("couverture.jpg", "puits.jpg", "classe.jpg"):
            assert f"<strong>{name}</strong>" in page
        assert "Conservé de votre dernier essai" in page
        # Each preview is the file that was sent, served to its owner.
        previews = re.findall(r'<img src="(/admin/pending-uploads/[^"]+)"', page)
        assert len(previews) == 3
        colours = [(200, 40, 40), (40, 200, 40), (40, 40, 200)]
        for url, colour in zip(previews, colours, strict=True):
            preview = editor_client.get(url)
            assert preview.status_code == 200
            assert preview["Content-Type"] == "image/jpeg"
            assert b"".join(preview.streaming_content) == image_bytes((900, 600), colour=colour)
        # No preview points at a file that is not stored.
        assert "/media/" not in page.split('id="project_form"', 1)[1].split("</form>", 1)[0]

    def test_the_next_save_attaches_them_all_cover_included(
        self, editor_client, media_root, django_capture_on_commit_callbacks
    ):
        failed = new_project_with_a_photo_undescribed(editor_client)
        form = admin_form_data(failed, **{"images-1-alt_text_fr": "Une classe"})

        with django_capture_on_commit_callbacks(execute=True):
            response = editor_client.post(ADD_PROJECT, form)

        assert response.status_code == 302
        project = Project.objects.get()
        assert project.cover_image.name.startswith("projects/covers/couverture")
        assert project.cover_alt_fr == "Un puits neuf"
        assert (project.cover_width, project.cover_height) == (900, 600)
        assert Path(project.cover_image.path).is_file()
        photos = list(project.images.order_by("order"))
        assert [p.alt_text_fr for p in photos] == ["Des enfants au puits", "Une classe"]
        assert [Path(p.image.name).name[:6] for p in photos] == ["puits.", "classe"]
        assert all(Path(p.image.path).is_file() for p in photos)
        # Once saved, nothing stays pending.
        assert not PendingUpload.objects.exists()
        assert list((Path(media_root) / "pending").iterdir()) == []

    def test_a_file_chosen_anew_replaces_the_kept_one(self, editor_client):
        failed = new_project_with_a_photo_undescribed(editor_client)
        form = admin_form_data(
            failed,
            cover_image=colour_image("autre.jpg", (10, 10, 10)),
            **{"images-1-alt_text_fr": "Une classe"},
        )
        assert editor_client.post(ADD_PROJECT, form).status_code == 302
        assert Project.objects.get().cover_image.name.startswith("projects/covers/autre")

    def test_an_optional_kept_file_can_be_let_go(self, editor_client):
        failed = new_project_with_a_photo_undescribed(editor_client)
        assert 'name="cover_image-clear"' in failed.content.decode()
        form = admin_form_data(
            failed, **{"images-1-alt_text_fr": "Une classe", "cover_image-clear": "on"}
        )
        assert editor_client.post(ADD_PROJECT, form).status_code == 302
        project = Project.objects.get()
        assert not project.cover_image
        assert project.images.count() == 2

    def test_a_file_refused_by_the_field_is_not_kept(self, editor_client):
        form = admin_form_data(
            editor_client.get(ADD_PROJECT),
            title_fr="Des puits au village",
            slug_fr="des-puits-au-village",
            cover_image=SimpleUploadedFile("anim.gif", image_bytes((50, 50), "GIF")),
            cover_alt_fr="Un puits",
        )
        response = editor_client.post(ADD_PROJECT, form)
        assert "cover_image" in response.context["adminform"].form.errors
        assert kept_references(response) == {}
        assert not PendingUpload.objects.exists()

    def test_the_files_of_a_failed_partner_and_field_update_are_kept(self, editor_client):
        url = reverse("admin:partners_partner_add")
        form = admin_form_data(
            editor_client.get(url), slug_fr="partenaire", logo=uploaded_image("logo.png", fmt="PNG")
        )
        failed = editor_client.post(url, form)
        assert "name_fr" in failed.context["adminform"].form.errors
        assert set(kept_references(failed)) == {"logo"}
        form = admin_form_data(failed, name_fr="Partenaire", logo_alt_fr="Logo du partenaire")
        assert editor_client.post(url, form).status_code == 302
        assert Partner.objects.get().logo.name.startswith("partners/logos/logo")

        url = reverse("admin:portfolio_projectupdate_add")
        form = admin_form_data(
            editor_client.get(url),
            project=str(make_project().pk),
            text_fr="Texte.",
            image=uploaded_image("terrain.jpg"),
            image_alt_fr="Le terrain",
        )
        failed = editor_client.post(url, form)
        assert "title_fr" in failed.context["adminform"].form.errors
        assert set(kept_references(failed)) == {"image"}
        form = admin_form_data(failed, title_fr="Nouvelle")
        assert editor_client.post(url, form).status_code == 302
        assert ProjectUpdate.objects.get().image.name.startswith("projects/updates/terrain")


@pytest.mark.django_db
class TestAReferenceOnlyServesItsOwner:
    def test_a_tampered_reference_is_ignored(self, editor_client):
        failed = new_project_with_a_photo_undescribed(editor_client)
        form = admin_form_data(failed, **{"images-1-alt_text_fr": "Une classe"})
        pk = PendingUpload.objects.get(original_name="puits.jpg").pk
        form["cover_image-kept"] = form["cover_image-kept"][:-2] + "xx"
        form["images-0-image-kept"] = signing.dumps(pk, salt="another-purpose")
        form["images-1-image-kept"] = "not even signed"

        response = editor_client.post(ADD_PROJECT, form)

        assert response.status_code == 200
        assert all("image" in f.errors for f in photo_forms(response))
        assert not Project.objects.exists()

    def test_another_editors_reference_is_ignored(self, editor_client, other_editor_client):
        failed = new_project_with_a_photo_undescribed(editor_client)
        form = admin_form_data(failed, **{"images-1-alt_text_fr": "Une classe"})

        response = other_editor_client.post(ADD_PROJECT, form)

        assert response.status_code == 200
        assert all("image" in f.errors for f in photo_forms(response))
        assert kept_references(response) == {}
        assert not Project.objects.exists()

    def test_a_preview_is_seen_by_its_owner_only(self, editor_client, other_editor_client):
        failed = new_project_with_a_photo_undescribed(editor_client)
        page = failed.content.decode()
        [url, *_] = re.findall(r'<img src="(/admin/pending-uploads/[^"]+)"', page)
        assert editor_client.get(url).status_code == 200
        assert other_editor_client.get(url).status_code == 404
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and reverse("admin:login") in anonymous["Location"]
        assert editor_client.get(reverse("pending_upload", args=["forged"])).status_code == 404

    def test_a_reference_older_than_a_day_is_ignored(self, editor_client):
        failed = new_project_with_a_photo_undescribed(editor_client)
        form = admin_form_data(failed, **{"images-1-alt_text_fr": "Une classe"})
        PendingUpload.objects.update(created_at=timezone.now() - timedelta(days=1, minutes=1))

        response = editor_client.post(ADD_PROJECT, form)

        assert all("image" in f.errors for f in photo_forms(response))

    def test_pending_files_are_not_served_as_public_media(self, editor_client):
        new_project_with_a_photo_undescribed(editor_client)
        name = PendingUpload.objects.first().file.name
        request = RequestFactory().get("/")
        for path in (f"pending/{name}", f"./pending/{name}", f"x/../pending/{name}"):
            with pytest.raises(Http404):
                media(request, path)


@pytest.mark.django_db
class TestASavedCoverIsNeverDropped:
    @pytest.fixture
    def project(self):
        project = make_project(cover_alt_fr="Un puits")
        project.cover_image.save("saved.jpg", uploaded_image(), save=True)
        return project

    def test_a_save_that_does_not_touch_it_keeps_it(self, project, editor_client):
        url = reverse("admin:portfolio_project_change", args=[project.pk])
        cover = project.cover_image.name
        form = admin_form_data(editor_client.get(url), subtitle_fr="Nouveau sous-titre")
        assert editor_client.post(url, form).status_code == 302
        project.refresh_from_db()
        assert project.cover_image.name == cover
        assert project.subtitle_fr == "Nouveau sous-titre"

    def test_it_survives_a_failed_save_and_the_one_after(self, project, editor_client):
        url = reverse("admin:portfolio_project_change", args=[project.pk])
        cover = project.cover_image.name
        form = admin_form_data(
            editor_client.get(url),
            **{
                "images-TOTAL_FORMS": "1",
                "images-0-image": colour_image("classe.jpg", (1, 2, 3)),
                "images-0-alt_text_fr": "",
                "images-0-order": "0",
            },
        )
        failed = editor_client.post(url, form)
        assert failed.status_code == 200
        page = failed.content.decode()
        # The saved cover is shown as it is saved, with its real address.
        assert f'src="{project.cover_image.url}"' in page
        form = admin_form_data(failed, **{"images-0-alt_text_fr": "Une classe"})
        assert editor_client.post(url, form).status_code == 302
        project.refresh_from_db()
        assert project.cover_image.name == cover
        assert Path(project.cover_image.path).is_file()
        assert project.images.get().alt_text_fr == "Une classe"

    def test_a_new_cover_sent_with_a_failed_save_is_kept_beside_the_saved_one(
        self, project, editor_client
    ):
        url = reverse("admin:portfolio_project_change", args=[project.pk])
        form = admin_form_data(
            editor_client.get(url), title_fr="", cover_image=colour_image("neuve.jpg", (9, 9, 9))
        )
        failed = editor_client.post(url, form)
        assert "title_fr" in failed.context["adminform"].form.errors
        page = failed.content.decode()
        assert f'href="{project.cover_image.url}"' in page
        assert "<strong>neuve.jpg</strong>" in page
        form = admin_form_data(failed, title_fr="Titre")
        assert editor_client.post(url, form).status_code == 302
        project.refresh_from_db()
        assert project.cover_image.name.startswith("projects/covers/neuve")


@pytest.mark.django_db
def test_clean_pending_uploads_forgets_what_is_older_than_a_day(editor_client, media_root):
    new_project_with_a_photo_undescribed(editor_client)
    old, *fresh = PendingUpload.objects.order_by("pk")
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    pending_folder = Path(media_root) / "pending"
    orphan = pending_folder / "orphan.jpg"
    orphan.write_bytes(b"left by a failed request")
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(orphan, (two_days_ago, two_days_ago))

    call_command("clean_pending_uploads", verbosity=0)

    assert list(PendingUpload.objects.order_by("pk")) == fresh
    assert sorted(p.name for p in pending_folder.iterdir()) == sorted(
        Path(p.file.name).name for p in fresh
    )
