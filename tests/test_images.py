"""Uploads: only complete JPEG, PNG or WebP within the limits; stored re-encoded, with sizes."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.images import rendition_name
from partners.models import Partner
from portfolio.models import ProjectImage, ProjectUpdate

from .admin_forms import admin_form_data
from .factories import image_bytes, make_project


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def decompression_bomb() -> bytes:
    """Return a 200-byte PNG whose header declares 20000 × 20000 pixels."""
    width = height = 20_000
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + width // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(50)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def too_many_pixels() -> bytes:
    """Return a small, valid PNG of 8000 × 5100 pixels (40.8 megapixels)."""
    buffer = io.BytesIO()
    Image.new("1", (8000, 5100)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_metadata(size=(1200, 800)) -> bytes:
    """Return a JPEG carrying a camera name, GPS position, comment and a 90° orientation."""
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Maker"
    exif[0x0112] = 6  # Rotate 90° clockwise to display.
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (45.0, 30.0, 15.0), 3: "W", 4: (73.0, 34.0, 1.0)})
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(
        buffer, "JPEG", exif=exif, comment=b"home address of the photographer"
    )
    return buffer.getvalue()


BAD_FILES = {
    "text renamed .jpg": ("notes.jpg", b"Compte rendu de la visite de terrain.\n" * 20),
    "truncated JPEG": ("cut.jpg", image_bytes((800, 600))[:2000]),
    "GIF": ("animation.gif", image_bytes((50, 50), "GIF")),
    "decompression bomb": ("bomb.png", decompression_bomb()),
    "over 10 MB": ("heavy.jpg", image_bytes((400, 300)) + b"\0" * (10 * 1024 * 1024)),
    "over 40 megapixels": ("huge.png", too_many_pixels()),
}


def stored_files(media_root) -> list[Path]:
    """Return the files stored among the public uploads.

    A valid image sent with a form that fails waits in the private ``pending/`` folder for
    the next submission (see test_kept_uploads.py); it is not among them.
    """
    root = Path(media_root)
    if not root.exists():
        return []
    return [
        path
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] != "pending"
    ]


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def editor_client(editor_client):
    editor_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return editor_client


def add_field_update(client, **changes):
    """Submit the admin's “add field update” form with ``changes``."""
    url = reverse("admin:portfolio_projectupdate_add")
    fields = {
        "project": str(make_project().pk),
        "title_fr": "Nouvelle du terrain",
        "text_fr": "Texte.",
        "image_alt_fr": "Des enfants devant l’école",
    }
    return client.post(url, admin_form_data(client.get(url), **fields | changes))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", BAD_FILES)
class TestBadFilesAreRefused:
    def test_by_the_admin_form_with_nothing_stored(self, kind, editor_client, media_root):
        name, content = BAD_FILES[kind]
        response = add_field_update(editor_client, image=upload(name, content))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "image" in errors and errors["image"][0]
        assert not ProjectUpdate.objects.exists()
        assert stored_files(media_root) == []

    def test_by_the_model_field(self, kind, media_root):
        name, content = BAD_FILES[kind]
        photo = ProjectImage(project=make_project(), alt_text_fr="Une photo")
        photo.image = upload(name, content)
        with pytest.raises(ValidationError) as refused:
            photo.full_clean()
        assert "image" in refused.value.message_dict
        with pytest.raises(ValidationError):
            photo.image.save(name, upload(name, content))
        assert not ProjectImage.objects.exists()
        assert stored_files(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("GIF", "Upload a JPEG, PNG or WebP image."),
        ("over 10 MB", "images may be at most 10.0"),
        ("over 40 megapixels", "8000 × 5100 pixels; images may have at most 40 megapixels"),
        ("text renamed .jpg", "Upload a valid image."),
    ],
)
def test_the_error_says_what_is_wrong(kind, message, editor_client):
    name, content = BAD_FILES[kind]
    project = make_project()
    url = reverse("admin:portfolio_project_change", args=[project.pk])
    form = admin_form_data(
        editor_client.get(url),
        **{
            "images-TOTAL_FORMS": "1",
            "images-0-image": upload(name, content),
            "images-0-alt_text_fr": "Une photo",
            "images-0-order": "0",
        },
    )
    response = editor_client.post(url, form)
    assert response.status_code == 200
    [inline] = [
        i for i in response.context["inline_admin_formsets"] if i.formset.prefix == "images"
    ]
    assert message in " ".join(inline.formset.forms[0].errors["image"])
    assert not project.images.exists()


@pytest.mark.django_db
class TestAcceptedImages:
    def test_are_re_encoded_without_metadata_and_upright(self, editor_client, media_root):
        response = add_field_update(
            editor_client, image=SimpleUploadedFile("IMG_0042.JPG", jpeg_with_metadata())
        )
        assert response.status_code == 302
        update = ProjectUpdate.objects.get()
        data = Path(update.image.path).read_bytes()
        assert b"SecretCam" not in data
        assert b"photographer" not in data
        stored = Image.open(io.BytesIO(data))
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert "exif" not in stored.info and "comment" not in stored.info
        # The orientation was applied to the pixels, and the recorded size follows it.
        assert stored.size == (800, 1200)
        assert (update.image_width, update.image_height) == (800, 1200)

    def test_have_renditions_at_the_configured_widths(self, settings, media_root):
        settings.IMAGE_RENDITION_WIDTHS = (480, 960, 1600)
        project = make_project()
        photo = ProjectImage(project=project, alt_text_fr="Une photo")
        photo.image.save(
            "wide.png", SimpleUploadedFile("wide.png", image_bytes((2000, 1000), "PNG"))
        )
        photo.refresh_from_db()
        assert (photo.width, photo.height) == (2000, 1000)
        for width in (480, 960, 1600):
            path = Path(media_root) / rendition_name(photo.image.name, width)
            rendition = Image.open(path)
            assert rendition.format == "WEBP"
            assert rendition.size == (width, width // 2)
            assert (
                f"{photo.image.storage.url(rendition_name(photo.image.name, width))} {width}w"
                in (photo.image.srcset())
            )
        assert photo.image.srcset().endswith(f"{photo.image.url} 2000w")

    def test_are_never_enlarged(self, media_root):
        photo = ProjectImage(project=make_project(), alt_text_fr="Une photo")
        photo.image.save(
            "small.webp", SimpleUploadedFile("s.webp", image_bytes((700, 500), "WEBP"))
        )
        renditions = sorted(p.name for p in Path(media_root).rglob("renditions/*"))
        assert renditions == [Path(rendition_name(photo.image.name, 480)).name]
        assert photo.image.name.endswith(".webp")

    def test_a_png_with_transparency_keeps_it(self, media_root):
        buffer = io.BytesIO()
        Image.new("RGBA", (600, 400), (200, 30, 30, 0)).save(buffer, "PNG")
        partner = Partner(name_fr="Partenaire", logo_alt_fr="Logo du partenaire")
        partner.logo.save("logo.png", SimpleUploadedFile("logo.png", buffer.getvalue()))
        stored = Image.open(partner.logo.path)
        assert stored.format == "PNG" and stored.mode == "RGBA"
        assert stored.getpixel((10, 10))[3] == 0

    def test_need_alternative_text(self, editor_client, media_root):
        project = make_project()
        response = add_field_update(
            editor_client,
            image=SimpleUploadedFile("photo.jpg", image_bytes(), "image/jpeg"),
            image_alt_fr="",
        )
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert "Describe the photo in its alternative text." in str(form.errors)
        assert not ProjectUpdate.objects.exists()
        assert stored_files(media_root) == []

        photo = ProjectImage(project=project, alt_text_fr="")
        photo.image = SimpleUploadedFile("photo.jpg", image_bytes(), "image/jpeg")
        with pytest.raises(ValidationError) as refused:
            photo.full_clean()
        assert "alt_text_fr" in refused.value.message_dict


@pytest.mark.django_db
class TestRecordedDimensions:
    """A stored image's size is read once, when it is stored, never on each page view."""

    def test_an_image_stored_from_bytes_records_its_size(self, media_root):
        from django.core.files.base import ContentFile

        created = make_project(cover_alt_fr="Une image")
        project = type(created).objects.get(pk=created.pk)  # As a command finds it.
        project.cover_image.save("cover.png", ContentFile(image_bytes((640, 360), "PNG")))
        stored = type(project).objects.values_list("cover_width", "cover_height")
        assert stored.get(pk=project.pk) == (640, 360)

    def test_loading_a_row_does_not_open_its_file(self, media_root):
        from django.core.files.base import ContentFile

        project = make_project(cover_alt_fr="Une image")
        project.cover_image.save("cover.png", ContentFile(image_bytes((640, 360), "PNG")))
        Path(project.cover_image.path).unlink()
        # With its size recorded, the row loads without its file: nothing reads the disk.
        loaded = type(project).objects.get(pk=project.pk)
        assert (loaded.cover_width, loaded.cover_height) == (640, 360)

    def test_a_stored_file_gone_from_the_disk_leaves_the_page_up(self, media_root, client):
        from django.core.files.base import ContentFile

        project = make_project(cover_alt_fr="Une image")
        project.cover_image.save("cover.png", ContentFile(image_bytes((640, 360), "PNG")))
        Path(project.cover_image.path).unlink()
        type(project).objects.filter(pk=project.pk).update(cover_width=None, cover_height=None)
        response = client.get(project.get_absolute_url())
        assert response.status_code == 200

    def test_the_migration_helper_fills_missing_sizes(self, media_root):
        from django.core.files.base import ContentFile

        from core.images import fill_missing_dimensions

        kept, gone = make_project(cover_alt_fr="Une image"), make_project(cover_alt_fr="Une image")
        for project in (kept, gone):
            project.cover_image.save("cover.png", ContentFile(image_bytes((640, 360), "PNG")))
        Path(gone.cover_image.path).unlink()
        model = type(kept)
        model.objects.update(cover_width=None, cover_height=None)
        assert fill_missing_dimensions(model, "cover_image") == 1
        assert model.objects.get(pk=kept.pk).cover_width == 640
        assert model.objects.get(pk=gone.pk).cover_width is None
